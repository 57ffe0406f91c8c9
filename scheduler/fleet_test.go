package scheduler_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/scheduler"
)

// fleet turns e into n projects (group/app and group/p1...) pinning the
// same packages, run parallel at a time.
func fleet(t *testing.T, e *env, n, parallel int) []string {
	t.Helper()
	paths := []string{project}
	for i := 1; i < n; i++ {
		p := e.gl.CreateProject(fmt.Sprintf("group/p%d", i), "main")
		e.gl.Commit(p, "main", "Initial", map[string]string{"constraints.txt": initialConstraints})
		paths = append(paths, p.Path)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "index: {url: %q, json_api_url: %q, retries: 0}\nstate: %q\nparallel: %d\n", e.idx.IndexURL(), e.idx.JSONAPIURL(), e.dbPath, parallel)
	fmt.Fprintf(&b, "gitlab: {url: %q, token_env: PINWHEEL_TEST_TOKEN}\nprojects:\n", e.gl.URL())
	for _, p := range paths {
		fmt.Fprintf(&b, "  - path: %s\n    limits: {open_mrs: 10, new_mrs_per_run: 3}\n", p)
	}
	cfg, err := config.Parse("fleet.yaml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	e.cfg = cfg
	return paths
}

// While one project's GitLab hangs, the others run to the end: RunAll
// does not wait for the slow one to start the rest.
func TestRunAllSlowProjectDoesNotHoldUpOthers(t *testing.T) {
	e := newEnv(t, "")
	e.clock.Set(saturday)
	paths := fleet(t, e, 4, 2)
	done := make(chan string, len(paths))
	e.deps = func(d *scheduler.Deps) {
		d.Out = nil // written by parallel runs
		d.Done = func(rep scheduler.Report) { done <- rep.Project }
	}
	arrived, release := e.gl.Hold(project)
	defer release()
	r, db := e.runner(false)
	defer db.Close()
	reports := make(chan []scheduler.Report, 1)
	go func() { reports <- r.RunAll(context.Background()) }()
	<-arrived
	finished := map[string]bool{}
	for len(finished) < len(paths)-1 {
		select {
		case p := <-done:
			if p == project {
				t.Fatalf("the held project finished while held")
			}
			finished[p] = true
		case <-time.After(time.Minute): // a guard against a hang, not a wait
			t.Fatalf("only %v finished while %s was held: the slow project holds up the others", finished, project)
		}
	}
	release()
	reps := <-reports
	for i, rep := range reps {
		if rep.Project != paths[i] || rep.Err != nil || rep.MRsOpened == 0 {
			t.Errorf("report %d: %s err=%v opened=%d, want %s with MRs", i, rep.Project, rep.Err, rep.MRsOpened, paths[i])
		}
	}
}

// A run over many projects pinning the same packages asks the index for
// each page once, and the JSON API only for packages with an update.
func TestRunAllLooksEachPackageUpOnce(t *testing.T) {
	e := newEnv(t, "")
	e.release("idna", "3.4", released.AddDate(0, -6, 0)) // idna's 3.10 stays the update
	paths := fleet(t, e, 6, 3)
	e.deps = func(d *scheduler.Deps) { d.Out = nil }
	r, db := e.runner(false)
	defer db.Close()
	e.idx.ResetCounters()
	for _, rep := range r.RunAll(context.Background()) {
		if rep.Err != nil {
			t.Fatalf("%s: %v", rep.Project, rep.Err)
		}
	}
	pages := map[string]int{}
	jsonAPI := 0
	for _, req := range e.idx.Log() {
		if strings.HasPrefix(req.Path, "/simple/") {
			pages[req.Path]++
		} else {
			jsonAPI++
		}
	}
	// requests, urllib3, idna, certifi, six: one page each for 6 projects.
	if len(pages) != 5 {
		t.Errorf("pages asked: %v, want 5", pages)
	}
	for p, n := range pages {
		if n != 1 {
			t.Errorf("%s asked %d times for %d projects, want once", p, n, len(paths))
		}
	}
	// Every package has an update: one release endpoint each, shared.
	if jsonAPI != 5 {
		t.Errorf("%d JSON API requests, want 5 (one per package with an update)", jsonAPI)
	}
	if n := e.idx.Responses(http.StatusOK); n != 10 {
		t.Errorf("%d 200s, want 10", n)
	}
}
