package gitlabsim_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/gitlabsim"
)

// openMR pushes a change to branch and opens an MR from it into main.
func openMR(t *testing.T, f *fixture, branch string, files map[string]string) *gitlab.MergeRequest {
	t.Helper()
	f.sim.Commit(f.proj, branch, "Update "+branch, files)
	mr, resp, err := f.client.MergeRequests.CreateMergeRequest(f.proj.ID, &gitlab.CreateMergeRequestOptions{
		SourceBranch: gitlab.Ptr(branch), TargetBranch: gitlab.Ptr("main"),
		Title: gitlab.Ptr("Update " + branch), Labels: &gitlab.LabelOptions{"dependencies"},
	})
	if err != nil {
		t.Fatalf("create MR: %v", err)
	}
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("status = %d", resp.StatusCode)
	}
	return mr
}

func TestCreateAndGetMR(t *testing.T) {
	f := setup(t)
	mr := openMR(t, f, "pinwheel/requests-2.x", map[string]string{"constraints.txt": "requests==2.32.4\n"})
	head, _ := f.sim.Branch(f.proj, "pinwheel/requests-2.x")
	got, _, err := f.client.MergeRequests.GetMergeRequest(f.proj.ID, mr.IID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.IID != 1 || got.State != "opened" || got.SHA != head || got.DetailedMergeStatus != "mergeable" || got.HasConflicts {
		t.Fatalf("MR = %+v", got.BasicMergeRequest)
	}
	if got.HeadPipeline == nil || got.HeadPipeline.SHA != head || got.HeadPipeline.Status != "pending" {
		t.Fatalf("head_pipeline = %+v", got.HeadPipeline)
	}
	if len(got.Labels) != 1 || got.Labels[0] != "dependencies" || !strings.HasSuffix(got.WebURL, "/pinwheel/app/-/merge_requests/1") {
		t.Fatalf("labels %v web_url %s", got.Labels, got.WebURL)
	}
	if got.Author == nil || got.Author.Username != "bot" {
		t.Fatalf("author = %+v", got.Author)
	}
}

func TestCreateMRErrors(t *testing.T) {
	f := setup(t)
	mr := openMR(t, f, "pinwheel/a", map[string]string{"a": "a"})
	tests := []struct {
		name    string
		opt     gitlab.CreateMergeRequestOptions
		status  int
		message string
	}{
		{"duplicate open MR", gitlab.CreateMergeRequestOptions{SourceBranch: gitlab.Ptr("pinwheel/a"), TargetBranch: gitlab.Ptr("main"), Title: gitlab.Ptr("again")},
			http.StatusConflict, "[Another open merge request already exists for this source branch: !" + itoa64(mr.IID) + "]"},
		{"source is target", gitlab.CreateMergeRequestOptions{SourceBranch: gitlab.Ptr("main"), TargetBranch: gitlab.Ptr("main"), Title: gitlab.Ptr("x")},
			http.StatusUnprocessableEntity, "You can't use same project/branch for source and target"},
		{"missing title", gitlab.CreateMergeRequestOptions{SourceBranch: gitlab.Ptr("pinwheel/a"), TargetBranch: gitlab.Ptr("main")},
			http.StatusBadRequest, "{error: title is missing}"},
		{"description too long", gitlab.CreateMergeRequestOptions{SourceBranch: gitlab.Ptr("pinwheel/a"), TargetBranch: gitlab.Ptr("main"), Title: gitlab.Ptr("x"), Description: gitlab.Ptr(strings.Repeat("x", 1_048_577))},
			http.StatusBadRequest, "{description: [is too long (maximum is 1048576 characters)]}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := f.client.MergeRequests.CreateMergeRequest(f.proj.ID, &tt.opt)
			wantAPIError(t, err, tt.status, tt.message)
		})
	}
}

