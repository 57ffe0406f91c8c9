package daemon_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/daemon"
)

func statusNames(l *daemon.Loop) []string {
	var out []string
	for _, s := range l.Status() {
		out = append(out, s.Project)
	}
	return out
}

// TestSetProjects: a project that joins runs at once and then on the
// schedule; one that leaves is never run again, and triggers for it are
// refused; the others keep their schedule.
func TestSetProjects(t *testing.T) {
	h := newHarness(t, []string{"a", "b"}, func(c *daemon.LoopConfig) { c.Parallel = 3 }, nil)
	h.start(t)
	h.runner.waitStartedAll(t, "a", "b")
	h.clock.waitTimers(t, tick1, 2)

	added, removed, err := h.loop.SetProjects([]string{"b", "c"})
	if err != nil || !slices.Equal(added, []string{"c"}) || !slices.Equal(removed, []string{"a"}) {
		t.Fatalf("SetProjects: added %v, removed %v, %v", added, removed, err)
	}
	if got := h.runner.waitStarted(t); got != "c" {
		t.Fatalf("first run after joining: %s, want c", got)
	}
	if got := statusNames(h.loop); !slices.Equal(got, []string{"b", "c"}) {
		t.Errorf("Status lists %v, want [b c]", got)
	}
	if err := h.loop.Trigger("a"); !errors.Is(err, config.ErrUnknownProject) {
		t.Errorf("Trigger of a project that left: %v, want ErrUnknownProject", err)
	}

	// c's worker armed tick1 too once its first run ended (a's timer
	// stays armed, unheard).
	h.clock.waitTimers(t, tick1, 3)
	h.clock.AdvanceTo(tick1)
	h.runner.waitStartedAll(t, "b", "c")
	h.clock.waitTimers(t, tick2, 2)
	h.runner.noneStarted(t)
	if n := h.runner.count("a"); n != 1 {
		t.Errorf("a ran %d times, want only its first run", n)
	}
}

// TestRefresh: at each scheduled time the loop asks find and takes its
// answer; a failed find changes nothing.
func TestRefresh(t *testing.T) {
	h := newHarness(t, []string{"a"}, func(c *daemon.LoopConfig) { c.Parallel = 3 }, nil)
	h.start(t)
	h.runner.waitStarted(t)

	var mu sync.Mutex
	answers := []struct {
		names []string
		err   error
	}{{[]string{"a", "b"}, nil}, {nil, errors.New("gitlab down")}}
	asked := make(chan struct{}, 5)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go h.loop.Refresh(ctx, func(context.Context) ([]string, error) {
		mu.Lock()
		defer mu.Unlock()
		a := answers[0]
		answers = answers[1:]
		asked <- struct{}{}
		return a.names, a.err
	})
	// a's worker and Refresh both wait for tick1.
	h.clock.waitTimers(t, tick1, 2)
	h.clock.AdvanceTo(tick1)
	<-asked
	h.runner.waitStartedAll(t, "a", "b")
	h.clock.waitTimers(t, tick2, 3)
	h.clock.AdvanceTo(tick2)
	<-asked
	h.runner.waitStartedAll(t, "a", "b")
	if got := statusNames(h.loop); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("after a failed find: %v, want [a b] kept", got)
	}
}
