package scheduler_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/pinwheel-dev/pinwheel/internal/stop"
	"github.com/pinwheel-dev/pinwheel/scheduler"
)

// When the daemon begins to stop, the run finishes the update in hand and
// starts no other: every branch it wrote has its merge request, and the
// next run does the rest without a duplicate.
func TestStopBetweenUpdates(t *testing.T) {
	e := newEnv(t, unlimited)
	e.clock.Set(saturday)
	stopping := make(chan struct{})
	var once sync.Once
	e.hook = func(r *http.Request) error {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/merge_requests") {
			once.Do(func() { close(stopping) })
		}
		return nil
	}
	rep := e.runCtx(stop.With(context.Background(), stopping), false)
	e.hook = nil
	if !errors.Is(rep.Err, scheduler.ErrStopping) || rep.MRsOpened != 1 {
		t.Fatalf("stopped run: %+v", rep)
	}
	for _, b := range allBranches {
		_, branch := e.gl.Branch(e.proj, b)
		_, mr := e.openMRs()[b]
		if branch != mr {
			t.Errorf("%s: branch %v but merge request %v", b, branch, mr)
		}
	}
	if last := e.record().LastError; last != "" {
		t.Errorf("a stop is recorded as the run's error: %q", last)
	}
	e.step(t, "after the stop")
	if n := len(e.openMRs()); n != len(allBranches) {
		t.Errorf("open MRs after the next run: %d", n)
	}
	if strings.Contains(e.dashboard().Description, "## Errors") {
		t.Errorf("the stop shows as an error:\n%s", e.dashboard().Description)
	}
}

// A run that panics is contained: RunProject returns ErrPanicked, the
// state says so, and the next run goes on.
func TestPanicIsContained(t *testing.T) {
	e := newEnv(t, "")
	e.hook = func(r *http.Request) error {
		if strings.HasSuffix(r.URL.Path, "/merge_requests") {
			panic("a bug")
		}
		return nil
	}
	rep := e.run()
	e.hook = nil
	if !errors.Is(rep.Err, scheduler.ErrPanicked) || !strings.Contains(rep.Err.Error(), "a bug") {
		t.Fatalf("run: %v", rep.Err)
	}
	if last := e.record().LastError; !strings.Contains(last, "panicked") {
		t.Errorf("LastError = %q", last)
	}
	if !strings.Contains(e.logs.String(), "run panicked") {
		t.Error("the panic is not logged")
	}
	e.step(t, "after the panic")
}
