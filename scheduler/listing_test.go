package scheduler_test

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

// A merge request updated while a full listing pages through pinwheel's
// merge requests shifts the pages. No other merge request may be missed
// for that: here the one missed would be a closed update, proposed again.
func TestListingSurvivesShiftingPages(t *testing.T) {
	e := newEnv(t, unlimited)
	bot, err := gitlab.NewClient(e.token, gitlab.WithBaseURL(e.gl.URL()))
	if err != nil {
		t.Fatal(err)
	}
	// 96 older merge requests of pinwheel's, then the run's five: 101 in
	// all, so six's closed one is the first of page 2 oldest first.
	for i := range 96 {
		branch := fmt.Sprintf("pinwheel/old-%d.x", i)
		if _, _, err := bot.Commits.CreateCommit(e.proj.ID, &gitlab.CreateCommitOptions{
			Branch: gitlab.Ptr(branch), StartBranch: gitlab.Ptr("main"), CommitMessage: gitlab.Ptr("old"),
			Actions: []*gitlab.CommitActionOptions{{Action: gitlab.Ptr(gitlab.FileCreate), FilePath: gitlab.Ptr("old.txt"), Content: gitlab.Ptr("old\n")}},
		}); err != nil {
			t.Fatal(err)
		}
		mr, _, err := bot.MergeRequests.CreateMergeRequest(e.proj.ID, &gitlab.CreateMergeRequestOptions{
			SourceBranch: gitlab.Ptr(branch), TargetBranch: gitlab.Ptr("main"), Title: gitlab.Ptr("Old " + branch),
		})
		if err != nil {
			t.Fatal(err)
		}
		e.gl.CloseMR(e.proj, int(mr.IID))
		e.clock.Add(time.Second)
	}
	e.clock.Set(saturday)
	e.mustRun()
	e.clock.Add(time.Minute)
	six := e.mrFor(brSix)
	e.gl.CloseMR(e.proj, six.IID)

	// The state is lost, so the next run lists everything; while it reads
	// the second page a person touches a merge request of the first.
	if err := os.Remove(e.dbPath); err != nil {
		t.Fatal(err)
	}
	touched := false
	e.hook = func(r *http.Request) error {
		if !touched && strings.HasSuffix(r.URL.Path, "/merge_requests") && r.URL.Query().Get("page") == "2" {
			touched = true
			if _, err := e.gl.MergeMR(e.proj, e.mrFor(brRequests).IID); err != nil {
				t.Error(err)
			}
		}
		return nil
	}
	e.clock.Add(time.Hour)
	e.mustRun()
	if !touched {
		t.Fatal("the listing had no second page")
	}
	for _, mr := range e.gl.MergeRequests(e.proj) {
		if mr.SourceBranch == brSix && mr.State == "opened" {
			t.Fatalf("the closed update of six was proposed again as !%d", mr.IID)
		}
	}
	if body := e.dashboard().Description; !hasBox(section(body, "Closed / Ignored"), "recreate", brSix) {
		t.Errorf("six is not listed as closed:\n%s", body)
	}
}
