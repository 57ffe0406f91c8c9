package scheduler_test

import (
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/gitlabauth"
	"github.com/pinwheel-dev/pinwheel/gitlabsim"
)

// A box ticked between the run's first read of the dashboard and its write
// survives the write, and the next run acts on it.
func TestTickDuringRunCarriedOver(t *testing.T) {
	e := newEnv(t, "")
	e.mustRun()
	e.tick("unschedule", brRequests)
	iid := e.dashboard().IID
	ticked := false
	e.hook = func(r *http.Request) error {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.EscapedPath(), "/issues/"+strconv.Itoa(iid)) && !ticked {
			ticked = true
			e.tick("unschedule", brIdna)
		}
		return nil
	}
	e.clock.Add(time.Hour)
	if rep := e.mustRun(); rep.MRsOpened != 1 {
		t.Fatalf("%+v", rep)
	}
	e.hook = nil
	if !ticked {
		t.Fatal("the run did not re-read the issue before writing")
	}
	body := e.dashboard().Description
	if !strings.Contains(body, " - [x] <!-- unschedule-branch="+brIdna+" -->") {
		t.Fatalf("the tick made during the run was lost:\n%s", body)
	}
	if strings.Contains(body, "[x] <!-- unschedule-branch="+brRequests) {
		t.Errorf("the consumed tick is still there")
	}
	e.clock.Add(time.Hour)
	e.mustRun()
	if _, ok := e.openMRs()[brIdna]; !ok {
		t.Errorf("the carried tick was not acted on")
	}
}

// Without its state file pinwheel converges from GitLab alone: it finds
// its dashboard and merge requests and duplicates nothing.
func TestStateLost(t *testing.T) {
	e := openAll(t)
	e.gl.CloseMR(e.proj, e.mrFor(brSix).IID)
	e.step(t, "closed")
	before := e.snapshot()
	if err := os.Remove(e.dbPath); err != nil {
		t.Fatal(err)
	}
	e.gl.ResetStats()
	e.step(t, "without state")
	if st := e.gl.Stats(); st.Writes != 0 {
		t.Errorf("run without state wrote: %v", st.ByEndpoint)
	}
	if got := e.snapshot(); got != before {
		t.Errorf("state lost changed GitLab:\n%s\n---\n%s", got, before)
	}
	// The state is rebuilt: the next run is cheap again.
	e.gl.ResetStats()
	e.step(t, "rebuilt")
	if st := e.gl.Stats(); st.Requests > 5 || st.Writes != 0 {
		t.Errorf("run after rebuild: %v", st.ByEndpoint)
	}
}

// The dashboard issue is found by label, title and author; a closed one is
// reopened, never duplicated; one a person removed the label from is still
// found through the state.
func TestDashboardIssueFound(t *testing.T) {
	e := newEnv(t, "")
	e.mustRun()
	is := e.dashboard()
	if err := e.gl.CloseIssue(e.proj, is.IID); err != nil {
		t.Fatal(err)
	}
	e.step(t, "closed dashboard")
	if got := e.dashboard(); got.State != "opened" || got.IID != is.IID {
		t.Errorf("dashboard after close: #%d %s", got.IID, got.State)
	}
	if err := e.gl.EditIssue(e.proj, is.IID, func(i *gitlabsim.Issue) { i.Labels = nil }); err != nil {
		t.Fatal(err)
	}
	e.step(t, "label removed")
	if got := e.dashboard(); !slicesContains(got.Labels, "dependency-dashboard") {
		t.Errorf("label not restored: %v", got.Labels)
	}
	// Without its label and without the state file it is still found.
	if err := e.gl.EditIssue(e.proj, is.IID, func(i *gitlabsim.Issue) { i.Labels = nil }); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(e.dbPath); err != nil {
		t.Fatal(err)
	}
	e.step(t, "label removed, state lost")
	if got := e.dashboard(); got.IID != is.IID || !slicesContains(got.Labels, "dependency-dashboard") {
		t.Errorf("dashboard after label removed and state lost: #%d %v", got.IID, got.Labels)
	}
	// An issue with the same title and label by someone else is not ours.
	e2 := newEnv(t, "")
	_, aliceToken := e2.gl.AddUser("alice")
	alice, err := gitlabauth.NewClient(e2.gl.URL(), gitlabauth.Credentials{Token: aliceToken})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := alice.Issues.CreateIssue(project, &gitlab.CreateIssueOptions{
		Title: gitlab.Ptr("Dependency Dashboard"), Labels: gitlab.Ptr(gitlab.LabelOptions{"dependency-dashboard"}),
		Description: gitlab.Ptr(" - [x] <!-- unschedule-branch=" + brRequests + " -->"),
	}); err != nil {
		t.Fatal(err)
	}
	e2.mustRun()
	if n := len(e2.gl.Issues(e2.proj)); n != 2 {
		t.Fatalf("issues: %d", n)
	}
	if n := len(e2.gl.MergeRequests(e2.proj)); n != 0 {
		t.Errorf("a tick in someone else's issue opened %d MRs", n)
	}
	// Two of ours: the oldest is used, the other reported.
	e3 := newEnv(t, "")
	e3.mustRun()
	bot, _ := gitlabauth.NewClient(e3.gl.URL(), gitlabauth.Credentials{Token: e3.token})
	if _, _, err := bot.Issues.CreateIssue(project, &gitlab.CreateIssueOptions{
		Title: gitlab.Ptr("Dependency Dashboard"), Labels: gitlab.Ptr(gitlab.LabelOptions{"dependency-dashboard"}),
	}); err != nil {
		t.Fatal(err)
	}
	e3.step(t, "two dashboards")
	first, _ := e3.gl.Issue(e3.proj, 1)
	if !strings.Contains(first.Description, "several issues are titled") || len(e3.gl.Issues(e3.proj)) != 2 {
		t.Errorf("duplicate dashboard not reported:\n%s", first.Description)
	}
}

// With dashboard.enabled false there is no issue and no ticks: only the
// window opens merge requests.
func TestDashboardDisabled(t *testing.T) {
	e := newEnv(t, "    dashboard: {enabled: false}\n")
	e.mustRun()
	if n := len(e.gl.Issues(e.proj)); n != 0 {
		t.Fatalf("issues: %d", n)
	}
	e.clock.Set(saturday)
	if rep := e.mustRun(); rep.MRsOpened != 3 {
		t.Errorf("%+v", rep)
	}
}
