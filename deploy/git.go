package deploy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/pinwheel-dev/pinwheel/gitlabauth"
	"github.com/pinwheel-dev/pinwheel/internal/redact"
)

// Git says how to run the git binary. The zero value runs "git" from PATH
// with the process environment.
type Git struct {
	// Path is the git binary; "git" when empty.
	Path string
	// Env is appended to the process environment of every git child, e.g.
	// GIT_CONFIG_NOSYSTEM=1. With a token, pinwheel sets GIT_CONFIG_COUNT
	// and GIT_CONFIG_KEY_0/1 itself (the credential helper), replacing
	// any given here.
	Env []string
	// TempDir holds the throwaway repositories; os.TempDir() when empty.
	TempDir string
}

// tokenEnv carries the token from pinwheel to the credential helper. It
// exists only in the environment of pinwheel's git children.
const tokenEnv = "PINWHEEL_GIT_TOKEN"

// gitRepo is a throwaway bare repository used to fetch one commit from a
// remote and push it to a branch of the same remote. It never has a work
// tree: nothing is checked out.
type gitRepo struct {
	git    Git
	creds  gitlabauth.Credentials
	dir    string
	remote string
}

func (g Git) open(ctx context.Context, creds gitlabauth.Credentials, remote string) (*gitRepo, error) {
	dir, err := os.MkdirTemp(g.TempDir, "pinwheel-deploy-")
	if err != nil {
		return nil, fmt.Errorf("make temporary repository: %w", err)
	}
	r := &gitRepo{git: g, creds: creds, dir: dir, remote: remote}
	if _, err := r.run(ctx, "init", "--quiet", "--bare", dir); err != nil {
		r.close()
		return nil, err
	}
	return r, nil
}

func (r *gitRepo) close() { _ = os.RemoveAll(r.dir) }

// env builds the environment of a git child. The credential helper is the
// documented way to hand git a secret without argv or a file
// (https://git-scm.com/docs/gitcredentials#_custom_helpers); GIT_CONFIG_COUNT
// sets it without touching any config file, the empty first value drops
// helpers from the user's config so the token is the only one offered.
func (r *gitRepo) env() []string {
	env := append(os.Environ(), r.git.Env...)
	env = append(env, "GIT_TERMINAL_PROMPT=0")
	if r.creds.Token == "" {
		return env
	}
	helper := `!f() { test "$1" = get || exit 0; echo username=` + r.creds.GitUser() +
		`; echo "password=$` + tokenEnv + `"; }; f`
	return append(env,
		tokenEnv+"="+r.creds.Token,
		"GIT_CONFIG_COUNT=2",
		"GIT_CONFIG_KEY_0=credential.helper", "GIT_CONFIG_VALUE_0=",
		"GIT_CONFIG_KEY_1=credential.helper", "GIT_CONFIG_VALUE_1="+helper,
	)
}

// run runs git in the repository and returns its standard output. A failure
// carries git's standard error, scrubbed of the token and of URL passwords.
func (r *gitRepo) run(ctx context.Context, args ...string) (string, error) {
	path := r.git.Path
	if path == "" {
		path = "git"
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Dir = r.dir
	cmd.Env = r.env()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(r.scrub(stderr.String()))
		if msg == "" {
			msg = strings.TrimSpace(r.scrub(stdout.String()))
		}
		return stdout.String(), &GitError{Args: r.scrubArgs(args), Stderr: msg, Err: err}
	}
	return stdout.String(), nil
}

func (r *gitRepo) scrub(s string) string {
	return r.creds.Scrub(redact.URLs(s))
}

func (r *gitRepo) scrubArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = r.scrub(a)
	}
	return out
}

