// Package member answers who may command pinwheel in a project: a user's
// effective access level (GitLab's roles, inherited memberships included)
// read through the members API, and the role's name for an answer. The
// test bot and the merge request commands both ask it; each decides what
// level its commands need.
package member

import (
	"context"
	"errors"
	"fmt"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

// Level is the user's effective access on the project, 0 when not a
// member (GitLab answers 404). It reads
// GET /projects/:id/members/all/:user_id
// (https://docs.gitlab.com/api/members/#get-a-member-of-a-group-or-project-including-inherited-and-invited-members).
func Level(ctx context.Context, gl *gitlab.Client, project, user int64) (gitlab.AccessLevelValue, error) {
	m, _, err := gl.ProjectMembers.GetInheritedProjectMember(project, user, gitlab.WithContext(ctx))
	if errors.Is(err, gitlab.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read the access of user %d on project %d: %w", user, project, err)
	}
	return m.AccessLevel, nil
}

// Role names a level as GitLab's roles do: "Developer", "Reporter", ...,
// and "not a member" for 0.
func Role(level gitlab.AccessLevelValue) string {
	switch {
	case level >= gitlab.OwnerPermissions:
		return "Owner"
	case level >= gitlab.MaintainerPermissions:
		return "Maintainer"
	case level >= gitlab.DeveloperPermissions:
		return "Developer"
	case level >= gitlab.ReporterPermissions:
		return "Reporter"
	case level >= gitlab.PlannerPermissions:
		return "Planner"
	case level >= gitlab.GuestPermissions:
		return "Guest"
	}
	return "not a member"
}
