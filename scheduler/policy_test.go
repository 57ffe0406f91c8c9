package scheduler_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/gitlabauth"
	"github.com/pinwheel-dev/pinwheel/gitlabsim"
)

// A release younger than minimum_release_age is listed as pending and
// only created when its approve box is ticked, even inside the window.
func TestPendingReleaseAge(t *testing.T) {
	e := newEnv(t, unlimited)
	e.release("requests", "2.33.0", saturday.Add(-24*time.Hour))
	e.cfg.Packages = []config.PackageRule{{Name: "requests", MinimumReleaseAge: config.Duration(7 * 24 * time.Hour)}}
	e.clock.Set(saturday)
	e.mustRun()
	// The old enough 2.32.4 is opened; 2.33.0 waits.
	if mr := e.mrFor(brRequests); mr.Title != "Update requests to 2.32.4" {
		t.Fatalf("MR: %q", mr.Title)
	}
	body := e.dashboard().Description
	pending := section(body, "Pending Release Age")
	if !hasBox(pending, "approve", brRequests) || !strings.Contains(pending, "eligible 2026-12-04") {
		t.Fatalf("pending section:\n%s", body)
	}
	e.tick("approve", brRequests)
	e.step(t, "approved")
	if mr := e.mrFor(brRequests); mr.Title != "Update requests to 2.33.0" {
		t.Errorf("approved MR: %q", mr.Title)
	}
	if hasBox(e.dashboard().Description, "approve", brRequests) {
		t.Errorf("still pending after approval")
	}
	// The approval stands: the next run does not take the MR back to the
	// older release.
	e.step(t, "again")
	if mr := e.mrFor(brRequests); mr.Title != "Update requests to 2.33.0" {
		t.Errorf("approved update undone: %q", mr.Title)
	}
}

// Update types listed under automerge get merge-when-pipeline-succeeds.
func TestAutomerge(t *testing.T) {
	e := newEnv(t, "    limits: {open_mrs: 0, new_mrs_per_run: 0}\n    automerge: [minor]\n")
	e.clock.Set(saturday)
	e.mustRun()
	for branch, mr := range e.openMRs() {
		want := branch != brCertifi // certifi's update is major
		if mr.AutoMerge != want {
			t.Errorf("%s: auto-merge %v, want %v", branch, mr.AutoMerge, want)
		}
	}
	e.gl.SetPipelineStatus(e.proj, e.mrFor(brIdna).SHA(), "success")
	if _, ok := e.openMRs()[brIdna]; ok {
		t.Errorf("idna not merged on a green pipeline")
	}
}

// A closed MR a person retitles afterwards still blocks its version: the
// state remembers it.
func TestClosedRetitledStaysIgnored(t *testing.T) {
	e := openAll(t)
	mr := e.mrFor(brIdna)
	e.gl.CloseMR(e.proj, mr.IID)
	e.step(t, "closed")
	_, aliceToken := e.gl.AddUser("alice")
	alice, err := gitlabauth.NewClient(e.gl.URL(), gitlabauth.Credentials{Token: aliceToken})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := alice.MergeRequests.UpdateMergeRequest(project, int64(mr.IID), &gitlab.UpdateMergeRequestOptions{
		Title: gitlab.Ptr("Not now"),
	}); err != nil {
		t.Fatal(err)
	}
	e.step(t, "retitled")
	if _, ok := e.openMRs()[brIdna]; ok {
		t.Fatal("the closed update was proposed again")
	}
	if !hasBox(section(e.dashboard().Description, "Closed / Ignored"), "recreate", brIdna) {
		t.Errorf("not listed as closed:\n%s", e.dashboard().Description)
	}
}

// The manual-run box, when enabled, is unticked by the run it asked for.
func TestManualRunBox(t *testing.T) {
	e := newEnv(t, "")
	e.manualRunBox = true
	e.mustRun()
	is := e.dashboard()
	box := " - [ ] <!-- manual job -->"
	if !strings.Contains(is.Description, box) {
		t.Fatalf("no manual-run box:\n%s", is.Description)
	}
	if err := e.gl.EditIssue(e.proj, is.IID, func(i *gitlabsim.Issue) {
		i.Description = strings.Replace(i.Description, box, " - [x] <!-- manual job -->", 1)
	}); err != nil {
		t.Fatal(err)
	}
	e.step(t, "requested")
	if strings.Contains(e.dashboard().Description, "[x]") {
		t.Errorf("manual-run box still ticked")
	}
}

// GitLab holds a merge request "locked" while it merges it: the run
// neither treats it as closed by a person (no note, not ignored) nor
// rebuilds it.
func TestLockedMergeRequestIsLeftAlone(t *testing.T) {
	e := openAll(t)
	mr := e.mrFor(brRequests)
	if err := e.gl.LockMR(e.proj, mr.IID); err != nil {
		t.Fatal(err)
	}
	e.release("requests", "2.32.5", saturday)
	e.gl.ResetStats()
	e.step(t, "locked")
	if notes := e.gl.MRNotes(e.proj, mr.IID); len(notes) != 0 {
		t.Errorf("notes on a merge request being merged: %+v", notes)
	}
	if n := e.gl.Stats().ByEndpoint["POST /projects/:id/repository/commits"]; n != 0 {
		t.Errorf("rebuilt a merge request being merged (%d commits)", n)
	}
	body := e.dashboard().Description
	if section(body, "Closed / Ignored") != "" || !strings.Contains(section(body, "Open"), "!"+strconv.Itoa(mr.IID)) {
		t.Errorf("a locked merge request is not listed as open:\n%s", body)
	}
}
