package deploy

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/gitlabauth"
	"github.com/pinwheel-dev/pinwheel/internal/discard"
)

// Defaults for Request and RollbackRequest fields left empty.
const (
	DefaultBranch      = "production"
	DefaultEnvironment = "production"
)

// Deployer moves deployment branches of projects on one GitLab instance.
type Deployer struct {
	// API talks to GitLab's REST API.
	API *gitlab.Client
	// WebURL is the instance's address, e.g. https://gitlab.example.com:
	// the default remote is WebURL/<project>.git and environment pages live
	// under it.
	WebURL string
	// Creds are handed to git for the fetch and the push.
	Creds gitlabauth.Credentials
	Git   Git
	// Log gets debug lines about each step; nil discards them.
	Log logrus.FieldLogger

	// beforePush runs between reading the branch and pushing it; tests use
	// it to move the branch behind pinwheel's back.
	beforePush func(ctx context.Context) error
}

// Request is one deployment: move Branch of Project to SHA and record it as
// a deployment to Environment.
type Request struct {
	// Project is the project's full path, e.g. "group/app".
	Project string
	// SHA is a commit id, full or abbreviated (at least 7 hex digits).
	SHA         string
	Branch      string // DefaultBranch when empty
	Environment string // DefaultEnvironment when empty
	// Remote is the git URL or path to push to; WebURL/<Project>.git when
	// empty. Mirrors and tests set it.
	Remote string

	// deployedBefore marks a rollback's commit, taken from a successful
	// deployment: it may sit on no branch any more (a hotfix pushed to the
	// deployment branch, then rolled back), and deploying it again is the
	// point.
	deployedBefore bool
}

// Result is what a deployment did.
type Result struct {
	Project     string
	Branch      string
	Environment string
	// From is where the branch was; "" when this deployment created it.
	From string
	// To is the full commit id the branch points at now.
	To string
	// DeploymentID is GitLab's id of the recorded deployment.
	DeploymentID int64
	// EnvironmentURL is the environment's page on GitLab; ExternalURL is
	// the environment's own address when GitLab knows one.
	EnvironmentURL string
	ExternalURL    string
}

var shaPattern = regexp.MustCompile(`^[0-9a-f]{7,64}$`)

func (d *Deployer) log() logrus.FieldLogger {
	if d.Log != nil {
		return d.Log
	}
	return discard.Logger()
}

func (req Request) withDefaults(webURL string) Request {
	if req.Branch == "" {
		req.Branch = DefaultBranch
	}
	if req.Environment == "" {
		req.Environment = DefaultEnvironment
	}
	req.SHA = strings.ToLower(strings.TrimSpace(req.SHA))
	if req.Remote == "" && webURL != "" {
		req.Remote = strings.TrimRight(webURL, "/") + "/" + req.Project + ".git"
	}
	return req
}

func (req Request) validate() error {
	switch {
	case req.Project == "":
		return fmt.Errorf("%w: no project given", ErrInvalidRequest)
	case !shaPattern.MatchString(req.SHA):
		// GitLab's commit endpoint also resolves branch and tag names; a
		// deploy must name one commit, so anything but hex is refused here.
		return fmt.Errorf("%w: %q is not a commit id (7 to 64 hex digits)", ErrInvalidRequest, req.SHA)
	case req.Remote == "":
		return fmt.Errorf("%w: no remote: set the GitLab URL or a remote", ErrInvalidRequest)
	}
	return nil
}

