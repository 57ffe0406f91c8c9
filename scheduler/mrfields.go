package scheduler

import (
	"context"
	"errors"
	"net/http"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/dashboard"
	"github.com/pinwheel-dev/pinwheel/mrbot"
	"github.com/pinwheel-dev/pinwheel/plan"
	"github.com/pinwheel-dev/pinwheel/state"
)

// mrFields resolves the project's reviewers and assignees to user ids
// (cached per process by Runner.users). An unknown username is a problem
// on the dashboard, and new merge requests go without that user; a failed
// look-up fails the run, so no merge request is opened without the
// people it should have.
func (run *projectRun) mrFields(ctx context.Context) (mrbot.Fields, error) {
	var f mrbot.Fields
	for _, list := range []struct {
		key   string
		names []string
		ids   *[]int64
	}{
		{"reviewers", run.p.Reviewers, &f.ReviewerIDs},
		{"assignees", run.p.Assignees, &f.AssigneeIDs},
	} {
		ids, err := run.r.users.IDs(ctx, list.names)
		if err != nil && !errors.Is(err, mrbot.ErrUnknownUser) {
			return mrbot.Fields{}, err
		}
		if err != nil {
			run.problems = append(run.problems, dashboard.Problem{
				Kind: dashboard.ProblemConfig, Subject: list.key, Message: err.Error() + "; new merge requests are opened without them",
			})
		}
		*list.ids = ids
	}
	return f, nil
}

// autoMerge turns on merge-when-pipeline-succeeds for update types the
// package's rules (config.Rules) list: after the branch was (re)built, or
// when pinwheel's own build is the head and it has not asked for it yet
// (a run stopped between opening the merge request and asking). A head
// someone else pushed is never set to auto-merge, and a head asked for
// once is not asked again, so a person may turn auto-merge off.
func (run *projectRun) autoMerge(ctx context.Context, s *slot, want *plan.Update, mr state.MergeRequestRecord, wrote bool) error {
	if mr.IID == 0 {
		return nil
	}
	// A group's merge request auto-merges when the rules let every
	// package in it.
	rules := run.r.cfg.Rules(run.p)
	for _, p := range s.parts(want) {
		if !rules.Automerges(p.m.name, config.UpdateType(p.u.Type)) {
			return nil
		}
	}
	if !wrote && (mr.BuiltSHA == "" || mr.SHA != mr.BuiltSHA || mr.AutoMergeSHA == mr.BuiltSHA) {
		return nil
	}
	err := run.bot.AutoMerge(ctx, mr.IID, mr.SHA)
	var er *gitlab.ErrorResponse
	if err != nil && !wrote && errors.As(err, &er) && er.HasStatusCode(http.StatusMethodNotAllowed) {
		// GitLab will not auto-merge this head (its pipeline failed, a
		// person made it a draft): asking each run would not change
		// that, and the next build asks again.
		err = nil
	}
	if err != nil {
		return err
	}
	if rec, ok := run.rec.MergeRequests[s.branch]; ok && rec.IID == mr.IID && !run.r.deps.DryRun {
		rec.AutoMergeSHA = mr.SHA
		run.rec.MergeRequests[s.branch] = rec
	}
	return nil
}
