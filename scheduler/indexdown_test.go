package scheduler_test

import (
	"errors"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/indexsim"
	"github.com/pinwheel-dev/pinwheel/scheduler"
)

// TestIndexDownFailsTheRun: when no look-up gets an answer (the index is
// down, or its credentials expired) the run fails, visibly, and leaves the
// dashboard as it was instead of rewriting it without versions. The next
// run after the index is back shows the error went away on its own.
func TestIndexDownFailsTheRun(t *testing.T) {
	e := openAll(t)
	before := e.dashboard().Description

	e.idx.Inject(indexsim.Fault{Count: 1 << 20, Status: 503})
	e.clock.Add(time.Hour)
	e.gl.ResetStats()
	rep := e.run()
	if !errors.Is(rep.Err, scheduler.ErrIndexDown) {
		t.Fatalf("run with the index down: err %v, want ErrIndexDown", rep.Err)
	}
	if st := e.gl.Stats(); st.Writes != 0 {
		t.Errorf("run with the index down wrote to GitLab: %v", st.ByEndpoint)
	}
	if got := e.dashboard().Description; got != before {
		t.Errorf("the dashboard changed while the index was down")
	}
}

// TestUnknownProjectIsNotAnOutage: a 404 is the index's answer for that
// pin; the run goes on and the dashboard lists it.
func TestUnknownProjectIsNotAnOutage(t *testing.T) {
	e := newEnv(t, unlimited)
	e.gl.Commit(e.proj, "main", "typo", map[string]string{"constraints.txt": "reqeusts==2.31.0\n"})
	rep := e.run()
	if rep.Err != nil {
		t.Fatalf("run: %v", rep.Err)
	}
	if rep.Problems != 1 {
		t.Errorf("problems = %d, want the one failed look-up", rep.Problems)
	}
}
