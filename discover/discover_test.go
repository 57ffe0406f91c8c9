package discover_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/discover"
	"github.com/pinwheel-dev/pinwheel/gitlabauth"
	"github.com/pinwheel-dev/pinwheel/gitlabsim"
	"github.com/pinwheel-dev/pinwheel/internal/testclock"
	"github.com/pinwheel-dev/pinwheel/shard"
	"github.com/pinwheel-dev/pinwheel/state"
)

type fixture struct {
	t     *testing.T
	clock *testclock.Clock
	gl    *gitlabsim.Server
	api   *gitlab.Client
	db    *state.DB
	ps    map[string]*gitlabsim.Project
}

// newFixture makes platform/{api,web/site,legacy-app,docs}, other/{tool,
// lib} and platformer/x. docs has no constraints file, other/lib only a
// .pinwheel.yaml; other/tool and other/lib carry the python topic.
func newFixture(t *testing.T) *fixture {
	f := &fixture{t: t, clock: testclock.New(time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)), ps: map[string]*gitlabsim.Project{}}
	f.gl = gitlabsim.New(gitlabsim.Options{Clock: f.clock.Now})
	t.Cleanup(f.gl.Close)
	_, token := f.gl.AddUser("pinwheel")
	for _, pf := range [][2]string{
		{"platform/api", "constraints.txt"}, {"platform/web/site", "constraints.txt"}, {"platform/legacy-app", "constraints.txt"},
		{"platform/docs", "README.md"}, {"other/tool", "constraints.txt"}, {"other/lib", ".pinwheel.yaml"}, {"platformer/x", "constraints.txt"},
	} {
		path, file := pf[0], pf[1]
		p := f.gl.CreateProject(path, "main")
		f.gl.Commit(p, "main", "Initial", map[string]string{file: "x==1\n"})
		f.ps[path] = p
	}
	f.gl.SetTopics(f.ps["other/tool"], "python")
	f.gl.SetTopics(f.ps["other/lib"], "python")
	var err error
	f.api, err = gitlabauth.NewClient(f.gl.URL(), gitlabauth.Credentials{Token: token}, gitlab.WithHTTPClient(&http.Client{}),
		gitlab.WithCustomBackoff(func(_, _ time.Duration, _ int, _ *http.Response) time.Duration { return 0 }), gitlab.WithCustomRetryMax(1))
	if err != nil {
		t.Fatal(err)
	}
	f.db, err = state.Open(filepath.Join(t.TempDir(), "state.db"), state.WithClock(f.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.db.Close() })
	return f
}

func (f *fixture) config(yaml string) *config.Config {
	f.t.Helper()
	cfg, err := config.Parse("c.yaml", []byte(fmt.Sprintf("gitlab: {url: %q}\n%s", f.gl.URL(), yaml)))
	if err != nil {
		f.t.Fatal(err)
	}
	return cfg
}

func paths(ps []config.Project) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Path)
	}
	return strings.Join(out, ",")
}

func TestFind(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"groups with subgroups, excluded, without the file", `
autodiscover: {groups: [platform], exclude: ["platform/legacy-*"]}`, "platform/api,platform/web/site"},
		{"topics", `
autodiscover: {topics: [python]}`, "other/tool"},
		{"topics with repo_config find .pinwheel.yaml", `
repo_config: {enabled: true}
autodiscover: {topics: [python]}`, "other/tool,other/lib"},
		{"groups and topics together: both must hold", `
autodiscover: {groups: [other, platform], topics: [python]}`, "other/tool"},
		{"a configured entry wins and keeps its place", `
autodiscover: {groups: [platform]}
projects: [{path: Platform/API, labels: [mine]}]`, "Platform/API,platform/web/site,platform/legacy-app"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			res := (&discover.Finder{Config: f.config(tt.yaml), GitLab: f.api, Cache: f.db.HTTPCache()}).Find(context.Background())
			if len(res.Problems) > 0 {
				t.Fatal(res.Problems)
			}
			if got := paths(res.Projects); got != tt.want {
				t.Errorf("found %s, want %s", got, tt.want)
			}
		})
	}
}

