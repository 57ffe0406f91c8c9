package shard_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/app"
	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/gitlabsim"
	"github.com/pinwheel-dev/pinwheel/indexsim"
	"github.com/pinwheel-dev/pinwheel/internal/testclock"
	"github.com/pinwheel-dev/pinwheel/scheduler"
	"github.com/pinwheel-dev/pinwheel/shard"
	"github.com/pinwheel-dev/pinwheel/state"
)

// fleet is one GitLab and one index serving several pinwheel instances,
// each with its own state file (its volume), as the StatefulSet runs them.
type fleet struct {
	t        *testing.T
	gl       *gitlabsim.Server
	idx      *indexsim.Server
	clock    *testclock.Clock
	token    string
	projects []*gitlabsim.Project
	cfg      *config.Config
	volumes  string
}

func newFleet(t *testing.T, projects int) *fleet {
	// A Saturday, inside the default window: every update gets its MR.
	f := &fleet{t: t, clock: testclock.New(time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)), volumes: t.TempDir()}
	f.gl = gitlabsim.New(gitlabsim.Options{Clock: f.clock.Now})
	t.Cleanup(f.gl.Close)
	f.idx = indexsim.New(indexsim.Options{Clock: f.clock.Now})
	t.Cleanup(f.idx.Close)
	_, f.token = f.gl.AddUser("pinwheel")
	old := f.clock.Now().AddDate(0, -6, 0)
	for _, name := range []string{"requests", "idna", "six"} {
		f.release(name, "1.0", old)
		f.release(name, "1.1", old.AddDate(0, 1, 0))
	}
	var yaml strings.Builder
	for i := range projects {
		p := f.gl.CreateProject(fmt.Sprintf("team%d/app", i), "main")
		f.gl.Commit(p, "main", "Initial", map[string]string{"constraints.txt": "requests==1.0\nidna==1.0\nsix==1.0\n"})
		f.projects = append(f.projects, p)
		fmt.Fprintf(&yaml, "  - path: %s\n    limits: {open_mrs: 0, new_mrs_per_run: 0}\n", p.Path)
	}
	cfg, err := config.Parse("fleet.yaml", []byte(fmt.Sprintf(`
index: {url: %q, json_api_url: %q, retries: 0}
gitlab: {url: %q, token_env: T}
projects:
%s`, f.idx.IndexURL(), f.idx.JSONAPIURL(), f.gl.URL(), yaml.String())))
	if err != nil {
		t.Fatal(err)
	}
	f.cfg = cfg
	return f
}

func (f *fleet) release(name, version string, at time.Time) {
	f.idx.AddRelease(name, version, indexsim.File{Filename: name + "-" + version + "-py3-none-any.whl", UploadTime: at})
}

// runLayout runs every instance of an N-shard fleet once, each over the
// configured projects it owns, as the daemon's shard filter does: a
// shard.Filter asks GitLab for each configured path's numeric id. Instance K
// keeps its state file across layouts, like pod pinwheel-K its volume. It
// returns which instance ran each project.
func (f *fleet) runLayout(n int) map[string]int {
	f.t.Helper()
	ranBy := map[string]int{}
	for k := range n {
		s := shard.Shard{Index: k, Count: n}
		db, err := state.Open(filepath.Join(f.volumes, fmt.Sprintf("pinwheel-%d.db", k)), state.WithClock(f.clock.Now))
		if err != nil {
			f.t.Fatal(err)
		}
		r, gl := f.runner(db)
		filter := &shard.Filter{Shard: s, Lookup: func(ctx context.Context, path string) (int64, error) {
			p, _, err := gl.Projects.GetProject(path, nil, gitlab.WithContext(ctx))
			if err != nil {
				return 0, err
			}
			return int64(p.ID), nil
		}}
		for _, p := range f.projects {
			owns, err := filter.Owns(context.Background(), p.Path)
			if err != nil {
				f.t.Fatal(err)
			}
			if owns != s.Owns(int64(p.ID)) {
				f.t.Fatalf("%s: the filter and the simulator's id %d disagree", p.Path, p.ID)
			}
			if !owns {
				continue
			}
			if prev, dup := ranBy[p.Path]; dup {
				f.t.Fatalf("%s ran on shard %d and %d of %d", p.Path, prev, k, n)
			}
			ranBy[p.Path] = k
			if rep, err := r.RunProject(context.Background(), p.Path); err != nil || rep.Problems > 0 {
				f.t.Fatalf("shard %s: run %s: %v (%d problems)", s, p.Path, err, rep.Problems)
			}
		}
		if err := db.Close(); err != nil {
			f.t.Fatal(err)
		}
	}
	if len(ranBy) != len(f.projects) {
		f.t.Fatalf("%d of %d projects ran in a fleet of %d", len(ranBy), len(f.projects), n)
	}
	return ranBy
}

