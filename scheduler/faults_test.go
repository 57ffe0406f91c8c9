package scheduler_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Two projects: group/app (the env's) and group/other.
func twoProjects(t *testing.T) *env {
	e := newEnv(t, "    limits: {open_mrs: 0, new_mrs_per_run: 0}\n  - path: group/other\n    branch: main\n")
	other := e.gl.CreateProject("group/other", "main")
	e.gl.Commit(other, "main", "Initial", map[string]string{"constraints.txt": "requests==2.31.0\n"})
	return e
}

func (e *env) runAll() []string {
	r, db := e.runner(false)
	defer db.Close()
	var errs []string
	for _, rep := range r.RunAll(context.Background()) {
		if rep.Err != nil {
			errs = append(errs, rep.Project+": "+rep.Err.Error())
		}
	}
	return errs
}

// Short storms of 5xx and 429 are retried by client-go and the run goes on.
func TestTransientFailuresRetried(t *testing.T) {
	e := newEnv(t, "")
	e.gl.FailNext(2, http.StatusServiceUnavailable, "GET")
	e.gl.FailNext(2, http.StatusBadGateway, "PUT")
	e.gl.RateLimit(2, 0)
	e.mustRun()
	e.tick("unschedule", brRequests)
	e.gl.FailNext(4, http.StatusInternalServerError, "")
	e.step(t, "storm")
	if _, ok := e.openMRs()[brRequests]; !ok {
		t.Errorf("MR not opened through the storm")
	}
}

// A GitLab that keeps failing stops that project's run cleanly: the report
// and the next dashboard say so, and the other project still runs.
func TestPersistentFailureStopsOneProject(t *testing.T) {
	e := twoProjects(t)
	e.clock.Set(saturday)
	e.hook = func(r *http.Request) error {
		if strings.Contains(r.URL.EscapedPath(), "group%2Fapp/merge_requests") {
			return errors.New("connection refused by test")
		}
		return nil
	}
	errs := e.runAll()
	if len(errs) != 1 || !strings.HasPrefix(errs[0], "group/app:") || !strings.Contains(errs[0], "list merge requests") {
		t.Fatalf("errors: %v", errs)
	}
	op, _ := e.gl.Project("group/other")
	if _, ok := e.gl.Branch(op, brRequests); !ok {
		t.Errorf("the other project did not run")
	}
	if n := len(e.gl.MergeRequests(e.proj)); n != 0 {
		t.Errorf("failing project opened %d MRs", n)
	}

	e.hook = nil
	e.clock.Add(time.Hour)
	if errs := e.runAll(); len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	body := e.dashboard().Description
	if !strings.Contains(section(body, "Errors"), "list merge requests") {
		t.Errorf("the last run's failure is not on the dashboard:\n%s", body)
	}
	e.clock.Add(time.Hour)
	e.runAll()
	if strings.Contains(e.dashboard().Description, "## Errors") {
		t.Errorf("the failure stays after a good run")
	}
}

// One update's failed action is an error for that update; the others go
// on, and the Errors section offers a retry box.
func TestFailedActionIsOneUpdatesError(t *testing.T) {
	e := newEnv(t, unlimited)
	e.clock.Set(saturday)
	e.gl.FailNext(1, http.StatusUnprocessableEntity, "POST /projects/:id/merge_requests")
	rep := e.run()
	if rep.Err != nil || rep.MRsOpened != 4 || rep.Problems != 1 {
		t.Fatalf("%+v", rep)
	}
	body := e.dashboard().Description
	if !hasBox(section(body, "Errors"), "retry", brRequests) {
		t.Errorf("no retry box:\n%s", body)
	}
	e.step(t, "next run")
	if len(e.openMRs()) != 5 || strings.Contains(e.dashboard().Description, "## Errors") {
		t.Errorf("the failed update did not recover")
	}
}
