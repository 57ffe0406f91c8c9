package deploy

import (
	"fmt"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain isolates every git process (ours and the package's) from the
// machine's git configuration.
func TestMain(m *testing.M) {
	home, err := os.MkdirTemp("", "pinwheel-deploy-home-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for k, v := range map[string]string{
		"HOME":                home,
		"XDG_CONFIG_HOME":     filepath.Join(home, ".config"),
		"GIT_CONFIG_NOSYSTEM": "1",
		"GIT_AUTHOR_NAME":     "Test Author",
		"GIT_AUTHOR_EMAIL":    "author@example.com",
		"GIT_COMMITTER_NAME":  "Test Committer",
		"GIT_COMMITTER_EMAIL": "committer@example.com",
		"GIT_AUTHOR_DATE":     "2026-01-02T03:04:05Z",
		"GIT_COMMITTER_DATE":  "2026-01-02T03:04:05Z",
	} {
		os.Setenv(k, v)
	}
	for _, k := range []string{"GIT_CONFIG_COUNT", "GIT_DIR", "GIT_WORK_TREE", "PINWHEEL_GITLAB_TOKEN", "GITLAB_TOKEN", "CI_JOB_TOKEN"} {
		os.Unsetenv(k)
	}
	code := m.Run()
	os.RemoveAll(home)
	os.Exit(code)
}

// gitOut runs the real git in dir and returns its trimmed output.
func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// remoteRepo is a bare repository standing in for the project on GitLab,
// with a work tree to make commits in.
type remoteRepo struct {
	t    *testing.T
	bare string
	work string
}

func newRemoteRepo(t *testing.T) *remoteRepo {
	t.Helper()
	dir := t.TempDir()
	r := &remoteRepo{t: t, bare: filepath.Join(dir, "app.git"), work: filepath.Join(dir, "work")}
	gitOut(t, dir, "init", "--quiet", "--bare", "--initial-branch=main", r.bare)
	gitOut(t, dir, "init", "--quiet", "--initial-branch=main", r.work)
	return r
}

// commit makes a commit on main, pushes it and returns its id.
func (r *remoteRepo) commit(msg string) string {
	r.t.Helper()
	if err := os.WriteFile(filepath.Join(r.work, "VERSION"), []byte(msg+"\n"), 0o644); err != nil {
		r.t.Fatal(err)
	}
	gitOut(r.t, r.work, "add", "VERSION")
	gitOut(r.t, r.work, "commit", "--quiet", "-m", msg)
	gitOut(r.t, r.work, "push", "--quiet", r.bare, "HEAD:refs/heads/main")
	return gitOut(r.t, r.work, "rev-parse", "HEAD")
}

// head returns where branch points in the bare repository, "" if missing.
func (r *remoteRepo) head(branch string) string {
	r.t.Helper()
	cmd := exec.Command("git", "rev-parse", "--verify", "--quiet", "refs/heads/"+branch)
	cmd.Dir = r.bare
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// setBranch moves branch in the bare repository behind pinwheel's back.
func (r *remoteRepo) setBranch(branch, sha string) {
	r.t.Helper()
	gitOut(r.t, r.bare, "update-ref", "refs/heads/"+branch, sha)
}

// recordingGit writes a git wrapper that logs each argv (one line per call)
// and each environment variable name, then runs the real git. It returns
// the Git to use and a function reading the log.
func recordingGit(t *testing.T) (Git, func() string) {
	t.Helper()
	real, err := exec.LookPath("git")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	logPath := filepath.Join(dir, "argv.log")
	script := fmt.Sprintf("#!/bin/sh\nprintf '%%s\\n' \"$0 $*\" >> '%s'\nexec '%s' \"$@\"\n", logPath, real)
	wrapper := filepath.Join(dir, "git")
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return Git{Path: wrapper, TempDir: t.TempDir()}, func() string {
		b, err := os.ReadFile(logPath)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
}

// gitHTTPServer serves the bare repositories under root over smart HTTP
// (git http-backend through CGI) and accepts only user:token in Basic auth,
// as GitLab does for tokens over HTTPS.
func gitHTTPServer(t *testing.T, root, user, token string) http.Handler {
	t.Helper()
	real, err := exec.LookPath("git")
	if err != nil {
		t.Fatal(err)
	}
	backend := &cgi.Handler{
		Path: real,
		Args: []string{"http-backend"},
		Env: []string{
			"GIT_PROJECT_ROOT=" + root,
			"GIT_HTTP_EXPORT_ALL=1",
			"GIT_CONFIG_NOSYSTEM=1",
			"HOME=" + os.Getenv("HOME"),
		},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || u != user || p != token {
			w.Header().Set("WWW-Authenticate", `Basic realm="GitLab"`)
			http.Error(w, "HTTP Basic: Access denied", http.StatusUnauthorized)
			return
		}
		backend.ServeHTTP(w, r)
	})
}
