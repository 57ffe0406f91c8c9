package daemon_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/daemon"
	"github.com/pinwheel-dev/pinwheel/internal/stop"
)

var (
	tick1 = start.Add(30 * time.Minute) // 13:00
	tick2 = tick1.Add(time.Hour)        // 14:00
)

func TestLoopRunsAtStartThenOnSchedule(t *testing.T) {
	h := newHarness(t, []string{"group/app", "group/svc"}, nil, nil)
	h.start(t)

	h.runner.waitStartedAll(t, "group/app", "group/svc")
	h.clock.waitTimers(t, tick1, 2)
	if got := h.clock.AdvanceTo(tick1.Add(-time.Second)); got != 0 {
		t.Fatalf("%d timers fired before the tick", got)
	}
	h.runner.noneStarted(t)

	if got := h.clock.AdvanceTo(tick1); got != 2 {
		t.Fatalf("%d timers fired at the tick, want 2", got)
	}
	h.runner.waitStartedAll(t, "group/app", "group/svc")
	h.clock.waitTimers(t, tick2, 2)
	st, _ := h.loop.ProjectStatus("group/app")
	if !st.NextRun.Equal(tick2) || st.Runs != 2 || st.LastErr != nil {
		t.Errorf("status = %+v, want 2 runs, next at %s", st, tick2)
	}
}

func TestLoopHonoursCronTimeZone(t *testing.T) {
	// 06:00 in Prague is 05:00 UTC in winter.
	h := newHarness(t, []string{"group/app"}, func(c *daemon.LoopConfig) {
		c.Cron = mustCron(t, "TZ=Europe/Prague 0 6 * * *")
	}, nil)
	h.start(t)
	h.runner.waitStarted(t)
	want := time.Date(2026, 11, 26, 5, 0, 0, 0, time.UTC)
	h.clock.waitTimers(t, want, 1)
	h.clock.AdvanceTo(want)
	if p := h.runner.waitStarted(t); p != "group/app" {
		t.Errorf("ran %s", p)
	}
}

func TestTriggerDebouncesABurstIntoOneRun(t *testing.T) {
	h := newHarness(t, []string{"group/app", "group/svc"}, nil, nil)
	h.start(t)
	h.runner.waitStartedAll(t, "group/app", "group/svc")
	h.clock.waitTimers(t, tick1, 2)

	for range 5 {
		if err := h.loop.Trigger("group/app"); err != nil {
			t.Fatal(err)
		}
	}
	due := start.Add(5 * time.Second)
	h.clock.waitTimers(t, due, 1)
	if st, _ := h.loop.ProjectStatus("group/app"); !st.Pending {
		t.Error("not pending after Trigger")
	}
	if got := h.clock.Advance(5 * time.Second); got != 1 {
		t.Fatalf("%d timers fired after the debounce, want 1", got)
	}
	if p := h.runner.waitStarted(t); p != "group/app" {
		t.Fatalf("trigger ran %s", p)
	}
	if st, _ := h.loop.ProjectStatus("group/app"); st.Pending {
		t.Error("still pending after the run started")
	}
	if got := h.clock.timers(start.Add(10 * time.Second)); got != 0 {
		t.Errorf("a second debounce is armed")
	}
	h.runner.noneStarted(t)
	if n := h.runner.count("group/svc"); n != 1 {
		t.Errorf("group/svc ran %d times, want 1", n)
	}
}

func TestTriggerUnknownProject(t *testing.T) {
	h := newHarness(t, []string{"group/app"}, nil, nil)
	if err := h.loop.Trigger("group/other"); !errors.Is(err, config.ErrUnknownProject) {
		t.Errorf("Trigger(unknown) = %v, want ErrUnknownProject", err)
	}
}

