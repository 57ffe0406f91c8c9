package deploy

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/gitlabauth"
)

// RollbackRequest asks to deploy the commit of an earlier successful
// deployment of Environment again.
type RollbackRequest struct {
	Project     string
	Environment string // DefaultEnvironment when empty
	Branch      string // DefaultBranch when empty
	Remote      string // as in Request
	// Steps counts versions back from the current one; 0 means 1. Repeated
	// deployments of one commit in a row count as one version, so a retried
	// deploy job does not make a rollback land on the same commit.
	Steps int
	// To, if set, is the commit (full or a prefix of at least 7 hex
	// digits) of an earlier successful deployment; Steps is then ignored.
	To string
}

// HistoryOptions narrows History.
type HistoryOptions struct {
	// Status keeps only deployments with this status ("success", ...);
	// empty keeps all.
	Status string
	// Limit stops after this many deployments; 0 or less reads them all.
	Limit int
}

// History returns the deployments of environment, newest first.
// https://docs.gitlab.com/api/deployments/#list-project-deployments
func (d *Deployer) History(ctx context.Context, project, environment string, opts HistoryOptions) ([]*gitlab.Deployment, error) {
	if environment == "" {
		environment = DefaultEnvironment
	}
	list := &gitlab.ListProjectDeploymentsOptions{
		ListOptions: gitlab.ListOptions{PerPage: 100},
		OrderBy:     gitlab.Ptr("id"),
		Sort:        gitlab.Ptr("desc"),
		Environment: gitlab.Ptr(environment),
	}
	if opts.Status != "" {
		list.Status = gitlab.Ptr(opts.Status)
	}
	limit := opts.Limit
	if limit <= 0 {
		limit = -1
	}
	deps, err := gitlab.ScanAndCollectN(func(p gitlab.PaginationOptionFunc) ([]*gitlab.Deployment, *gitlab.Response, error) {
		return d.API.Deployments.ListProjectDeployments(project, list, p, gitlab.WithContext(ctx))
	}, limit)
	if err != nil {
		// GitLab answers an unknown environment with an empty list, so a
		// 404 here is about the project.
		return nil, fmt.Errorf("list deployments of %s in %s: %w", environment, project,
			gitlabauth.ProjectNotFound(d.scrubErr(err), project))
	}
	// The filters and order were asked of the server; applying them again
	// costs nothing and keeps a rollback correct on an instance (or
	// simulator) that ignores one of them.
	deps = slices.DeleteFunc(deps, func(dep *gitlab.Deployment) bool {
		return dep == nil ||
			(opts.Status != "" && dep.Status != opts.Status) ||
			(dep.Environment != nil && dep.Environment.Name != "" && dep.Environment.Name != environment)
	})
	slices.SortStableFunc(deps, func(a, b *gitlab.Deployment) int { return cmp.Compare(b.ID, a.ID) })
	return deps, nil
}

// Rollback deploys the commit of an earlier successful deployment through
// Deploy, recording a new deployment.
func (d *Deployer) Rollback(ctx context.Context, req RollbackRequest) (Result, error) {
	if req.Environment == "" {
		req.Environment = DefaultEnvironment
	}
	if req.Project == "" {
		return Result{}, fmt.Errorf("%w: no project given", ErrInvalidRequest)
	}
	done, err := d.History(ctx, req.Project, req.Environment, HistoryOptions{Status: "success"})
	if err != nil {
		return Result{}, err
	}
	target, err := PickTarget(done, req.Steps, req.To)
	if err != nil {
		return Result{}, fmt.Errorf("roll back %s of %s: %w; nothing changed", req.Environment, req.Project, err)
	}
	return d.Deploy(ctx, Request{
		Project: req.Project, SHA: target.SHA, Branch: req.Branch,
		Environment: req.Environment, Remote: req.Remote, deployedBefore: true,
	})
}

// PickTarget chooses the deployment to roll back to among successful
// deployments listed newest first; the newest is the current one. With to
// set it is the earlier deployment whose commit starts with to; otherwise
// the one steps versions back (steps 0 means 1).
func PickTarget(successful []*gitlab.Deployment, steps int, to string) (*gitlab.Deployment, error) {
	versions := distinctVersions(successful)
	if len(versions) == 0 {
		return nil, fmt.Errorf("%w: the environment has no successful deployment yet", ErrNoTarget)
	}
	current := versions[0]
	if to != "" {
		return pickCommit(versions, strings.ToLower(strings.TrimSpace(to)))
	}
	if steps <= 0 {
		steps = 1
	}
	if steps >= len(versions) {
		return nil, fmt.Errorf("%d steps back from %s: only %d earlier version(s): %w",
			steps, short(current.SHA), len(versions)-1, ErrNoTarget)
	}
	return versions[steps], nil
}

func pickCommit(versions []*gitlab.Deployment, to string) (*gitlab.Deployment, error) {
	if !shaPattern.MatchString(to) {
		return nil, fmt.Errorf("%w: %q is not a commit id (7 to 64 hex digits)", ErrInvalidRequest, to)
	}
	if strings.HasPrefix(versions[0].SHA, to) {
		return nil, fmt.Errorf("%s is the current deployment (%d): %w", short(versions[0].SHA), versions[0].ID, ErrNoTarget)
	}
	var found *gitlab.Deployment
	for _, v := range versions[1:] {
		if !strings.HasPrefix(v.SHA, to) {
			continue
		}
		if found != nil && found.SHA != v.SHA {
			return nil, fmt.Errorf("%s matches %s and %s; give more digits: %w", to, short(found.SHA), short(v.SHA), ErrNoTarget)
		}
		if found == nil {
			found = v
		}
	}
	if found == nil {
		return nil, fmt.Errorf("%s is not the commit of an earlier successful deployment: %w", to, ErrNoTarget)
	}
	return found, nil
}

// distinctVersions drops deployments of the same commit as the deployment
// just before them (newer in the list).
func distinctVersions(deps []*gitlab.Deployment) []*gitlab.Deployment {
	var out []*gitlab.Deployment
	for _, d := range deps {
		if len(out) > 0 && out[len(out)-1].SHA == d.SHA {
			continue
		}
		out = append(out, d)
	}
	return out
}