func TestFoundProjectsTakeProjectDefaults(t *testing.T) {
	f := newFixture(t)
	cfg := f.config(`
autodiscover: {groups: [platform/web]}
project_defaults: {labels: [deps, auto], limits: {open_mrs: 1}}`)
	res := (&discover.Finder{Config: cfg, GitLab: f.api}).Find(context.Background())
	if len(res.Projects) != 1 {
		t.Fatalf("found %s", paths(res.Projects))
	}
	p := res.Projects[0]
	if p.Path != "platform/web/site" || strings.Join(p.Labels, ",") != "deps,auto" || p.Limits.OpenMRs != 1 || p.Constraints != "constraints.txt" {
		t.Errorf("found project = %+v", p)
	}
}

// TestCacheAndDisappearance: a second round with nothing changed asks
// only for the listing; a push makes that project be asked again; a
// failed listing leaves the last result standing; a deleted project and
// one whose file went are dropped.
func TestCacheAndDisappearance(t *testing.T) {
	f := newFixture(t)
	finder := &discover.Finder{Config: f.config("autodiscover: {groups: [platform]}\n"), GitLab: f.api, Cache: f.db.HTTPCache(), Clock: f.clock.Now}
	ctx := context.Background()
	const heads = "HEAD /projects/:id/repository/files/:file_path"
	if got := paths(finder.Find(ctx).Projects); got != "platform/api,platform/web/site,platform/legacy-app" {
		t.Fatalf("first round: %s", got)
	}

	f.gl.ResetStats()
	if got := paths(finder.Find(ctx).Projects); got != "platform/api,platform/web/site,platform/legacy-app" {
		t.Fatalf("second round: %s", got)
	}
	if st := f.gl.Stats(); st.ByEndpoint[heads] != 0 || st.Requests != 1 {
		t.Errorf("a round with nothing changed: %d requests, %d file checks; want 1 listing and none", st.Requests, st.ByEndpoint[heads])
	}

	f.clock.Add(time.Hour)
	f.gl.Commit(f.ps["platform/docs"], "main", "pins", map[string]string{"constraints.txt": "x==1\n"})
	f.gl.ResetStats()
	if got := paths(finder.Find(ctx).Projects); got != "platform/api,platform/web/site,platform/legacy-app,platform/docs" {
		t.Fatalf("after docs gained the file: %s", got)
	}
	if n := f.gl.Stats().ByEndpoint[heads]; n != 1 {
		t.Errorf("%d file checks after one project's push, want 1", n)
	}

	// A day later every project is looked at again, activity or not.
	f.clock.Add(25 * time.Hour)
	f.gl.ResetStats()
	finder.Find(ctx)
	if n := f.gl.Stats().ByEndpoint[heads]; n != 4 {
		t.Errorf("%d file checks a day later, want 4 (one per project of the group)", n)
	}

	f.gl.FailNext(2, http.StatusInternalServerError, "GET /groups/:id/projects")
	res := finder.Find(ctx)
	if len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Error(), "stand in") {
		t.Errorf("failed listing: problems %v", res.Problems)
	}
	if got := paths(res.Projects); got != "platform/api,platform/web/site,platform/legacy-app,platform/docs" {
		t.Errorf("a failed listing changed the projects: %s", got)
	}

	f.clock.Add(time.Hour)
	f.gl.DeleteProject(f.ps["platform/api"])
	f.gl.Commit(f.ps["platform/legacy-app"], "main", "unpin", map[string]string{"constraints.txt": gitlabsim.Deleted})
	f.gl.ResetStats()
	if got := paths(finder.Find(ctx).Projects); got != "platform/web/site,platform/docs" {
		t.Errorf("after a deletion and a removed file: %s", got)
	}
	if st := f.gl.Stats(); st.Writes != 0 {
		t.Errorf("discovery wrote %d times", st.Writes)
	}
}

