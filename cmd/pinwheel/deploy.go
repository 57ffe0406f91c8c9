package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/pinwheel-dev/pinwheel/deploy"
	"github.com/pinwheel-dev/pinwheel/gitlabauth"
)

func init() { commands = append(commands, newDeployCmd, newRollbackCmd) }

// deployFlags are the flags deploy and rollback share.
type deployFlags struct {
	project, branch, environment, remote, gitlabURL string
}

func (f *deployFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&f.project, "project", "", "GitLab project `PATH`, e.g. group/app (required)")
	fs.StringVar(&f.branch, "branch", deploy.DefaultBranch, "`BRANCH` whose pushes deliver the project")
	fs.StringVar(&f.environment, "environment", deploy.DefaultEnvironment, "GitLab `ENVIRONMENT` to record the deployment in")
	fs.StringVar(&f.remote, "remote", "", "git `REMOTE` to push to (default <gitlab-url>/<project>.git)")
	fs.StringVar(&f.gitlabURL, "gitlab-url", "", "GitLab `URL` (default $CI_SERVER_URL)")
}

// deployer wires a deploy.Deployer from the flags and the environment. The
// token is read from the environment only, so it never sits in a process
// list or a CI log.
func (f *deployFlags) deployer() (*deploy.Deployer, error) {
	if f.project == "" {
		return nil, usageError(errors.New("--project is required"))
	}
	url := f.gitlabURL
	if url == "" {
		url = os.Getenv("CI_SERVER_URL")
	}
	if url == "" {
		return nil, usageError(errors.New("no GitLab URL: pass --gitlab-url or set CI_SERVER_URL"))
	}
	if err := gitlabauth.CheckURL(url); err != nil {
		return nil, usageError(err)
	}
	creds, err := gitlabauth.FromLookupEnv(os.LookupEnv, url)
	if err != nil {
		return nil, usageError(err)
	}
	api, err := gitlabauth.NewClient(url, creds)
	if err != nil {
		return nil, usageError(err)
	}
	return &deploy.Deployer{API: api, WebURL: strings.TrimRight(url, "/"), Creds: creds}, nil
}

// noArgs rejects positional arguments with exit code 2 (cobra.NoArgs exits 1).
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError(fmt.Errorf("%s takes no arguments, got %q", cmd.Name(), args))
	}
	return nil
}

// jobContext cancels on SIGINT/SIGTERM, which is how GitLab cancels a job,
// so the command can clean up before it exits: deploy still marks the
// deployment failed or canceled, prepare removes its temporary files.
func jobContext(cmd *cobra.Command) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
}

// deployExit maps request errors to exit code 2; everything else exits 1.
func deployExit(err error) error {
	if errors.Is(err, deploy.ErrInvalidRequest) {
		return usageError(err)
	}
	return err
}

func newDeployCmd() *cobra.Command {
	var f deployFlags
	var sha string
	cmd := &cobra.Command{
		Use:   "deploy --project PATH --sha SHA",
		Short: "Move the project's deployment branch to a commit and record a GitLab deployment",
		Long: `deploy checks that SHA is in the project's history, moves the deployment
branch to it with git push --force-with-lease (refusing if the branch moved
since it was read) and records a deployment of the environment in GitLab.

The token comes from the environment: PINWHEEL_GITLAB_TOKEN, else
GITLAB_TOKEN, else CI_JOB_TOKEN (only for the instance in CI_SERVER_URL).` +
			exitStatus("when the branch moved and the deployment is recorded",
				"when it failed (a push that happened is still printed)",
				"no token, no GitLab URL or a bad one, a malformed SHA"),
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if sha == "" {
				return usageError(errors.New("--sha is required"))
			}
			d, err := f.deployer()
			if err != nil {
				return err
			}
			ctx, cancel := jobContext(cmd)
			defer cancel()
			res, err := d.Deploy(ctx, deploy.Request{
				Project: f.project, SHA: sha, Branch: f.branch,
				Environment: f.environment, Remote: f.remote,
			})
			return printDeployResult(cmd, d, res, err)
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&sha, "sha", "", "commit `SHA` to deploy, full or at least 7 hex digits (required)")
	return cmd
}

func newRollbackCmd() *cobra.Command {
	var (
		f     deployFlags
		to    string
		steps int
		list  bool
		limit int
	)
	cmd := &cobra.Command{
		Use:   "rollback --project PATH [--steps N | --to SHA | --list]",
		Short: "Deploy the commit of an earlier successful deployment again",
		Long: `rollback deploys the commit of an earlier successful deployment of the
environment through the same path as deploy, recording a new deployment.
By default it goes one version back; --steps N goes N versions back (several
deployments of one commit in a row count as one version); --to SHA picks the
earlier deployment of that commit. --list shows the deployments instead.` +
			exitStatus("when the rollback (or --list) is done", "when it failed",
				"no token, no GitLab URL or a bad one, a --to SHA of no earlier successful deployment, a negative --limit"),
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fs := cmd.Flags()
			if fs.Changed("to") && fs.Changed("steps") {
				return usageError(errors.New("--to and --steps exclude each other"))
			}
			if list && (fs.Changed("to") || fs.Changed("steps")) {
				return usageError(errors.New("--list does not roll back; drop --to and --steps"))
			}
			if steps < 1 {
				return usageError(fmt.Errorf("--steps must be at least 1, got %d", steps))
			}
			if limit < 0 {
				return usageError(fmt.Errorf("--limit must be 0 (all) or more, got %d", limit))
			}
			d, err := f.deployer()
			if err != nil {
				return err
			}
			ctx, cancel := jobContext(cmd)
			defer cancel()
			if list {
				deps, err := d.History(ctx, f.project, f.environment, deploy.HistoryOptions{Limit: limit})
				if err != nil {
					return gitlabauth.Explain(err, d.Creds)
				}
				return deploy.WriteHistory(cmd.OutOrStdout(), deps)
			}
			res, err := d.Rollback(ctx, deploy.RollbackRequest{
				Project: f.project, Environment: f.environment, Branch: f.branch,
				Remote: f.remote, Steps: steps, To: to,
			})
			if to != "" && errors.Is(err, deploy.ErrNoTarget) {
				// --to names no earlier successful deployment: the
				// argument is wrong, nothing was changed.
				return usageError(err)
			}
			return printDeployResult(cmd, d, res, err)
		},
	}
	f.register(cmd)
	fs := cmd.Flags()
	fs.StringVar(&to, "to", "", "commit `SHA` of an earlier successful deployment to go back to")
	fs.IntVar(&steps, "steps", 1, "go back `N` versions")
	fs.BoolVar(&list, "list", false, "list the environment's deployments, newest first, and exit")
	fs.IntVar(&limit, "limit", 20, "with --list, show at most `N` deployments (0 for all)")
	return cmd
}

// printDeployResult prints what happened. A deployment that moved the branch but could
// not be marked in GitLab is printed and still fails the command.
func printDeployResult(cmd *cobra.Command, d *deploy.Deployer, res deploy.Result, err error) error {
	err = gitlabauth.Explain(err, d.Creds)
	if res.To != "" {
		if werr := deploy.WriteResult(cmd.OutOrStdout(), res); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		return deployExit(err)
	}
	return nil
}
