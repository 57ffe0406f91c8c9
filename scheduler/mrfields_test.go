package scheduler_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/pinwheel-dev/pinwheel/gitlabversion"
)

// New merge requests get the configured reviewers and assignees; an
// unknown username is listed under Errors and the rest still apply.
// Usernames are asked of GitLab once per process.
func TestReviewersAndAssigneesOnNewMRs(t *testing.T) {
	e := newEnv(t, unlimited+"    reviewers: [Alice, ghost]\n    assignees: [bob]\n")
	alice, _ := e.gl.AddUser("alice")
	bob, _ := e.gl.AddUser("bob")
	e.clock.Set(saturday)
	r, db := e.runner(false)
	defer db.Close()
	for range 2 {
		if rep, err := r.RunProject(context.Background(), project); err != nil {
			t.Fatalf("run: %v", err)
		} else if rep.Problems != 1 {
			t.Errorf("%d problems, want 1 (the unknown reviewer)", rep.Problems)
		}
	}
	open := e.openMRs()
	if len(open) != len(allBranches) {
		t.Fatalf("%d MRs open, want %d", len(open), len(allBranches))
	}
	for branch, mr := range open {
		if !slices.Equal(mr.ReviewerIDs, []int{alice.ID}) || !slices.Equal(mr.AssigneeIDs, []int{bob.ID}) {
			t.Errorf("%s: reviewers %v assignees %v, want [%d] and [%d]", branch, mr.ReviewerIDs, mr.AssigneeIDs, alice.ID, bob.ID)
		}
	}
	errs := section(e.dashboard().Description, "Errors")
	if !strings.Contains(errs, "no such GitLab user: ghost") || !strings.Contains(errs, "reviewers") {
		t.Errorf("Errors section does not name the unknown reviewer:\n%s", errs)
	}
	if n := e.gl.Stats().ByEndpoint["GET /users"]; n != 3 {
		t.Errorf("GET /users sent %d times over two runs, want 3 (once per username)", n)
	}
}

// A failed user look-up fails the run before any merge request is
// opened without its people; the next run opens them with them.
func TestUserLookupFailureOpensNothing(t *testing.T) {
	e := newEnv(t, unlimited+"    reviewers: [alice]\n")
	alice, _ := e.gl.AddUser("alice")
	e.clock.Set(saturday)
	e.gl.FailNext(6, 500, "GET /users")
	if rep := e.run(); rep.Err == nil {
		t.Fatal("run with GitLab's /users failing succeeded")
	}
	if n := len(e.openMRs()); n != 0 {
		t.Fatalf("%d MRs opened without their reviewer", n)
	}
	e.mustRun()
	for branch, mr := range e.openMRs() {
		if !slices.Equal(mr.ReviewerIDs, []int{alice.ID}) {
			t.Errorf("%s: reviewers %v", branch, mr.ReviewerIDs)
		}
	}
}

// Auto-merge uses auto_merge from GitLab 17.11 and
// merge_when_pipeline_succeeds before, asking the version once.
func TestAutoMergeParameterByGitLabVersion(t *testing.T) {
	for _, tt := range []struct{ version, param string }{
		{"17.10.2-ee", gitlabversion.ParamMergeWhenPipelineSucceeds},
		{"17.11.0-ee", gitlabversion.ParamAutoMerge},
		{"18.4.1", gitlabversion.ParamAutoMerge},
	} {
		t.Run(tt.version, func(t *testing.T) {
			e := newEnv(t, unlimited+"    automerge: [minor]\n")
			e.gl.SetVersion(tt.version)
			e.clock.Set(saturday)
			e.mustRun()
			n := 0
			for branch, mr := range e.openMRs() {
				if branch == brCertifi { // major: not automerged
					if len(mr.AutoMergeParams) != 0 {
						t.Errorf("certifi: auto-merge asked with %v", mr.AutoMergeParams)
					}
					continue
				}
				n++
				if !slices.Equal(mr.AutoMergeParams, []string{tt.param}) || !mr.AutoMerge {
					t.Errorf("%s: sent %v, auto-merge %v; want only %s", branch, mr.AutoMergeParams, mr.AutoMerge, tt.param)
				}
			}
			if n == 0 {
				t.Fatal("no merge request to automerge")
			}
			if got := e.gl.Stats().ByEndpoint["GET /version"]; got != 1 {
				t.Errorf("GET /version sent %d times, want 1", got)
			}
		})
	}
}

