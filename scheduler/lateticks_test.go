package scheduler_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A box ticked in the gap between the run's last re-read of the dashboard
// and its write (here: injected just before the write is sent, so the
// write overwrites it) is put back from GitLab's checklist note and acted
// on by the next run.
func TestTickInTheWriteGapIsRecovered(t *testing.T) {
	e := newEnv(t, "")
	e.mustRun()
	e.tick("unschedule", brRequests) // consumed by the next run, so it writes
	iid := e.dashboard().IID
	path := "/issues/" + strconv.Itoa(iid)
	puts, ticked := 0, false
	e.hook = func(r *http.Request) error {
		if r.Method == http.MethodPut && strings.HasSuffix(r.URL.EscapedPath(), path) {
			puts++
			if !ticked {
				ticked = true
				e.tick("unschedule", brIdna)
			}
		}
		return nil
	}
	e.clock.Add(time.Hour)
	rep := e.mustRun()
	e.hook = nil
	if !ticked {
		t.Fatal("the run did not write the dashboard")
	}
	body := e.dashboard().Description
	if !strings.Contains(body, " - [x] <!-- unschedule-branch="+brIdna+" -->") {
		t.Fatalf("the tick made during the write was lost:\n%s", body)
	}
	if strings.Contains(body, "[x] <!-- unschedule-branch="+brRequests) {
		t.Errorf("the consumed tick came back")
	}
	if puts != 2 {
		t.Errorf("%d dashboard writes, want the write and one re-tick", puts)
	}
	if !strings.Contains(strings.Join(rep.Actions, "\n"), "re-tick on dashboard") {
		t.Errorf("actions %v lack the re-tick", rep.Actions)
	}

	e.clock.Add(time.Hour)
	e.mustRun()
	if _, ok := e.openMRs()[brIdna]; !ok {
		t.Errorf("the recovered tick was not acted on")
	}
	// Acted on, it stays unticked: the recovery does not bring back a
	// consumed tick on later runs.
	e.clock.Add(time.Hour)
	e.mustRun()
	if body := e.dashboard().Description; strings.Contains(body, "[x]") {
		t.Errorf("a tick came back after it was acted on:\n%s", body)
	}
}

// Without a late tick, a write costs one notes read and no second write.
func TestNoLateTickNoSecondWrite(t *testing.T) {
	e := newEnv(t, "")
	e.mustRun()
	e.tick("unschedule", brRequests)
	e.gl.ResetStats()
	e.clock.Add(time.Hour)
	e.mustRun()
	st := e.gl.Stats()
	if n := st.ByEndpoint["PUT /projects/:id/issues/:iid"]; n != 1 {
		t.Errorf("dashboard writes = %d, want 1 (%v)", n, st.ByEndpoint)
	}
	if n := st.ByEndpoint["GET /projects/:id/issues/:iid/notes"]; n != 1 {
		t.Errorf("notes reads = %d, want 1 (%v)", n, st.ByEndpoint)
	}
}
