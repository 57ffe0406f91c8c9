package scheduler_test

import (
	"net/http"
	"strings"
	"testing"

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