// The first run with reviewers, assignees and automerge, interrupted at
// every call (GET /users and GET /version among them), converges on the
// same merge requests, each with its people and its auto-merge.
func TestInterruptMRFieldsAtEveryCall(t *testing.T) {
	interruptEveryCall(t, func(t *testing.T) *env {
		e := newEnv(t, unlimited+"    reviewers: [alice]\n    assignees: [bob]\n    automerge: [minor, patch]\n")
		e.gl.AddUser("alice")
		e.gl.AddUser("bob")
		e.clock.Set(saturday)
		return e
	})
}

// A run that catches up on auto-merge never sets it on a head a person
// pushed: GitLab turned it off with the push, and it stays off.
func TestAutoMergeNotSetOnAPersonsPush(t *testing.T) {
	e := newEnv(t, unlimited+"    automerge: [minor]\n")
	e.clock.Set(saturday)
	e.mustRun()
	if !e.mrFor(brIdna).AutoMerge {
		t.Fatal("idna's MR not set to auto-merge")
	}
	e.gl.Commit(e.proj, brIdna, "Pin idna for the tests", map[string]string{"tests.txt": "x\n"})
	if e.mrFor(brIdna).AutoMerge {
		t.Fatal("the simulator kept auto-merge over a new push")
	}
	e.gl.ResetStats()
	e.step(t, "after the push")
	if mr := e.mrFor(brIdna); mr.AutoMerge {
		t.Errorf("auto-merge set again on a person's head (params %v)", mr.AutoMergeParams)
	}
	if n := e.gl.Stats().ByEndpoint["PUT /projects/:id/merge_requests/:iid/merge"]; n != 0 {
		t.Errorf("%d merge requests asked to auto-merge in a quiet run", n)
	}
}

// A run that could not ask for auto-merge asks on the next run; when
// GitLab refuses then (the pipeline failed: 405), that is no error, and
// later runs do not ask again for the same head.
func TestAutoMergeCatchUpAfterFailedAsk(t *testing.T) {
	e := newEnv(t, unlimited+"    automerge: [minor]\n")
	e.clock.Set(saturday)
	e.gl.FailNext(6, 500, "PUT /projects/:id/merge_requests/:iid/merge")
	if rep := e.run(); rep.Err == nil {
		t.Fatal("run with PUT .../merge failing succeeded")
	}
	req := e.mrFor(brRequests) // opened, then the run stopped
	if req.AutoMerge {
		t.Fatal("auto-merge set although GitLab failed")
	}
	e.gl.SetPipelineStatus(e.proj, req.SHA(), "failed")
	e.step(t, "catch up")
	if req = e.mrFor(brRequests); len(req.AutoMergeParams) == 0 || req.AutoMerge {
		t.Errorf("requests: asked with %v, auto-merge %v; want asked and refused (failed pipeline)", req.AutoMergeParams, req.AutoMerge)
	}
	if !e.mrFor(brIdna).AutoMerge {
		t.Errorf("idna's new MR not set to auto-merge")
	}
	// ": 405 " is how client-go words the status; a bare "405" would
	// also match the simulator's port (127.0.0.1:34053).
	if errs := section(e.dashboard().Description, "Errors"); strings.Contains(errs, ": 405 ") {
		t.Errorf("GitLab's refusal is listed as an error:\n%s", errs)
	}
	e.gl.ResetStats()
	e.step(t, "quiet")
	if n := e.gl.Stats().ByEndpoint["PUT /projects/:id/merge_requests/:iid/merge"]; n != 0 {
		t.Errorf("a quiet run asked %d times again", n)
	}
}
