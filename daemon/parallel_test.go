package daemon_test

import (
	"testing"

	"github.com/pinwheel-dev/pinwheel/daemon"
)

// With parallel slots, a project whose run hangs on GitLab holds one slot:
// every other project's start run still happens.
func TestSlowProjectHoldsOneSlot(t *testing.T) {
	r := newRunner()
	r.gated["group/slow"] = true
	projects := []string{"group/slow", "group/a", "group/b", "group/c"}
	h := newHarness(t, projects, func(c *daemon.LoopConfig) { c.Parallel = 2 }, r)
	h.start(t)
	r.waitStartedAll(t, projects...)
	if r.done("group/slow") != 0 {
		t.Fatal("the gated run finished")
	}
	// All three others started while the slow one held its slot, so each
	// had finished before the next could take the other slot.
	r.gate <- struct{}{}
	h.stop(t)
	for _, p := range projects {
		if r.done(p) != 1 {
			t.Errorf("%s finished %d runs, want 1", p, r.done(p))
		}
	}
}