func (f *fleet) runner(db *state.DB) (*scheduler.Runner, *gitlab.Client) {
	f.t.Helper()
	a, err := app.New(f.cfg, app.Options{
		Getenv:        func(k string) string { return map[string]string{"T": f.token}[k] },
		HTTPClient:    &http.Client{},
		GitLabOptions: []gitlab.ClientOptionFunc{gitlab.WithCustomBackoff(func(_, _ time.Duration, _ int, _ *http.Response) time.Duration { return 0 })},
		State:         db, Clock: f.clock.Now,
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return a.Runner, a.GitLab
}

// census counts each project's dashboards and merge requests by branch,
// failing on any duplicate.
func (f *fleet) census() (dashboards, mrs int) {
	f.t.Helper()
	for _, p := range f.projects {
		n := 0
		for _, is := range f.gl.Issues(p) {
			if is.Title == "Dependency Dashboard" {
				n++
			}
		}
		if n != 1 {
			f.t.Errorf("%s has %d dashboard issues, want 1", p.Path, n)
		}
		dashboards += n
		branches := map[string]int{}
		for _, mr := range f.gl.MergeRequests(p) {
			branches[mr.SourceBranch]++
			if branches[mr.SourceBranch] > 1 {
				f.t.Errorf("%s has %d merge requests from %s", p.Path, branches[mr.SourceBranch], mr.SourceBranch)
			}
		}
		mrs += len(f.gl.MergeRequests(p))
	}
	return dashboards, mrs
}

// TestResizingTheFleetCreatesNothingTwice runs a fleet of 2, then of 3,
// then of 2 again on the same GitLab: projects move between instances, and
// their new owners, whose state files never saw them (or saw them a layout
// ago), find the dashboard and the merge requests in GitLab instead of
// creating them again; a release published in between updates the merge
// requests where they are.
func TestResizingTheFleetCreatesNothingTwice(t *testing.T) {
	f := newFleet(t, 12)

	first := f.runLayout(2)
	dashboards, mrs := f.census()
	if dashboards != 12 || mrs != 36 {
		t.Fatalf("after the first layout: %d dashboards, %d merge requests; want 12 and 36 (3 updates × 12)", dashboards, mrs)
	}

	f.clock.Add(time.Hour)
	f.release("requests", "1.2", f.clock.Now().Add(-time.Hour*24*30))
	second := f.runLayout(3)
	moved := 0
	for p, k := range second {
		if first[p] != k {
			moved++
		}
	}
	if moved == 0 || moved == len(second) {
		t.Fatalf("%d of %d projects changed instance from 2 to 3 shards; the test needs some to move and some to stay", moved, len(second))
	}
	if dashboards, mrs = f.census(); dashboards != 12 || mrs != 36 {
		t.Fatalf("after resizing to 3: %d dashboards, %d merge requests; want still 12 and 36", dashboards, mrs)
	}
	for _, p := range f.projects {
		for _, mr := range f.gl.MergeRequests(p) {
			if strings.Contains(mr.SourceBranch, "requests") && !strings.Contains(mr.Title, "1.2") {
				t.Errorf("%s: %s still offers %q after requests 1.2; the new owner did not update it", p.Path, mr.SourceBranch, mr.Title)
			}
		}
	}

	f.clock.Add(time.Hour)
	f.runLayout(2)
	if dashboards, mrs = f.census(); dashboards != 12 || mrs != 36 {
		t.Fatalf("after resizing back to 2: %d dashboards, %d merge requests; want still 12 and 36", dashboards, mrs)
	}
}
