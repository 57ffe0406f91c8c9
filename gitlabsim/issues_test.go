package gitlabsim_test

import (
	"net/http"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/gitlabsim"
)

func createIssue(t *testing.T, f *fixture, title, desc string, labels ...string) *gitlab.Issue {
	t.Helper()
	opt := &gitlab.CreateIssueOptions{Title: gitlab.Ptr(title), Description: gitlab.Ptr(desc)}
	if labels != nil {
		opt.Labels = (*gitlab.LabelOptions)(&labels)
	}
	is, resp, err := f.client.Issues.CreateIssue(f.proj.ID, opt)
	if err != nil {
		t.Fatalf("create issue: %v", err)
	}
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("status = %d", resp.StatusCode)
	}
	return is
}

func TestIssueLifecycle(t *testing.T) {
	f := setup(t)
	is := createIssue(t, f, "Dependency Dashboard", " - [ ] <!-- rebase-branch=pinwheel/a -->requests", "pinwheel")
	if is.IID != 1 || is.State != "opened" || is.Author.Username != "bot" || is.TaskCompletionStatus.Count != 1 {
		t.Fatalf("issue = %+v", is)
	}
	// A human ticks the box.
	err := f.sim.EditIssue(f.proj, int(is.IID), func(i *gitlabsim.Issue) {
		i.Description = strings.Replace(i.Description, "[ ]", "[x]", 1)
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := f.client.Issues.GetIssue(f.proj.ID, is.IID)
	if err != nil || !strings.Contains(got.Description, "[x]") || !got.UpdatedAt.After(*is.UpdatedAt) || got.TaskCompletionStatus.CompletedCount != 1 {
		t.Fatalf("after tick: %+v, %v", got, err)
	}

	upd, _, err := f.client.Issues.UpdateIssue(f.proj.ID, is.IID, &gitlab.UpdateIssueOptions{
		Description: gitlab.Ptr("new body"), AddLabels: &gitlab.LabelOptions{"deps"}, RemoveLabels: &gitlab.LabelOptions{"pinwheel"},
	})
	if err != nil || upd.Description != "new body" || strings.Join(upd.Labels, ",") != "deps" {
		t.Fatalf("update = %+v, %v", upd, err)
	}
	upd, _, err = f.client.Issues.UpdateIssue(f.proj.ID, is.IID, &gitlab.UpdateIssueOptions{StateEvent: gitlab.Ptr("close")})
	if err != nil || upd.State != "closed" || upd.ClosedAt == nil {
		t.Fatalf("close = %+v, %v", upd, err)
	}
	_, _, err = f.client.Issues.UpdateIssue(f.proj.ID, is.IID, &gitlab.UpdateIssueOptions{Description: gitlab.Ptr(strings.Repeat("x", 1_048_577))})
	wantAPIError(t, err, http.StatusBadRequest, "is too long (maximum is 1048576 characters)")
}

func TestCreateIssueErrors(t *testing.T) {
	f := setup(t)
	_, _, err := f.client.Issues.CreateIssue(f.proj.ID, &gitlab.CreateIssueOptions{Description: gitlab.Ptr("x")})
	wantAPIError(t, err, http.StatusBadRequest, "{error: title is missing}")
	_, _, err = f.client.Issues.CreateIssue(f.proj.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("x"), Description: gitlab.Ptr(strings.Repeat("x", 1_048_577))})
	wantAPIError(t, err, http.StatusBadRequest, "{description: [is too long (maximum is 1048576 characters)]}")
	// Exactly the limit is fine.
	createIssue(t, f, "big", strings.Repeat("x", 1_048_576))
}

func TestListIssuesFilters(t *testing.T) {
	f := setup(t)
	createIssue(t, f, "Dependency Dashboard", "dashboard body", "pinwheel", "deps")
	createIssue(t, f, "Bug in login", "mentions dashboard", "bug")
	c := createIssue(t, f, "Old dashboard", "", "pinwheel")
	f.sim.CloseIssue(f.proj, int(c.IID))
	other, otherToken := f.sim.AddUser("human")
	humanClient := newClient(t, f.sim, otherToken)
	if _, _, err := humanClient.Issues.CreateIssue(f.proj.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("Dependency Dashboard")}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opt  gitlab.ListProjectIssuesOptions
		want []int64
	}{
		{"default all states newest first", gitlab.ListProjectIssuesOptions{}, []int64{4, 3, 2, 1}},
		{"opened", gitlab.ListProjectIssuesOptions{State: gitlab.Ptr("opened")}, []int64{4, 2, 1}},
		{"labels all must match", gitlab.ListProjectIssuesOptions{Labels: &gitlab.LabelOptions{"pinwheel", "deps"}}, []int64{1}},
		{"label None", gitlab.ListProjectIssuesOptions{Labels: &gitlab.LabelOptions{"None"}}, []int64{4}},
		{"search title only", gitlab.ListProjectIssuesOptions{Search: gitlab.Ptr("dashboard"), In: gitlab.Ptr("title")}, []int64{4, 3, 1}},
		{"search title and description", gitlab.ListProjectIssuesOptions{Search: gitlab.Ptr("dashboard")}, []int64{4, 3, 2, 1}},
		{"author", gitlab.ListProjectIssuesOptions{AuthorID: gitlab.Ptr(int64(other.ID))}, []int64{4}},
		{"scope created_by_me", gitlab.ListProjectIssuesOptions{Scope: gitlab.Ptr("created_by_me"), State: gitlab.Ptr("opened")}, []int64{2, 1}},
		{"iids", gitlab.ListProjectIssuesOptions{IIDs: &[]int64{1, 3}}, []int64{3, 1}},
		{"order by title asc", gitlab.ListProjectIssuesOptions{OrderBy: gitlab.Ptr("title"), Sort: gitlab.Ptr("asc"), State: gitlab.Ptr("opened")}, []int64{2, 1, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			issues, _, err := f.client.Issues.ListProjectIssues(f.proj.ID, &tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, is := range issues {
				got = append(got, is.IID)
			}
			if !equalInts(got, tt.want) {
				t.Fatalf("iids = %v, want %v", got, tt.want)
			}
		})
	}
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestIssueNotes(t *testing.T) {
	f := setup(t)
	is := createIssue(t, f, "x", "")
	n, resp, err := f.client.Notes.CreateIssueNote(f.proj.ID, is.IID, &gitlab.CreateIssueNoteOptions{Body: gitlab.Ptr("hello")})
	if err != nil || resp.StatusCode != http.StatusCreated || n.Body != "hello" || n.NoteableIID != is.IID {
		t.Fatalf("note = %+v, %v", n, err)
	}
	notes, _, err := f.client.Notes.ListIssueNotes(f.proj.ID, is.IID, nil)
	if err != nil || len(notes) != 1 {
		t.Fatalf("notes = %v, %v", notes, err)
	}
	if got := f.sim.IssueNotes(f.proj, int(is.IID)); len(got) != 1 || got[0].Body != "hello" {
		t.Fatalf("sim notes = %+v", got)
	}
	_, _, err = f.client.Notes.CreateIssueNote(f.proj.ID, is.IID, &gitlab.CreateIssueNoteOptions{Body: gitlab.Ptr(strings.Repeat("x", 1_000_001))})
	wantAPIError(t, err, http.StatusBadRequest, "is too long (maximum is 1000000 characters)")
}

func TestLabels(t *testing.T) {
	f := setup(t)
	l, resp, err := f.client.Labels.CreateLabel(f.proj.ID, &gitlab.CreateLabelOptions{Name: gitlab.Ptr("dependencies"), Color: gitlab.Ptr("#428BCA")})
	if err != nil || resp.StatusCode != http.StatusCreated || l.Name != "dependencies" || l.Color != "#428BCA" {
		t.Fatalf("label = %+v, %v", l, err)
	}
	_, _, err = f.client.Labels.CreateLabel(f.proj.ID, &gitlab.CreateLabelOptions{Name: gitlab.Ptr("dependencies"), Color: gitlab.Ptr("#000000")})
	wantAPIError(t, err, http.StatusConflict, "{message: Label already exists}")
	_, _, err = f.client.Labels.CreateLabel(f.proj.ID, &gitlab.CreateLabelOptions{Name: gitlab.Ptr("x")})
	wantAPIError(t, err, http.StatusBadRequest, "{error: color is missing}")

	// Assigning an unknown label creates it.
	createIssue(t, f, "x", "", "security")
	labels, _, err := f.client.Labels.ListLabels(f.proj.ID, nil)
	if err != nil || len(labels) != 2 || labels[0].Name != "dependencies" || labels[1].Name != "security" || labels[1].OpenIssuesCount != 1 {
		t.Fatalf("labels = %+v, %v", labels, err)
	}
}