func TestListMRsFilters(t *testing.T) {
	f := setup(t)
	openMR(t, f, "pinwheel/a", map[string]string{"a": "a"})
	b := openMR(t, f, "pinwheel/b", map[string]string{"b": "b"})
	if err := f.sim.CloseMR(f.proj, int(b.IID)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opt  gitlab.ListProjectMergeRequestsOptions
		want []string
	}{
		{"opened", gitlab.ListProjectMergeRequestsOptions{State: gitlab.Ptr("opened")}, []string{"pinwheel/a"}},
		{"all newest first", gitlab.ListProjectMergeRequestsOptions{State: gitlab.Ptr("all")}, []string{"pinwheel/b", "pinwheel/a"}},
		{"by source", gitlab.ListProjectMergeRequestsOptions{SourceBranch: gitlab.Ptr("pinwheel/b")}, []string{"pinwheel/b"}},
		{"by label", gitlab.ListProjectMergeRequestsOptions{Labels: &gitlab.LabelOptions{"dependencies"}, Sort: gitlab.Ptr("asc")}, []string{"pinwheel/a", "pinwheel/b"}},
		{"by missing label", gitlab.ListProjectMergeRequestsOptions{Labels: &gitlab.LabelOptions{"dependencies", "other"}}, nil},
		{"search", gitlab.ListProjectMergeRequestsOptions{Search: gitlab.Ptr("update pinwheel/a")}, []string{"pinwheel/a"}},
		{"by author", gitlab.ListProjectMergeRequestsOptions{AuthorID: gitlab.Ptr(int64(f.user.ID)), State: gitlab.Ptr("closed")}, []string{"pinwheel/b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mrs, _, err := f.client.MergeRequests.ListProjectMergeRequests(f.proj.ID, &tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, mr := range mrs {
				got = append(got, mr.SourceBranch)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestUpdateMR(t *testing.T) {
	f := setup(t)
	mr := openMR(t, f, "pinwheel/a", map[string]string{"a": "a"})
	got, _, err := f.client.MergeRequests.UpdateMergeRequest(f.proj.ID, mr.IID, &gitlab.UpdateMergeRequestOptions{
		Title: gitlab.Ptr("New title"), Description: gitlab.Ptr("body"), AddLabels: &gitlab.LabelOptions{"major"}, StateEvent: gitlab.Ptr("close"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "New title" || got.Description != "body" || got.State != "closed" || strings.Join(got.Labels, ",") != "dependencies,major" {
		t.Fatalf("updated = %+v", got.BasicMergeRequest)
	}
	got, _, err = f.client.MergeRequests.UpdateMergeRequest(f.proj.ID, mr.IID, &gitlab.UpdateMergeRequestOptions{StateEvent: gitlab.Ptr("reopen")})
	if err != nil || got.State != "opened" {
		t.Fatalf("reopen = %v, %v", got.State, err)
	}
}

func TestMRConflictDetection(t *testing.T) {
	f := setup(t)
	clean := openMR(t, f, "pinwheel/clean", map[string]string{"other.txt": "x\n"})
	clash := openMR(t, f, "pinwheel/clash", map[string]string{"constraints.txt": "requests==2.32.4\nurllib3==2.2.1\n"})
	// main changes the same file differently after the branches forked.
	f.sim.Commit(f.proj, "main", "hand edit", map[string]string{"constraints.txt": "requests==2.31.0\nurllib3==2.2.1\n"})

	for _, tt := range []struct {
		iid      int64
		status   string
		conflict bool
	}{{clean.IID, "mergeable", false}, {clash.IID, "conflict", true}} {
		got, _, err := f.client.MergeRequests.GetMergeRequest(f.proj.ID, tt.iid, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got.DetailedMergeStatus != tt.status || got.HasConflicts != tt.conflict {
			t.Fatalf("!%d: detailed_merge_status=%s has_conflicts=%v, want %s %v", tt.iid, got.DetailedMergeStatus, got.HasConflicts, tt.status, tt.conflict)
		}
	}
	_, _, err := f.client.MergeRequests.AcceptMergeRequest(f.proj.ID, clash.IID, nil)
	wantAPIError(t, err, http.StatusUnprocessableEntity, "Branch cannot be merged")
	if _, err := f.sim.MergeMR(f.proj, int(clash.IID)); err == nil {
		t.Fatal("human merge of a conflicting MR succeeded")
	}
}

func TestAcceptMRProducesMergeCommit(t *testing.T) {
	f := setup(t)
	mr := openMR(t, f, "pinwheel/requests-2.x", map[string]string{"constraints.txt": "requests==2.32.4\nurllib3==2.2.1\n"})
	f.sim.Commit(f.proj, "main", "docs", map[string]string{"README.md": "# docs\n"})
	mainBefore, _ := f.sim.Branch(f.proj, "main")
	src, _ := f.sim.Branch(f.proj, "pinwheel/requests-2.x")

	_, _, err := f.client.MergeRequests.AcceptMergeRequest(f.proj.ID, mr.IID, &gitlab.AcceptMergeRequestOptions{SHA: gitlab.Ptr(mainBefore)})
	wantAPIError(t, err, http.StatusConflict, "SHA does not match HEAD of source branch: "+src)

	got, _, err := f.client.MergeRequests.AcceptMergeRequest(f.proj.ID, mr.IID, &gitlab.AcceptMergeRequestOptions{SHA: gitlab.Ptr(src), ShouldRemoveSourceBranch: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	mainAfter, _ := f.sim.Branch(f.proj, "main")
	if got.State != "merged" || got.MergeCommitSHA != mainAfter {
		t.Fatalf("merged MR = state %s merge_commit_sha %s (main %s)", got.State, got.MergeCommitSHA, mainAfter)
	}
	merge := f.sim.Commits(f.proj, "main")[0]
	if len(merge.Parents) != 2 || merge.Parents[0] != mainBefore || merge.Parents[1] != src {
		t.Fatalf("merge parents = %v", merge.Parents)
	}
	files := merge.Files()
	if string(files["constraints.txt"]) != "requests==2.32.4\nurllib3==2.2.1\n" || string(files["README.md"]) != "# docs\n" {
		t.Fatalf("merged tree = %q", files)
	}
	if _, ok := f.sim.Branch(f.proj, "pinwheel/requests-2.x"); ok {
		t.Fatal("source branch not removed")
	}
	_, _, err = f.client.MergeRequests.AcceptMergeRequest(f.proj.ID, mr.IID, nil)
	wantAPIError(t, err, http.StatusMethodNotAllowed, "405 Method Not Allowed")
}

func TestFastForwardMerge(t *testing.T) {
	f := setup(t)
	f.sim.UpdateProject(f.proj, func(p *gitlabsim.Project) { p.MergeMethod = "ff" })
	mr := openMR(t, f, "pinwheel/a", map[string]string{"a": "a"})
	src, _ := f.sim.Branch(f.proj, "pinwheel/a")
	if head, err := f.sim.MergeMR(f.proj, int(mr.IID)); err != nil || head != src {
		t.Fatalf("ff merge = %s, %v; want %s", head, err, src)
	}
}

func TestAutoMerge(t *testing.T) {
	f := setup(t)
	mr := openMR(t, f, "pinwheel/a", map[string]string{"a": "a"})
	src, _ := f.sim.Branch(f.proj, "pinwheel/a")
	got, _, err := f.client.MergeRequests.AcceptMergeRequest(f.proj.ID, mr.IID, &gitlab.AcceptMergeRequestOptions{AutoMerge: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	if got.State != "opened" || !got.MergeWhenPipelineSucceeds {
		t.Fatalf("auto-merge not set: state %s mwps %v", got.State, got.MergeWhenPipelineSucceeds)
	}
	f.sim.SetPipelineStatus(f.proj, src, "success")
	after, ok := f.sim.MergeRequest(f.proj, int(mr.IID))
	if !ok || after.State != "merged" {
		t.Fatalf("MR state after green pipeline = %s", after.State)
	}
	if b, _ := f.sim.File(f.proj, "main", "a"); string(b) != "a" {
		t.Fatal("auto-merge did not bring the change into main")
	}
}

// TestAutoMergeWaitsThroughFailure: a failed pipeline leaves auto-merge
// set, so a retry that succeeds merges; setting auto-merge on a failed
// head is refused.
func TestAutoMergeWaitsThroughFailure(t *testing.T) {
	f := setup(t)
	mr := openMR(t, f, "pinwheel/a", map[string]string{"a": "a"})
	src, _ := f.sim.Branch(f.proj, "pinwheel/a")
	if _, _, err := f.client.MergeRequests.AcceptMergeRequest(f.proj.ID, mr.IID, &gitlab.AcceptMergeRequestOptions{MergeWhenPipelineSucceeds: gitlab.Ptr(true)}); err != nil {
		t.Fatal(err)
	}
	f.sim.SetPipelineStatus(f.proj, src, "failed")
	got, _ := f.sim.MergeRequest(f.proj, int(mr.IID))
	if got.State != "opened" || !got.AutoMerge {
		t.Fatalf("after failure: state %s auto-merge %v; want opened, still set", got.State, got.AutoMerge)
	}
	_, _, err := f.client.MergeRequests.AcceptMergeRequest(f.proj.ID, mr.IID, &gitlab.AcceptMergeRequestOptions{AutoMerge: gitlab.Ptr(true)})
	wantAPIError(t, err, http.StatusMethodNotAllowed, "")
	f.sim.SetPipelineStatus(f.proj, src, "success") // the retried jobs pass
	if got, _ := f.sim.MergeRequest(f.proj, int(mr.IID)); got.State != "merged" {
		t.Fatalf("after the retry succeeded: state %s, want merged", got.State)
	}
}

func TestAutoMergeWithoutPipelineMergesAtOnce(t *testing.T) {
	f := setup(t)
	f.sim.UpdateProject(f.proj, func(p *gitlabsim.Project) { p.CI = false })
	mr := openMR(t, f, "pinwheel/a", map[string]string{"a": "a"})
	got, _, err := f.client.MergeRequests.AcceptMergeRequest(f.proj.ID, mr.IID, &gitlab.AcceptMergeRequestOptions{AutoMerge: gitlab.Ptr(true)})
	if err != nil || got.State != "merged" {
		t.Fatalf("state = %v, %v", got, err)
	}
}

func TestOnlyMergeIfPipelineSucceeds(t *testing.T) {
	f := setup(t)
	f.sim.UpdateProject(f.proj, func(p *gitlabsim.Project) { p.OnlyAllowMergeIfPipelineSucceeds = true })
	mr := openMR(t, f, "pinwheel/a", map[string]string{"a": "a"})
	got, _, _ := f.client.MergeRequests.GetMergeRequest(f.proj.ID, mr.IID, nil)
	if got.DetailedMergeStatus != "ci_still_running" {
		t.Fatalf("detailed_merge_status = %s", got.DetailedMergeStatus)
	}
	_, _, err := f.client.MergeRequests.AcceptMergeRequest(f.proj.ID, mr.IID, nil)
	wantAPIError(t, err, http.StatusMethodNotAllowed, "405 Method Not Allowed")
}

func TestMRNotes(t *testing.T) {
	f := setup(t)
	mr := openMR(t, f, "pinwheel/a", map[string]string{"a": "a"})
	for _, body := range []string{"first", "second"} {
		n, _, err := f.client.Notes.CreateMergeRequestNote(f.proj.ID, mr.IID, &gitlab.CreateMergeRequestNoteOptions{Body: gitlab.Ptr(body)})
		if err != nil || n.Body != body || n.NoteableType != "MergeRequest" {
			t.Fatalf("note = %+v, %v", n, err)
		}
	}
	notes, _, err := f.client.Notes.ListMergeRequestNotes(f.proj.ID, mr.IID, nil)
	if err != nil || len(notes) != 2 || notes[0].Body != "second" {
		t.Fatalf("notes (newest first) = %v, %v", notes, err)
	}
	_, _, err = f.client.Notes.CreateMergeRequestNote(f.proj.ID, mr.IID, &gitlab.CreateMergeRequestNoteOptions{})
	wantAPIError(t, err, http.StatusBadRequest, "{error: body is missing}")
}

func TestListMRsUpdatedWindow(t *testing.T) {
	f := setup(t)
	a := openMR(t, f, "pinwheel/a", map[string]string{"a": "a"})
	cut := f.clock.t
	b := openMR(t, f, "pinwheel/b", map[string]string{"b": "b"})
	tests := []struct {
		name string
		opt  gitlab.ListProjectMergeRequestsOptions
		want []int64
	}{
		{"updated_after is inclusive", gitlab.ListProjectMergeRequestsOptions{UpdatedAfter: gitlab.Ptr(b.UpdatedAt.Add(0))}, []int64{b.IID}},
		{"updated_before", gitlab.ListProjectMergeRequestsOptions{UpdatedBefore: gitlab.Ptr(cut)}, []int64{a.IID}},
		{"created window", gitlab.ListProjectMergeRequestsOptions{CreatedAfter: gitlab.Ptr(cut.Add(time.Second))}, []int64{b.IID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mrs, _, err := f.client.MergeRequests.ListProjectMergeRequests(f.proj.ID, &tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, mr := range mrs {
				got = append(got, mr.IID)
			}
			if !equalInts(got, tt.want) {
				t.Fatalf("iids = %v, want %v", got, tt.want)
			}
		})
	}
	code, _, body := raw(t, f, "GET", "/projects/1/merge_requests?updated_after=yesterday", "", "")
	if code != http.StatusBadRequest || body != `{"error":"updated_after is invalid"}` {
		t.Fatalf("bad updated_after: %d %s", code, body)
	}
}

// user_notes_count counts notes by people only, as GitLab's does: the
// system note a ticked checklist box writes is listed but not counted.
func TestMRUserNotesCountLeavesOutSystemNotes(t *testing.T) {
	f := setup(t)
	mr := openMR(t, f, "pinwheel/a", map[string]string{"a": "a"})
	if _, _, err := f.client.MergeRequests.UpdateMergeRequest(f.proj.ID, mr.IID, &gitlab.UpdateMergeRequestOptions{Description: gitlab.Ptr("- [ ] rebase")}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.client.Notes.CreateMergeRequestNote(f.proj.ID, mr.IID, &gitlab.CreateMergeRequestNoteOptions{Body: gitlab.Ptr("hi")}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.client.MergeRequests.UpdateMergeRequest(f.proj.ID, mr.IID, &gitlab.UpdateMergeRequestOptions{Description: gitlab.Ptr("- [x] rebase")}); err != nil {
		t.Fatal(err)
	}
	notes, _, err := f.client.Notes.ListMergeRequestNotes(f.proj.ID, mr.IID, nil)
	if err != nil || len(notes) != 2 || !notes[0].System {
		t.Fatalf("notes = %v, %v; want the user's and a system note", notes, err)
	}
	for _, get := range []string{"list", "get"} {
		var count int64
		if get == "list" {
			list, _, err := f.client.MergeRequests.ListProjectMergeRequests(f.proj.ID, nil)
			if err != nil || len(list) != 1 {
				t.Fatalf("list = %v, %v", list, err)
			}
			count = list[0].UserNotesCount
		} else {
			got, _, err := f.client.MergeRequests.GetMergeRequest(f.proj.ID, mr.IID, nil)
			if err != nil {
				t.Fatal(err)
			}
			count = got.UserNotesCount
		}
		if count != 1 {
			t.Errorf("%s: user_notes_count = %d, want 1", get, count)
		}
	}
}
