package mrbot_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/gitlabversion"
	"github.com/pinwheel-dev/pinwheel/internal/testclock"
	"github.com/pinwheel-dev/pinwheel/mrbot"
)

func TestUsersResolveOnceAndReportUnknown(t *testing.T) {
	f := newFixture(t)
	alice, _ := f.sim.AddUser("Alice")
	bob, _ := f.sim.AddUser("bob")
	users := mrbot.NewUsers(f.gl, nil)
	ctx := context.Background()
	for range 2 {
		ids, err := users.IDs(ctx, []string{"alice", "ghost", "BOB"})
		if !errors.Is(err, mrbot.ErrUnknownUser) || err.Error() != "no such GitLab user: ghost" {
			t.Errorf("err = %v, want the unknown user named", err)
		}
		if !slices.Equal(ids, []int64{int64(alice.ID), int64(bob.ID)}) {
			t.Errorf("ids = %v, want alice's and bob's", ids)
		}
	}
	if n := f.sim.Stats().ByEndpoint["GET /users"]; n != 3 {
		t.Errorf("GET /users sent %d times, want 3 (once per name, ghost included)", n)
	}
	f.sim.FailNext(1, 500, "GET /users")
	if _, err := mrbot.NewUsers(f.gl, nil).IDs(ctx, []string{"alice"}); err == nil || errors.Is(err, mrbot.ErrUnknownUser) {
		t.Errorf("a 500 gave %v, want a look-up error", err)
	}
}

// An unknown username is believed unknown for a day, then asked again: a
// user created meanwhile is found.
func TestUsersRecheckUnknownDaily(t *testing.T) {
	f := newFixture(t)
	clock := testclock.New(time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC))
	users := mrbot.NewUsers(f.gl, clock.Now)
	ctx := context.Background()
	lookups := func() int { return f.sim.Stats().ByEndpoint["GET /users"] }
	if _, err := users.IDs(ctx, []string{"carol"}); !errors.Is(err, mrbot.ErrUnknownUser) {
		t.Fatalf("err = %v, want unknown", err)
	}
	carol, _ := f.sim.AddUser("carol")
	clock.Add(23 * time.Hour)
	if _, err := users.IDs(ctx, []string{"carol"}); !errors.Is(err, mrbot.ErrUnknownUser) || lookups() != 1 {
		t.Errorf("within the day: err = %v, %d look-ups, want still unknown and 1", err, lookups())
	}
	clock.Add(time.Hour)
	ids, err := users.IDs(ctx, []string{"carol"})
	if err != nil || !slices.Equal(ids, []int64{int64(carol.ID)}) || lookups() != 2 {
		t.Errorf("after a day: ids = %v, err = %v, %d look-ups, want carol's after 2", ids, err, lookups())
	}
	clock.Add(48 * time.Hour)
	if _, err := users.IDs(ctx, []string{"carol"}); err != nil || lookups() != 2 {
		t.Errorf("a found user: err = %v, %d look-ups, want asked no more", err, lookups())
	}
}

func TestOpenSetsAssigneesAndReviewers(t *testing.T) {
	f := newFixture(t)
	alice, _ := f.sim.AddUser("alice")
	bob, _ := f.sim.AddUser("bob")
	ctx := context.Background()
	bot := mrbot.New(f.gl, mrbot.Options{Project: "group/app", Target: "main", Fields: mrbot.Fields{
		AssigneeIDs: []int64{int64(alice.ID)}, ReviewerIDs: []int64{int64(bob.ID), int64(alice.ID)},
	}})
	base, _ := f.sim.Branch(f.proj, "main")
	if _, err := bot.Build(ctx, f.build(base)); err != nil {
		t.Fatal(err)
	}
	mr, err := bot.Open(ctx, "pinwheel/requests-2.x", "Update requests to 2.32.4", "desc", nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.sim.MergeRequest(f.proj, int(mr.IID))
	if !slices.Equal(got.AssigneeIDs, []int{alice.ID}) || !slices.Equal(got.ReviewerIDs, []int{bob.ID, alice.ID}) {
		t.Errorf("assignees %v, reviewers %v", got.AssigneeIDs, got.ReviewerIDs)
	}
}

// AutoMerge sends the one parameter the instance reads, and the version
// is asked once per Instance however many merge requests there are.
func TestAutoMergeParameterFollowsVersion(t *testing.T) {
	tests := []struct {
		version string
		param   string
	}{
		{"17.10.4-ee", gitlabversion.ParamMergeWhenPipelineSucceeds},
		{"17.11.0-ee", gitlabversion.ParamAutoMerge},
		{"18.3.2", gitlabversion.ParamAutoMerge},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			f := newFixture(t)
			f.sim.SetVersion(tt.version)
			ctx := context.Background()
			inst := gitlabversion.New(f.gl)
			base, _ := f.sim.Branch(f.proj, "main")
			for _, branch := range []string{"pinwheel/a-1.x", "pinwheel/b-1.x"} {
				bot := mrbot.New(f.gl, mrbot.Options{Project: "group/app", Target: "main", Version: inst})
				b := f.build(base)
				b.Branch = branch
				built, err := bot.Build(ctx, b)
				if err != nil {
					t.Fatal(err)
				}
				f.sim.SetPipelineStatus(f.proj, built.SHA, "running")
				mr, err := bot.Open(ctx, branch, "Update "+branch, "", nil)
				if err != nil {
					t.Fatal(err)
				}
				if err := bot.AutoMerge(ctx, mr.IID, built.SHA); err != nil {
					t.Fatal(err)
				}
				got, _ := f.sim.MergeRequest(f.proj, int(mr.IID))
				if !slices.Equal(got.AutoMergeParams, []string{tt.param}) || !got.AutoMerge || got.State != "opened" {
					t.Errorf("%s: sent %v, auto-merge %v, state %s; want only %s, waiting", branch, got.AutoMergeParams, got.AutoMerge, got.State, tt.param)
				}
			}
			if n := f.sim.Stats().ByEndpoint["GET /version"]; n != 1 {
				t.Errorf("GET /version sent %d times, want 1", n)
			}
		})
	}
}