// Deploy moves req.Branch to req.SHA and records a deployment. It refuses,
// changing nothing, a commit outside the project's history or on none of
// its branches (*UnknownCommitError) and a branch that moved after it was
// read (*LeaseError). When the push succeeded but GitLab did not take the
// final status, the Result is filled in and the error says so.
func (d *Deployer) Deploy(ctx context.Context, req Request) (Result, error) {
	req = req.withDefaults(d.WebURL)
	if err := req.validate(); err != nil {
		return Result{}, err
	}
	log := d.log().WithFields(logrus.Fields{"project": req.Project, "branch": req.Branch, "environment": req.Environment})

	sha, err := d.resolveCommit(ctx, req.Project, req.SHA)
	if err != nil {
		return Result{}, err
	}
	if !req.deployedBefore {
		if err := d.checkOnBranch(ctx, req.Project, sha); err != nil {
			return Result{}, err
		}
	}
	from, err := d.branchHead(ctx, req.Project, req.Branch)
	if err != nil {
		return Result{}, err
	}
	log.WithFields(logrus.Fields{"from": from, "to": sha}).Debug("read branch")

	repo, err := d.Git.open(ctx, d.Creds, req.Remote)
	if err != nil {
		return Result{}, err
	}
	defer repo.close()
	if err := repo.fetch(ctx, sha); err != nil {
		return Result{}, err
	}

	res := Result{Project: req.Project, Branch: req.Branch, Environment: req.Environment, From: from, To: sha}
	dep, err := d.pushRecorded(ctx, log, repo, req, sha, from)
	if dep == nil {
		return Result{}, err
	}
	res.DeploymentID = dep.ID
	// The deployment embeds its environment; ctx may be cancelled by now,
	// and the push already happened, so the URLs are still worth a try.
	envCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	res.EnvironmentURL, res.ExternalURL = d.environmentURLs(envCtx, req.Project, req.Environment, dep.Environment)
	if err != nil {
		return res, fmt.Errorf("%s moved to %s, but: %w", req.Branch, short(sha), err)
	}
	return res, nil
}

// pushRecorded pushes inside a deployment record: "running" before the push,
// then success, failed or canceled (the lease failed: someone else moved the
// branch). It returns the deployment only when the push happened, with an
// error if its final status could not be written.
func (d *Deployer) pushRecorded(ctx context.Context, log logrus.FieldLogger, repo *gitRepo, req Request, sha, from string) (*gitlab.Deployment, error) {
	dep, _, err := d.API.Deployments.CreateProjectDeployment(req.Project, &gitlab.CreateProjectDeploymentOptions{
		Environment: gitlab.Ptr(req.Environment),
		Ref:         gitlab.Ptr(req.Branch),
		SHA:         gitlab.Ptr(sha),
		Tag:         gitlab.Ptr(false),
		Status:      gitlab.Ptr(gitlab.DeploymentStatusRunning),
	}, gitlab.WithContext(ctx))
	if err != nil {
		// The request is not retried (a POST, gitlabauth.NewClient): behind
		// a proxy a 5xx may come after GitLab saved the record.
		var er *gitlab.ErrorResponse
		if errors.As(err, &er) && er.Response != nil && er.Response.StatusCode >= 500 {
			return nil, fmt.Errorf("record deployment of %s to %s: %w; the branch was not moved, but GitLab may have recorded the deployment as running: check the environment's deployments before deploying again", short(sha), req.Environment, d.scrubErr(err))
		}
		return nil, fmt.Errorf("record deployment of %s to %s: %w; nothing changed", short(sha), req.Environment, d.scrubErr(err))
	}
	log = log.WithField("deployment", dep.ID)

	pushErr := d.push(ctx, repo, sha, req.Branch, from)
	status := gitlab.DeploymentStatusSuccess
	var lease *LeaseError
	switch {
	case errors.As(pushErr, &lease):
		status = gitlab.DeploymentStatusCanceled
	case pushErr != nil:
		status = gitlab.DeploymentStatusFailed
	}
	log.WithField("status", status).Debug("pushed")

	// The outcome is recorded even if ctx was cancelled during the push:
	// otherwise GitLab would show the deployment running forever.
	statusCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	updated, _, updErr := d.API.Deployments.UpdateProjectDeployment(req.Project, dep.ID,
		&gitlab.UpdateProjectDeploymentOptions{Status: gitlab.Ptr(status)}, gitlab.WithContext(statusCtx))
	if updErr != nil {
		updErr = fmt.Errorf("mark deployment %d %s: %w", dep.ID, status, d.scrubErr(updErr))
	}
	if pushErr != nil {
		return nil, errors.Join(pushErr, updErr)
	}
	if updated != nil {
		dep = updated
	}
	return dep, updErr
}