func TestTriggersDuringARunCoalesceIntoOneFollowUp(t *testing.T) {
	r, h := startGated(t)

	// In flight: triggers and a passing tick must not start a second run.
	for range 3 {
		if err := h.loop.Trigger("group/app"); err != nil {
			t.Fatal(err)
		}
	}
	st, _ := h.loop.ProjectStatus("group/app")
	if !st.Running || !st.Pending {
		t.Fatalf("status = %+v, want running and pending", st)
	}
	h.runner.noneStarted(t)
	r.gate <- struct{}{}

	due := start.Add(5 * time.Second)
	h.clock.waitTimers(t, due, 1)
	h.clock.Advance(5 * time.Second)
	h.runner.waitStarted(t)
	r.gate <- struct{}{}
	// The follow-up re-arms the schedule a second time; by then it has
	// decided whether to debounce again.
	h.clock.waitTimers(t, tick1, 2)
	if got := h.clock.timers(due.Add(5 * time.Second)); got != 0 {
		t.Error("a second follow-up is armed")
	}
	h.stop(t)
	if n := r.count("group/app"); n != 2 {
		t.Errorf("runs = %d, want 2 (start + one follow-up)", n)
	}
	if r.maxInflight != 1 {
		t.Errorf("max runs of one project at once = %d, want 1", r.maxInflight)
	}
}

// After a scheduled run the next tick is armed once: a tick that passed
// during the run is covered by it, and a timer that fired while the wall
// clock read a little before its tick (stepped back during the wait;
// timers run on the monotonic clock) does not schedule that tick again.
func TestNextTickAfterAScheduledRun(t *testing.T) {
	tick3 := tick2.Add(time.Hour)
	for _, tc := range []struct {
		name   string
		during func(*fakeClock)
		next   time.Time
	}{
		// The run ends after 14:00, so the next one is at 15:00, not at
		// once; the 14:00 timer is not armed yet, so nothing fires.
		{"tick during the run", func(c *fakeClock) { c.AdvanceTo(tick2) }, tick3},
		{"clock stepped back", func(c *fakeClock) { c.StepBack(2 * time.Second) }, tick2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, h := startGated(t)
			r.gate <- struct{}{}
			h.clock.waitTimers(t, tick1, 1)

			h.clock.AdvanceTo(tick1)
			h.runner.waitStarted(t)
			tc.during(h.clock)
			r.gate <- struct{}{}
			if next := h.clock.waitArmed(t); !next.Equal(tc.next) {
				t.Fatalf("after the %s run the next is armed for %s, want %s",
					tick1.Format(time.TimeOnly), next.Format(time.TimeOnly), tc.next.Format(time.TimeOnly))
			}
			h.runner.noneStarted(t)
			if r.maxInflight != 1 {
				t.Errorf("max runs of one project at once = %d, want 1", r.maxInflight)
			}
		})
	}
}

func TestFailingProjectDoesNotStopOthers(t *testing.T) {
	r := newRunner()
	r.fail["group/bad"] = errGitLab
	r.results["group/good"] = daemon.Result{UpdatesFound: 2, MRsOpened: 1}
	projects := []string{"group/bad", "group/good"}
	h := newHarness(t, projects, nil, r)
	h.start(t)
	r.waitStartedAll(t, projects...)
	h.clock.waitTimers(t, tick1, 2)
	h.clock.AdvanceTo(tick1)
	r.waitStartedAll(t, projects...)
	h.clock.waitTimers(t, tick2, 2)

	for _, st := range h.loop.Status() {
		if st.Runs != 2 {
			t.Errorf("%s ran %d times, want 2", st.Project, st.Runs)
		}
		switch st.Project {
		case "group/bad":
			if !errors.Is(st.LastErr, errGitLab) || !st.LastSuccess.IsZero() {
				t.Errorf("group/bad status = %+v", st)
			}
		case "group/good":
			if st.LastErr != nil || !st.LastSuccess.Equal(tick1) {
				t.Errorf("group/good status = %+v", st)
			}
		}
	}
	if got := h.loop.State(); got != daemon.StateRunning {
		t.Errorf("state = %s, want running", got)
	}
}

