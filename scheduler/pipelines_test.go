package scheduler_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/gitlabsim"
)

const pipelinesEndpoint = "GET /projects/:id/pipelines"

// A quiet project whose update merge requests' pipelines have all
// finished lists no pipelines, until pipelineRecheck has passed or one
// of them runs again; a new status is then on the dashboard.
func TestFinishedPipelinesAreNotListedAgain(t *testing.T) {
	e := openAll(t)
	mrs := e.openMRs()
	if len(mrs) == 0 {
		t.Fatal("no merge requests opened")
	}
	for _, mr := range mrs {
		e.gl.SetPipelineStatus(e.proj, mr.SHA(), "failed")
	}
	listed := func(step string) int {
		t.Helper()
		e.gl.ResetStats()
		e.clock.Add(time.Hour)
		e.mustRun()
		return e.gl.Stats().ByEndpoint[pipelinesEndpoint]
	}
	if n := listed("statuses finished"); n != 1 {
		t.Fatalf("run after the pipelines finished listed pipelines %d times, want 1", n)
	}
	if n := listed("quiet"); n != 0 {
		t.Errorf("quiet run with finished pipelines listed them %d times, want 0", n)
	}
	var one string
	for _, mr := range mrs {
		one = mr.SHA()
		break
	}
	e.gl.SetPipelineStatus(e.proj, one, "running") // a person re-runs it
	for hour := 3; hour <= 6; hour++ {
		if n := listed("before the recheck"); n != 0 {
			t.Errorf("hour %d after the last listing: listed pipelines %d times, want 0", hour-1, n)
		}
	}
	if n := listed("recheck"); n != 1 {
		t.Errorf("six hours after the last listing: listed pipelines %d times, want 1", n)
	}
	if got := e.dashboard().Description; !strings.Contains(got, "🔄") {
		t.Errorf("dashboard does not show the re-run pipeline:\n%s", got)
	}
	if n := listed("running"); n != 1 {
		t.Errorf("a run with a running pipeline listed pipelines %d times, want 1", n)
	}
}

// Without CI an update merge request has no pipeline: once a listing saw
// none for its head, quiet runs list no pipelines; a rebuilt head is
// listed again.
func TestNoPipelinesListedOnceAHead(t *testing.T) {
	e := newEnv(t, unlimited)
	e.gl.UpdateProject(e.proj, func(p *gitlabsim.Project) { p.CI = false })
	e.clock.Set(saturday)
	e.mustRun()
	counts := make([]int, 3)
	for i := range counts {
		e.gl.ResetStats()
		e.clock.Add(time.Hour)
		e.mustRun()
		counts[i] = e.gl.Stats().ByEndpoint[pipelinesEndpoint]
	}
	if counts[0] != 1 || counts[1] != 0 || counts[2] != 0 {
		t.Errorf("pipeline listings of three quiet runs = %v, want [1 0 0]", counts)
	}
}