// fetch brings commit sha into the repository. Asking for a commit by id
// needs a server that allows it (protocol v2 and GitLab do); otherwise the
// branches and tags are fetched and the commit looked up among them.
func (r *gitRepo) fetch(ctx context.Context, sha string) error {
	_, err := r.run(ctx, "fetch", "--quiet", "--no-tags", "--depth=1", r.remote, sha)
	if err == nil {
		return nil
	}
	if _, err2 := r.run(ctx, "fetch", "--quiet", r.remote,
		"+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"); err2 != nil {
		if err.Error() == err2.Error() {
			err = nil // the same refusal twice (no such repository, no access): say it once
		}
		return fmt.Errorf("fetch %s from %s: %w", short(sha), redact.URLs(r.remote), errors.Join(err, err2))
	}
	if _, err := r.run(ctx, "cat-file", "-e", sha+"^{commit}"); err != nil {
		return fmt.Errorf("commit %s is not in %s: %w", short(sha), redact.URLs(r.remote), err)
	}
	return nil
}

// branch returns the commit a branch of the remote points at, or "" when
// the branch does not exist.
func (r *gitRepo) branch(ctx context.Context, name string) (string, error) {
	out, err := r.run(ctx, "ls-remote", r.remote, "refs/heads/"+name)
	if err != nil {
		return "", fmt.Errorf("read %s from %s: %w", name, redact.URLs(r.remote), err)
	}
	for _, line := range strings.Split(out, "\n") {
		sha, ref, ok := strings.Cut(line, "\t")
		if ok && ref == "refs/heads/"+name {
			return sha, nil
		}
	}
	return "", nil
}

// push moves branch to sha on the remote if and only if it still points at
// expected ("" meaning it must not exist). See
// https://git-scm.com/docs/git-push#Documentation/git-push.txt---force-with-leaseltrefnamegtltexpectgt
func (r *gitRepo) push(ctx context.Context, sha, branch, expected string) error {
	ref := "refs/heads/" + branch
	out, err := r.run(ctx, "push", "--porcelain",
		"--force-with-lease="+ref+":"+expected, r.remote, sha+":"+ref)
	flag, summary, found := pushStatus(out, ref)
	if found && flag == '!' && strings.Contains(summary, "shallow update not allowed") {
		// The commit is on none of the remote's branches (a rollback to a
		// hotfix that left the branch), so the remote cannot tell that it
		// already has the parents a shallow fetch left out, and refuses a
		// shallow push. The whole history makes it an ordinary push.
		if _, ferr := r.run(ctx, "fetch", "--quiet", "--unshallow", r.remote, sha); ferr != nil {
			return fmt.Errorf("push %s to %s: fetch its history: %w", short(sha), branch, ferr)
		}
		out, err = r.run(ctx, "push", "--porcelain",
			"--force-with-lease="+ref+":"+expected, r.remote, sha+":"+ref)
		flag, summary, found = pushStatus(out, ref)
	}
	if !found && err == nil {
		err = fmt.Errorf("git reported nothing for %s", ref)
	}
	if !found || flag != '!' {
		if err == nil {
			return nil
		}
		return fmt.Errorf("push %s to %s: %w", short(sha), branch, err)
	}
	// Rejected: either the lease failed (git's "stale info", or the remote's
	// "cannot lock ref" when it moved during the push) or the remote refused
	// (protected branch, hook). Reading the branch again tells which.
	actual, rerr := r.branch(ctx, branch)
	if rerr == nil && actual != expected {
		return &LeaseError{Branch: branch, Expected: expected, Actual: actual}
	}
	return fmt.Errorf("push %s to %s refused, %s: %w", short(sha), branch, r.scrub(summary), errors.Join(err, rerr))
}

// pushStatus finds the line for ref in `git push --porcelain` output:
// "<flag>\t<from>:<to>\t<summary>".
// https://git-scm.com/docs/git-push#_output
func pushStatus(out, ref string) (flag byte, summary string, found bool) {
	for _, line := range strings.Split(out, "\n") {
		fields := strings.SplitN(line, "\t", 3)
		if len(fields) != 3 || len(fields[0]) != 1 {
			continue
		}
		if _, to, ok := strings.Cut(fields[1], ":"); ok && to == ref {
			return fields[0][0], fields[2], true
		}
	}
	return 0, "", false
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}
