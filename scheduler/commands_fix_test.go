package scheduler_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/gitlabsim"
	"github.com/pinwheel-dev/pinwheel/scheduler"
)

// A command on a project the Runner found by autodiscovery (not in the
// config's projects) is taken and answered.
func TestCommandOnAutodiscoveredProject(t *testing.T) {
	e := openAll(t)
	found := e.cfg.Projects[0]
	cfg := *e.cfg
	other := found
	other.Path = "group/configured-elsewhere"
	cfg.Projects = []config.Project{other}
	e.cfg = &cfg
	e.adjust = func(r *scheduler.Runner) { r.SetProjects([]config.Project{found}) }
	dev := e.person("dev", gitlabsim.DeveloperAccess)
	iid := e.mrFor(brRequests).IID
	if _, code := e.comment(dev, iid, "@pinwheel ignore this version"); code != http.StatusAccepted {
		t.Fatalf("webhook answered %d, want 202", code)
	}
	e.step(t, "command")
	if got := e.replies(iid); len(got) != 1 || !strings.Contains(got[0], "version 2.32.4") {
		t.Fatalf("replies = %q", got)
	}
}

// A rebase whose rebuild fails is not answered until a run has rebuilt
// the branch: the command stays pending, the next run carries it out and
// answers it once.
func TestCommandRebaseAnsweredAfterRebuild(t *testing.T) {
	e := openAll(t)
	dev := e.person("dev", gitlabsim.DeveloperAccess)
	iid := e.mrFor(brRequests).IID
	e.gl.Commit(e.proj, "main", "Docs", map[string]string{"README": "new\n"})
	e.comment(dev, iid, "@pinwheel rebase")
	e.hook = func(r *http.Request) error {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/repository/commits") {
			return errors.New("connection refused")
		}
		return nil
	}
	e.clock.Add(time.Hour)
	e.run()
	if got := e.replies(iid); len(got) != 0 {
		t.Fatalf("answered before the branch was rebuilt: %q", got)
	}
	e.hook = nil
	e.step(t, "healthy")
	e.step(t, "healthy again")
	main, _ := e.gl.Branch(e.proj, "main")
	head, _ := e.gl.Branch(e.proj, brRequests)
	if c := e.commit(head); len(c.Parents) != 1 || c.Parents[0] != main {
		t.Errorf("branch not rebuilt on main %s: parents %v", main, c.Parents)
	}
	if got := e.replies(iid); len(got) != 1 || !strings.Contains(got[0], "rebuilt this merge request") {
		t.Errorf("replies = %q, want one after the rebuild", got)
	}
}

// An ignore rule survives a new state file (another shard, a lost
// volume): the run reads it back from the dashboard, opens no merge
// request for the ignored version, keeps listing the rule, and its box
// still lifts it.
func TestIgnoreRuleRecoveredFromDashboard(t *testing.T) {
	e := openAll(t)
	dev := e.person("dev", gitlabsim.DeveloperAccess)
	iid := e.mrFor(brRequests).IID
	e.comment(dev, iid, "@pinwheel ignore this version")
	e.step(t, "ignore")
	e.dbPath = t.TempDir() + "/new-shard.db"
	cfg := *e.cfg
	cfg.State = e.dbPath
	e.cfg = &cfg
	e.clock.Add(7 * 24 * time.Hour)
	e.step(t, "new state file")
	if mr, ok := e.openMRs()[brRequests]; ok {
		t.Fatalf("ignored version offered again with a new state file: !%d %q", mr.IID, mr.Title)
	}
	e.wantIgnored(t, iid, "ignore/requests/version/2.32.4")
	e.tick("unignore", "ignore/requests/version/2.32.4")
	e.step(t, "unignore ticked")
	if mr, ok := e.openMRs()[brRequests]; !ok || mr.Title != "Update requests to 2.32.4" {
		t.Errorf("after unignore, no MR for 2.32.4: %v", e.openMRs())
	}
	e.step(t, "after unignore")
	if len(e.ignoreRules()) != 0 || strings.Contains(e.dashboard().Description, "pinwheel-ignore:") {
		t.Errorf("lifted rule came back: %+v", e.ignoreRules())
	}
}
