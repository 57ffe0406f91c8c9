package scheduler

import (
	"context"
	"errors"

	"github.com/pinwheel-dev/pinwheel/dashboard"
	"github.com/pinwheel-dev/pinwheel/mrbot"
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
