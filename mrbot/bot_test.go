package mrbot_test

import (
	"context"
	"errors"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/gitlabsim"
	"github.com/pinwheel-dev/pinwheel/mrbot"
)

type fixture struct {
	sim  *gitlabsim.Server
	proj *gitlabsim.Project
	gl   *gitlab.Client
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	sim := gitlabsim.New(gitlabsim.Options{Clock: func() time.Time { return now }})
	t.Cleanup(sim.Close)
	_, token := sim.AddUser("pinwheel")
	proj := sim.CreateProject("group/app", "main")
	sim.Commit(proj, "main", "Initial", map[string]string{"constraints.txt": "requests==2.31.0\n"})
	gl, err := gitlab.NewClient(token, gitlab.WithBaseURL(sim.URL()), gitlab.WithoutRetries())
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{sim: sim, proj: proj, gl: gl}
}

func (f *fixture) build(base string) mrbot.Build {
	return mrbot.Build{
		Branch: "pinwheel/requests-2.x", Message: "Update requests to 2.32.4", Base: base,
		Files: []mrbot.File{
			{Path: "constraints.txt", Content: []byte("requests==2.32.4\n"), OnTarget: true},
			{Path: "pipeline/constraints.yml", Content: []byte("requests: \"2.32.4\"\n")},
		},
	}
}

// Build writes one commit on the base and skips it when the branch is
// already that; a moved target makes it rebuild.
func TestBuildIdempotent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	bot := mrbot.New(f.gl, mrbot.Options{Project: "group/app", Target: "main"})
	base, _ := f.sim.Branch(f.proj, "main")

	first, err := bot.Build(ctx, f.build(base))
	if err != nil || !first.Wrote || first.SHA == "" {
		t.Fatalf("first build: %+v, %v", first, err)
	}
	f.sim.ResetStats()
	again, err := bot.Build(ctx, f.build(base))
	if err != nil || again.Wrote || again.SHA != first.SHA {
		t.Fatalf("second build: %+v, %v", again, err)
	}
	if w := f.sim.Stats().Writes; w != 0 {
		t.Errorf("second build wrote %d times", w)
	}
	known := f.build(base)
	known.Known = first.SHA
	f.sim.ResetStats()
	if b, err := bot.Build(ctx, known); err != nil || b.Wrote || f.sim.Stats().Requests != 1 {
		t.Errorf("build with Known: %+v %v, %d requests", b, err, f.sim.Stats().Requests)
	}

	newBase := f.sim.Commit(f.proj, "main", "Docs", map[string]string{"README": "x\n"})
	moved, err := bot.Build(ctx, f.build(newBase))
	if err != nil || !moved.Wrote {
		t.Fatalf("build on a moved target: %+v, %v", moved, err)
	}
	commits := f.sim.Commits(f.proj, moved.SHA)
	if commits[0].Parents[0] != newBase {
		t.Errorf("rebuilt branch is not on the new base")
	}
	if len(commits) != 3 {
		t.Errorf("branch has %d commits, want the target's 2 and its own 1", len(commits))
	}
}

// Open adopts the open MR GitLab already has for the branch; NoteClosed
// posts once.
func TestOpenAdoptsAndNoteOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	bot := mrbot.New(f.gl, mrbot.Options{Project: "group/app", Target: "main"})
	base, _ := f.sim.Branch(f.proj, "main")
	if _, err := bot.Build(ctx, f.build(base)); err != nil {
		t.Fatal(err)
	}
	a, err := bot.Open(ctx, "pinwheel/requests-2.x", "Update requests to 2.32.4", "d", []string{"dependencies"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := bot.Open(ctx, "pinwheel/requests-2.x", "Update requests to 2.32.4", "d", nil)
	if err != nil || b.IID != a.IID {
		t.Fatalf("second Open: %+v %v, first !%d", b, err, a.IID)
	}
	if n := len(f.sim.MergeRequests(f.proj)); n != 1 {
		t.Errorf("%d MRs", n)
	}
	f.sim.CloseMR(f.proj, int(a.IID))
	for range 2 {
		if err := bot.NoteClosed(ctx, a.IID, "requests", "2.32.4"); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(f.sim.MRNotes(f.proj, int(a.IID))); n != 1 {
		t.Errorf("%d notes", n)
	}
	if err := bot.AutoMerge(ctx, 999, ""); err == nil {
		t.Errorf("AutoMerge on a missing MR did not fail")
	}
}

// A dry run reports and sends no write.
func TestDryRunWritesNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var actions []string
	bot := mrbot.New(f.gl, mrbot.Options{Project: "group/app", Target: "main", DryRun: true,
		Action: func(s string) { actions = append(actions, s) }})
	base, _ := f.sim.Branch(f.proj, "main")
	f.sim.ResetStats()
	if _, err := bot.Build(ctx, f.build(base)); err != nil {
		t.Fatal(err)
	}
	if _, err := bot.Open(ctx, "pinwheel/requests-2.x", "t", "d", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := bot.Update(ctx, 1, "t", "d"); err != nil {
		t.Fatal(err)
	}
	if err := bot.AutoMerge(ctx, 1, ""); err != nil {
		t.Fatal(err)
	}
	st := f.sim.Stats()
	if st.Writes != 0 || len(actions) != 4 {
		t.Errorf("writes %d, actions %q", st.Writes, actions)
	}
}

// Close notes why, closes and retitles the merge request and deletes its
// branch, unless the branch's head is someone else's commit; run again
// (an interrupted run's successor) it writes nothing new.
func TestCloseObsolete(t *testing.T) {
	for _, tc := range []struct {
		name   string
		pushed bool
	}{{"pinwheel's branch", false}, {"a person's commit on it", true}} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			bot := mrbot.New(f.gl, mrbot.Options{Project: "group/app", Target: "main"})
			base, _ := f.sim.Branch(f.proj, "main")
			b, err := bot.Build(ctx, f.build(base))
			if err != nil {
				t.Fatal(err)
			}
			mr, err := bot.Open(ctx, "pinwheel/requests-2.x", "Update requests to 2.32.4", "d", nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.pushed {
				f.sim.Commit(f.proj, "pinwheel/requests-2.x", "Fix the tests", map[string]string{"t": "x\n"})
			}
			o := mrbot.Obsolete{IID: mr.IID, Branch: "pinwheel/requests-2.x", Title: mr.Title,
				Reason: "constraints.txt on main already pins requests 2.32.4 or newer", Known: b.SHA}
			for i := range 2 {
				closed, err := bot.Close(ctx, o)
				if err != nil || closed.KeptBranch != tc.pushed || closed.Title != "Update requests to 2.32.4 - autoclosed" {
					t.Fatalf("close %d: %+v, %v", i+1, closed, err)
				}
			}
			got, _ := f.sim.MergeRequest(f.proj, int(mr.IID))
			if got.State != "closed" || got.Title != "Update requests to 2.32.4 - autoclosed" {
				t.Errorf("MR: %s %q", got.State, got.Title)
			}
			if n := len(f.sim.MRNotes(f.proj, int(mr.IID))); n != 1 {
				t.Errorf("%d notes, want 1", n)
			}
			if _, ok := f.sim.Branch(f.proj, "pinwheel/requests-2.x"); ok != tc.pushed {
				t.Errorf("branch exists: %v, want %v", ok, tc.pushed)
			}
			err = bot.RemoveBranch(ctx, "pinwheel/requests-2.x", got.Title, b.SHA)
			if tc.pushed != errors.Is(err, mrbot.ErrEdited) || !tc.pushed && err != nil {
				t.Errorf("RemoveBranch: %v", err)
			}
		})
	}
}
