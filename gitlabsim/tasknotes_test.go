package gitlabsim_test

import (
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/dashboard"
	"github.com/pinwheel-dev/pinwheel/gitlabsim"
)

// An edit that changes a checklist item, by a person in the UI or by a
// client through the API, gets GitLab's system note, authored by the
// editor; items are paired by position and must keep their text.
func TestChecklistSystemNotes(t *testing.T) {
	f := setup(t)
	body := "# Dashboard\n - [ ] <!-- unschedule-branch=pinwheel/requests-2.x -->Update requests to 2.32.4\n - [ ] <!-- rebase-branch=pinwheel/six-1.x -->six\n"
	is := createIssue(t, f, "Dependency Dashboard", body)
	iid := int(is.IID)

	// root ticks the first box.
	if err := f.sim.EditIssue(f.proj, iid, func(i *gitlabsim.Issue) {
		i.Description = strings.Replace(i.Description, "[ ]", "[x]", 1)
	}); err != nil {
		t.Fatal(err)
	}
	// The client unticks it and changes the second item's text: no note
	// for an item whose text changed.
	ticked, _, err := f.client.Issues.GetIssue(f.proj.ID, is.IID)
	if err != nil {
		t.Fatal(err)
	}
	next := strings.Replace(strings.Replace(ticked.Description, "[x]", "[ ]", 1), "[ ] <!-- rebase-branch=pinwheel/six-1.x -->six", "[x] <!-- rebase-branch=pinwheel/six-1.x -->six 1.17.0", 1)
	if _, _, err := f.client.Issues.UpdateIssue(f.proj.ID, is.IID, &gitlab.UpdateIssueOptions{Description: gitlab.Ptr(next)}); err != nil {
		t.Fatal(err)
	}

	notes, _, err := f.client.Notes.ListIssueNotes(f.proj.ID, is.IID, &gitlab.ListIssueNotesOptions{
		OrderBy: gitlab.Ptr("created_at"), Sort: gitlab.Ptr("asc"),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ author, body string }{
		{"root", `marked the checklist item **unschedule\-branch\=pinwheel/requests\-2\.x Update requests to 2\.32\.4** as completed`},
		{"bot", `marked the checklist item **unschedule\-branch\=pinwheel/requests\-2\.x Update requests to 2\.32\.4** as incomplete`},
	}
	if len(notes) != len(want) {
		t.Fatalf("%d notes, want %d: %+v", len(notes), len(want), notes)
	}
	for i, w := range want {
		n := notes[i]
		if !n.System || n.Author.Username != w.author || n.Body != w.body {
			t.Errorf("note %d = system %v by %s %q\nwant by %s %q", i, n.System, n.Author.Username, n.Body, w.author, w.body)
		}
		if b, _, ok := dashboard.TaskNote(n.Body); !ok || b.Branch != "pinwheel/requests-2.x" {
			t.Errorf("note %d does not read back as the box: %+v %v", i, b, ok)
		}
	}
	got, _, _ := f.client.Issues.GetIssue(f.proj.ID, is.IID)
	if got.UserNotesCount != 0 {
		t.Errorf("user_notes_count = %d, system notes are not user notes", got.UserNotesCount)
	}
}