func (d *Deployer) push(ctx context.Context, repo *gitRepo, sha, branch, from string) error {
	if d.beforePush != nil {
		if err := d.beforePush(ctx); err != nil {
			return err
		}
	}
	return repo.push(ctx, sha, branch, from)
}

// resolveCommit returns the full id of sha if the project has that commit.
// https://docs.gitlab.com/api/commits/#get-a-single-commit
func (d *Deployer) resolveCommit(ctx context.Context, project, sha string) (string, error) {
	c, _, err := d.API.Commits.GetCommit(project, sha, nil, gitlab.WithContext(ctx))
	if errors.Is(err, gitlab.ErrNotFound) {
		// client-go drops the 404's body, so a missing project and a missing
		// commit look alike; asking for the project tells them apart.
		if _, _, perr := d.API.Projects.GetProject(project, nil, gitlab.WithContext(ctx)); errors.Is(perr, gitlab.ErrNotFound) {
			return "", gitlabauth.ProjectNotFound(perr, project)
		}
		return "", &UnknownCommitError{Project: project, SHA: sha}
	}
	if err != nil {
		return "", fmt.Errorf("look up commit %s in %s: %w", sha, project, d.scrubErr(err))
	}
	if !strings.HasPrefix(c.ID, sha) {
		return "", &UnknownCommitError{Project: project, SHA: sha}
	}
	return c.ID, nil
}

// checkOnBranch refuses a commit that no branch of the project contains.
// GET commits/:sha finds any commit in the repository, including the heads
// of merge requests from forks (refs/merge-requests/*): those must not
// reach production through a mistyped or pasted SHA.
// https://docs.gitlab.com/api/commits/#get-references-a-commit-is-pushed-to
func (d *Deployer) checkOnBranch(ctx context.Context, project, sha string) error {
	refs, _, err := d.API.Commits.GetCommitRefs(project, sha, &gitlab.GetCommitRefsOptions{
		Type: gitlab.Ptr("branch"), ListOptions: gitlab.ListOptions{PerPage: 1},
	}, gitlab.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("look up the branches containing %s in %s: %w", short(sha), project, d.scrubErr(err))
	}
	if len(refs) == 0 {
		return &UnknownCommitError{Project: project, SHA: sha, OnNoBranch: true}
	}
	return nil
}

// branchHead returns the commit branch points at, or "" when it does not
// exist yet (a first deployment).
func (d *Deployer) branchHead(ctx context.Context, project, branch string) (string, error) {
	b, _, err := d.API.Branches.GetBranch(project, branch, gitlab.WithContext(ctx))
	if errors.Is(err, gitlab.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read branch %s of %s: %w", branch, project, d.scrubErr(err))
	}
	if b.Commit == nil || b.Commit.ID == "" {
		return "", fmt.Errorf("read branch %s of %s: GitLab sent no commit", branch, project)
	}
	return b.Commit.ID, nil
}

// environmentURLs returns the environment's GitLab page and external URL.
// The deployment usually embeds the environment; otherwise it is looked up
// by name, and failing that the project's environment list is given.
func (d *Deployer) environmentURLs(ctx context.Context, project, name string, env *gitlab.Environment) (page, external string) {
	base := strings.TrimRight(d.WebURL, "/") + "/" + project + "/-/environments"
	if env == nil || env.ID == 0 {
		envs, _, err := d.API.Environments.ListEnvironments(project,
			&gitlab.ListEnvironmentsOptions{Name: gitlab.Ptr(name)}, gitlab.WithContext(ctx))
		if err != nil || len(envs) == 0 {
			return base, ""
		}
		env = envs[0]
	}
	return fmt.Sprintf("%s/%d", base, env.ID), env.ExternalURL
}

// scrubErr flattens an API error with the token removed: client-go errors
// quote request URLs, and a misconfigured URL could carry the token.
func (d *Deployer) scrubErr(err error) error { return d.Creds.ScrubErr(err) }