func TestStopLetsTheRunInFlightFinish(t *testing.T) {
	r, h := startGated(t)
	runCtx := r.lastCtx()

	h.cancel()
	select {
	case <-stop.Signal(runCtx):
	case <-time.After(failsafe):
		t.Fatal("the run was not told the daemon is stopping")
	}
	if err := runCtx.Err(); err != nil {
		t.Fatalf("run context ended at the stop: %v", err)
	}
	if err := h.loop.Trigger("group/app"); !errors.Is(err, daemon.ErrStopped) {
		t.Errorf("Trigger while stopping = %v, want ErrStopped", err)
	}
	select {
	case <-h.done:
		t.Fatal("Run returned while a run was in flight")
	default:
	}

	r.gate <- struct{}{}
	h.wait(t)
	if r.done("group/app") != 1 {
		t.Error("the run in flight did not finish")
	}
	st, _ := h.loop.ProjectStatus("group/app")
	if st.LastErr != nil || st.Runs != 1 {
		t.Errorf("status = %+v, want one successful run", st)
	}
	if h.loop.State() != daemon.StateStopped {
		t.Errorf("state = %s, want stopped", h.loop.State())
	}
}

func TestStopCancelsARunAfterTheGrace(t *testing.T) {
	r, h := startGated(t)
	runCtx := r.lastCtx()

	h.cancel()
	h.clock.waitTimers(t, start.Add(time.Minute), 1)
	h.clock.Advance(time.Minute)
	h.wait(t)
	if !errors.Is(runCtx.Err(), context.Canceled) {
		t.Errorf("run context = %v after the grace, want cancelled", runCtx.Err())
	}
	st, _ := h.loop.ProjectStatus("group/app")
	if !errors.Is(st.LastErr, context.Canceled) {
		t.Errorf("last error = %v, want the cancellation", st.LastErr)
	}
}

func TestStopStartsNoRunWaitingForASlot(t *testing.T) {
	r := newRunner()
	r.gated["group/a"], r.gated["group/b"] = true, true
	h := newHarness(t, []string{"group/a", "group/b"}, func(c *daemon.LoopConfig) { c.Parallel = 1 }, r)
	h.start(t)
	first := r.waitStarted(t)

	h.cancel()
	<-stop.Signal(r.lastCtx())
	r.gate <- struct{}{}
	h.wait(t)
	if r.count("group/a")+r.count("group/b") != 1 {
		t.Errorf("runs: a=%d b=%d, want only %s once", r.count("group/a"), r.count("group/b"), first)
	}
}

func TestNewLoopRejectsBadConfig(t *testing.T) {
	run := func(context.Context, string) (daemon.Result, error) { return daemon.Result{}, nil }
	tests := []struct {
		name string
		cfg  daemon.LoopConfig
		want string
	}{
		{"no run func", daemon.LoopConfig{Projects: []string{"a"}}, "no RunFunc"},
		{"no projects", daemon.LoopConfig{Run: run}, "no projects"},
		{"duplicate", daemon.LoopConfig{Run: run, Projects: []string{"a", "a"}}, "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := daemon.NewLoop(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewLoop = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func mustCron(t *testing.T, spec string) config.Cron {
	t.Helper()
	c, err := config.ParseCron(spec)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The loop owns the housekeeping timer: Prune runs at start and then once
// every PruneEvery, however many runs happen between.
func TestPruneRunsOnTheLoopsTimer(t *testing.T) {
	prunes := make(chan time.Time, 10)
	h := newHarness(t, []string{"group/app"}, func(c *daemon.LoopConfig) {
		c.PruneEvery = 6 * time.Hour
		c.Prune = func() { prunes <- time.Now() }
	}, nil)
	h.start(t)
	<-prunes // at start
	h.runner.waitStartedAll(t, "group/app")
	h.clock.waitTimers(t, start.Add(6*time.Hour), 1)
	h.clock.Advance(6 * time.Hour)
	<-prunes
	h.clock.waitTimers(t, start.Add(12*time.Hour), 1)
	select {
	case <-prunes:
		t.Error("pruned again before PruneEvery passed")
	default:
	}
}
