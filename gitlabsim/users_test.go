package gitlabsim_test

import (
	"errors"
	"slices"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

func TestListUsersByUsername(t *testing.T) {
	f := setup(t)
	alice, _ := f.sim.AddUser("Alice")
	f.sim.AddUser("alicia")
	tests := []struct {
		username string
		want     []int
	}{
		{"Alice", []int{alice.ID}},
		{"ALICE", []int{alice.ID}}, // usernames are case-insensitive
		{"ali", nil},               // exact, not a search
		{"nobody", nil},            // 200 and [], not 404
	}
	for _, tt := range tests {
		users, resp, err := f.client.Users.ListUsers(&gitlab.ListUsersOptions{Username: gitlab.Ptr(tt.username)})
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: %v", tt.username, err)
		}
		var got []int
		for _, u := range users {
			got = append(got, int(u.ID))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("username=%s: ids %v, want %v", tt.username, got, tt.want)
		}
	}
	if _, _, err := f.client.Users.GetUser(9999, nil); !errors.Is(err, gitlab.ErrNotFound) {
		t.Errorf("GET /users/9999: %v, want 404", err)
	}
	if u, _, err := f.client.Users.GetUser(int64(alice.ID), nil); err != nil || u.Username != "Alice" {
		t.Errorf("GET /users/%d: %+v, %v", alice.ID, u, err)
	}
}

func TestMRAssigneesAndReviewers(t *testing.T) {
	f := setup(t)
	alice, _ := f.sim.AddUser("alice")
	bob, _ := f.sim.AddUser("bob")
	f.sim.Commit(f.proj, "pinwheel/a", "Update a", map[string]string{"a": "a"})
	mr, _, err := f.client.MergeRequests.CreateMergeRequest(f.proj.ID, &gitlab.CreateMergeRequestOptions{
		SourceBranch: gitlab.Ptr("pinwheel/a"), TargetBranch: gitlab.Ptr("main"), Title: gitlab.Ptr("Update a"),
		AssigneeIDs: gitlab.Ptr([]int64{int64(alice.ID), 4242}), // an unknown id is dropped, not an error
		ReviewerIDs: gitlab.Ptr([]int64{int64(bob.ID), int64(alice.ID)}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(mr.Assignees) != 1 || mr.Assignees[0].Username != "alice" || mr.Assignee == nil || mr.Assignee.ID != int64(alice.ID) {
		t.Errorf("assignees %+v, assignee %+v", mr.Assignees, mr.Assignee)
	}
	if len(mr.Reviewers) != 2 || mr.Reviewers[0].Username != "bob" {
		t.Errorf("reviewers %+v", mr.Reviewers)
	}
	got, _ := f.sim.MergeRequest(f.proj, int(mr.IID))
	if !slices.Equal(got.AssigneeIDs, []int{alice.ID}) || !slices.Equal(got.ReviewerIDs, []int{bob.ID, alice.ID}) {
		t.Errorf("recorded assignees %v, reviewers %v", got.AssigneeIDs, got.ReviewerIDs)
	}
}
