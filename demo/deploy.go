package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/deploy"
	"github.com/pinwheel-dev/pinwheel/gitlabauth"
)

// pkgRepo is the team's package group/cki-lib as git sees it for the
// deploy step: a bare repository the deploy pushes to, and a repoFront
// that answers the repository reads of `pinwheel deploy` from it (all else,
// the deployments, goes to the GitLab simulator).
type pkgRepo struct {
	dir      string // removed on close
	bare     string
	front    *httptest.Server
	api      *gitlab.Client // pinwheel's token, through the front
	deployer *deploy.Deployer
	// versions are main's commits, oldest first: what the team releases.
	versions []pkgVersion
}

type pkgVersion struct{ sha, title string }

func (r *pkgRepo) close() {
	if r == nil {
		return
	}
	if r.front != nil {
		r.front.Close()
	}
	os.RemoveAll(r.dir)
}

// setUpDeploy builds the package's repository with git (fixed names and
// dates, no user configuration, so the commit ids are the same on every
// machine) and the Deployer `pinwheel deploy` wires. It runs when the step
// does, so the steps before it need no git.
func (d *world) setUpDeploy() error {
	if _, err := exec.LookPath("git"); err != nil {
		return fmt.Errorf("demo: the deploy step runs the real git, which is not on PATH: %w", err)
	}
	dir, err := os.MkdirTemp("", "pinwheel-demo-git-")
	if err != nil {
		return fmt.Errorf("demo: git dir: %w", err)
	}
	r := &pkgRepo{dir: dir, bare: filepath.Join(dir, "cki-lib.git")}
	d.pkg = r
	env := []string{
		"HOME=" + dir, "XDG_CONFIG_HOME=" + filepath.Join(dir, ".config"), "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=dev", "GIT_AUTHOR_EMAIL=dev@example.com",
		"GIT_COMMITTER_NAME=dev", "GIT_COMMITTER_EMAIL=dev@example.com",
	}
	work := filepath.Join(dir, "work")
	git := func(when time.Time, dir string, args ...string) (string, error) {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		date := when.UTC().Format(time.RFC3339)
		cmd.Env = append(append(os.Environ(), env...), "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
		out, err := cmd.CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("demo: git %s: %w\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out)), nil
	}
	if _, err := git(wednesday, dir, "init", "--quiet", "--bare", r.bare); err != nil {
		return err
	}
	if _, err := git(wednesday, dir, "init", "--quiet", work); err != nil {
		return err
	}
	for _, v := range []struct {
		when        time.Time
		title, path string
		text        string
	}{
		{wednesday.AddDate(0, 0, -7), "Release 1.0", "setup.py", "from setuptools import setup\nsetup(name='cki-lib', version='1.0')\n"},
		{sunday.Add(80 * time.Minute), "Retry on timeouts (!1)", "cki_lib/session.py", "RETRIES = 3\n"},
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(work, v.path)), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(work, v.path), []byte(v.text), 0o644); err != nil {
			return err
		}
		if _, err := git(v.when, work, "add", v.path); err != nil {
			return err
		}
		if _, err := git(v.when, work, "commit", "--quiet", "-m", v.title); err != nil {
			return err
		}
		sha, err := git(v.when, work, "rev-parse", "HEAD")
		if err != nil {
			return err
		}
		r.versions = append(r.versions, pkgVersion{sha: sha, title: v.title})
	}
	if _, err := git(sunday, work, "push", "--quiet", r.bare, "HEAD:refs/heads/main"); err != nil {
		return err
	}
	r.front = httptest.NewServer(newRepoFront(d.gl.URL(), libPath, r.bare, d.token))
	creds := gitlabauth.Credentials{Token: d.token, Source: tokenEnv}
	if r.api, err = gitlabauth.NewClient(r.front.URL, creds); err != nil {
		return err
	}
	r.deployer = &deploy.Deployer{
		API: r.api, WebURL: d.gl.URL(), Creds: creds,
		Git: deploy.Git{Env: env, TempDir: dir},
	}
	return nil
}

// deployStep is what the team sees: the package's pipeline deploys main to
// the production branch (twice: the release before, then the merge request
// tested in the step before), a regression turns up and a person rolls
// back; GitLab records every deployment.
func (d *world) deployStep(ctx context.Context, w io.Writer) error {
	if err := d.setUpDeploy(); err != nil {
		return err
	}
	r := d.pkg
	short := func(sha string) string { return sha[:8] }
	run := func(cmdline string, do func() (deploy.Result, error)) error {
		fmt.Fprintf(w, "$ %s\n", cmdline)
		res, err := do()
		if err != nil {
			return fmt.Errorf("demo: %s: %w", cmdline, err)
		}
		var out strings.Builder
		if err := deploy.WriteResult(&out, res); err != nil {
			return err
		}
		fmt.Fprint(w, indent(out.String()))
		return d.showProduction(ctx, w)
	}
	start := d.clock.now()
	for i, v := range r.versions {
		d.clock.set(start.Add(time.Duration(i) * 5 * time.Minute))
		if i == 1 {
			fmt.Fprintf(w, "\n» %s!1 is merged; the pipeline of main deploys it:\n", libPath)
		} else {
			fmt.Fprintf(w, "» The package's pipeline deploys %q:\n", v.title)
		}
		cmdline := fmt.Sprintf("pinwheel deploy --project %s --sha %s", libPath, short(v.sha))
		if err := run(cmdline, func() (deploy.Result, error) {
			return d.pkg.deployer.Deploy(ctx, deploy.Request{Project: libPath, SHA: v.sha, Remote: r.bare})
		}); err != nil {
			return err
		}
	}
	d.clock.set(start.Add(12 * time.Minute))
	fmt.Fprintf(w, "\n» The new retries hide a failing service; a maintainer rolls back one version:\n")
	cmdline := fmt.Sprintf("pinwheel rollback --project %s", libPath)
	if err := run(cmdline, func() (deploy.Result, error) {
		return d.pkg.deployer.Rollback(ctx, deploy.RollbackRequest{Project: libPath, Remote: r.bare})
	}); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n$ pinwheel rollback --project %s --list\n", libPath)
	deps, err := r.deployer.History(ctx, libPath, "", deploy.HistoryOptions{})
	if err != nil {
		return fmt.Errorf("demo: rollback --list: %w", err)
	}
	var out strings.Builder
	if err := deploy.WriteHistory(&out, deps); err != nil {
		return err
	}
	fmt.Fprint(w, indent(out.String()))
	return nil
}

// showProduction prints where the production branch is now, read back
// through the API as GitLab shows it.
func (d *world) showProduction(ctx context.Context, w io.Writer) error {
	b, _, err := d.pkg.api.Branches.GetBranch(libPath, deploy.DefaultBranch, gitlab.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("demo: read %s of %s: %w", deploy.DefaultBranch, libPath, err)
	}
	if b.Commit == nil {
		return errors.New("demo: the branch has no commit")
	}
	title := ""
	for _, v := range d.pkg.versions {
		if v.sha == b.Commit.ID {
			title = v.title
		}
	}
	fmt.Fprintf(w, "  → branch %s of %s is at %s %q\n", deploy.DefaultBranch, libPath, b.Commit.ID[:8], title)
	return nil
}

// indent sets a command's output off from the narration.
func indent(s string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	return "  " + strings.Join(lines, "\n  ") + "\n"
}