func TestShardsSplitTheFoundProjects(t *testing.T) {
	f := newFixture(t)
	cfg := f.config("autodiscover: {groups: [platform, other, platformer]}\nprojects: [{path: other/lib}]\n")
	seen := map[string]int{}
	for k := range 3 {
		res := (&discover.Finder{Config: cfg, GitLab: f.api, Shard: shard.Shard{Index: k, Count: 3}}).Find(context.Background())
		if len(res.Problems) > 0 {
			t.Fatal(res.Problems)
		}
		for _, p := range res.Projects {
			seen[p.Path]++
			if want := shard.Owner(int64(f.ps[p.Path].ID), 3); want != k {
				t.Errorf("%s ran on shard %d, owner is %d", p.Path, k, want)
			}
		}
	}
	if len(seen) != 6 {
		t.Errorf("the fleet runs %d projects (%v), want 6", len(seen), seen)
	}
	for p, n := range seen {
		if n != 1 {
			t.Errorf("%s runs on %d shards", p, n)
		}
	}
}

// A configured project whose id GitLab fails to give keeps the id it gave
// before, in this process or one with the same state file; without one,
// or when GitLab says there is no such project, it is left out this time.
func TestConfiguredIDLookupFails(t *testing.T) {
	f := newFixture(t)
	cfg := f.config("projects: [{path: platform/api}, {path: other/tool}]\n")
	// The shard of 2 that owns platform/api.
	own := shard.Shard{Index: shard.Owner(int64(f.ps["platform/api"].ID), 2), Count: 2}
	ctx := context.Background()
	owned := func() string {
		var out []string
		for _, p := range []string{"platform/api", "other/tool"} {
			if own.Owns(int64(f.ps[p].ID)) {
				out = append(out, p)
			}
		}
		return strings.Join(out, ",")
	}()

	// No id known yet: the failing path is left out, with a problem.
	f.gl.FailNext(4, http.StatusInternalServerError, "GET /projects/:id")
	res := (&discover.Finder{Config: cfg, GitLab: f.api, Cache: f.db.HTTPCache(), Shard: own}).Find(ctx)
	if len(res.Problems) != 2 || paths(res.Projects) != "" {
		t.Fatalf("first start, GitLab failing: %s, problems %v; want none and 2 problems", paths(res.Projects), res.Problems)
	}

	// A healthy start learns and caches the ids.
	res = (&discover.Finder{Config: cfg, GitLab: f.api, Cache: f.db.HTTPCache(), Shard: own}).Find(ctx)
	if len(res.Problems) != 0 || paths(res.Projects) != owned {
		t.Fatalf("healthy start: %s, problems %v; want %s", paths(res.Projects), res.Problems, owned)
	}

	// A restart while GitLab fails: the cached ids stand in.
	f.gl.FailNext(4, http.StatusInternalServerError, "GET /projects/:id")
	res = (&discover.Finder{Config: cfg, GitLab: f.api, Cache: f.db.HTTPCache(), Shard: own}).Find(ctx)
	if got := paths(res.Projects); got != owned {
		t.Errorf("restart, GitLab failing: %s, want %s from the cached ids", got, owned)
	}
	if len(res.Problems) != 2 || !strings.Contains(res.Problems[0].Error(), "stands in") {
		t.Errorf("restart, GitLab failing: problems %v, want 2 saying the last id stands in", res.Problems)
	}

	// A project GitLab no longer has is left out, cached id or not.
	f.gl.DeleteProject(f.ps["platform/api"])
	res = (&discover.Finder{Config: cfg, GitLab: f.api, Cache: f.db.HTTPCache(), Shard: own}).Find(ctx)
	if strings.Contains(paths(res.Projects), "platform/api") || len(res.Problems) != 1 {
		t.Errorf("deleted project: %s, problems %v; want it left out with one problem", paths(res.Projects), res.Problems)
	}
}
