package gitlabci

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/pinwheel-dev/pinwheel/gitlabsim"
	"github.com/pinwheel-dev/pinwheel/indexsim"
	"github.com/pinwheel-dev/pinwheel/internal/testwheel"
)

// gitlabCILocal finds gitlab-ci-local ($GITLAB_CI_LOCAL, which .ci/run
// sets, else PATH). Where it is missing the test skips, except in CI
// (CI=true), where a pipeline that was never run must not pass.
func gitlabCILocal(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the example pipeline with gitlab-ci-local and builds a real venv")
	}
	missing := func(what string, err error) {
		t.Helper()
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is needed to run the example pipeline (.ci/run installs it): %v", what, err)
		}
		t.Skipf("%s not available, the example pipeline is not run (bash .ci/run installs it): %v", what, err)
	}
	bin := os.Getenv("GITLAB_CI_LOCAL")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("gitlab-ci-local"); err != nil {
			missing("gitlab-ci-local", err)
		}
	}
	for _, tool := range []string{"rsync", "git", "tar"} { // gitlab-ci-local's shell executor copies with rsync
		if _, err := exec.LookPath(tool); err != nil {
			missing(tool, err)
		}
	}
	if err := exec.Command("python3", "-c", "import venv, ensurepip").Run(); err != nil {
		missing("python3 with venv", err)
	}
	return bin
}

// TestExamplePipeline runs examples/gitlab-ci/.gitlab-ci.yml as GitLab
// would, on the shell: the two prepare jobs (the first builds the venv
// from the index simulator's wheels and stores it in the package registry,
// the second takes it from there), then, with the venv deleted as on a
// fresh runner, the test jobs (the documented one-liner unpacks the
// artifact, the project's tests import the pinned versions) and
// deploy-production (moves production in the bare repository and records
// the deployment).
func TestExamplePipeline(t *testing.T) {
	gcl := gitlabCILocal(t)
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "bin")
	run(t, "..", "go", "build", "-o", filepath.Join(bin, "pinwheel"), "../cmd/pinwheel")
	// Isolated from the machine's git and gitlab-ci-local settings (after
	// the build, which needs the machine's Go cache under HOME).
	t.Setenv("HOME", filepath.Join(tmp, "home"))
	for k, v := range map[string]string{
		"GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@example.com",
		"GIT_COMMITTER_NAME": "Dev", "GIT_COMMITTER_EMAIL": "dev@example.com",
		"PINWHEEL_GITLAB_TOKEN": "", "GITLAB_TOKEN": "", "CI_JOB_TOKEN": "", "PIP_INDEX_URL": "", "PIP_FIND_LINKS": "",
	} {
		t.Setenv(k, v)
	}

	idx := indexsim.New(indexsim.Options{})
	defer idx.Close()
	if err := testwheel.Serve(idx,
		testwheel.Wheel{Name: "alpha", Version: "1.0"},
		testwheel.Wheel{Name: "alpha", Version: "2.0"},
		testwheel.Wheel{Name: "beta", Version: "1.5", Requires: []string{"alpha>=1.0"}},
	); err != nil {
		t.Fatal(err)
	}
	sim := gitlabsim.New(gitlabsim.Options{})
	defer sim.Close()
	app := sim.CreateProject("group/app", "main")
	data := sim.CreateProject("group/kpet-db", "main")
	sim.Commit(data, "production", "trees", map[string]string{"index.yaml": "trees: {}\n"})
	jobToken := sim.AddJobToken("ci")

	// The production remote: a bare repository behind the front, which
	// gitlab-ci-local takes as the project's origin (CI_SERVER_URL,
	// CI_PROJECT_PATH).
	bare := filepath.Join(tmp, "git", "app.git")
	run(t, tmp, "git", "init", "--quiet", "--bare", "--initial-branch=main", bare)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: newFront(t, sim.URL(), "group/app", bare, jobToken)}
	go srv.Serve(ln)
	defer srv.Close()
	server := "http://" + ln.Addr().String()

	work := filepath.Join(tmp, "app")
	run(t, tmp, "git", "init", "--quiet", "--initial-branch=main", work)
	for _, f := range []string{".gitlab-ci.yml", "constraints.txt", "tests/test_constraints.py"} {
		copyFile(t, f, filepath.Join(work, f))
	}
	run(t, work, "git", "config", "user.email", "dev@example.com")
	run(t, work, "git", "config", "user.name", "Dev")
	run(t, work, "git", "add", ".")
	run(t, work, "git", "commit", "--quiet", "-m", "example project")
	run(t, work, "git", "remote", "add", "origin", server+"/group/app.git")
	run(t, work, "git", "push", "--quiet", bare, "HEAD:refs/heads/main")
	head := run(t, work, "git", "rev-parse", "HEAD")

	software := filepath.Join(tmp, "software")
	vars := map[string]string{
		"SOFTWARE_DIR":        software,
		"GITLAB_COM_PACKAGES": "alpha beta",
		"DATA_PROJECTS":       "group/kpet-db",
		"PIP_INDEX_URL":       idx.IndexURL(),
		"CI_JOB_TOKEN":        jobToken,
		"CI_PROJECT_ID":       strconv.Itoa(app.ID),
		"CI_DEFAULT_BRANCH":   "main",
	}
	args := []string{"--force-shell-executor", "--shell-isolation", "--concurrency", "1", "--no-color", "--timestamps",
		"--ignore-predefined-vars", "CI_JOB_TOKEN,CI_PROJECT_ID,CI_DEFAULT_BRANCH"}
	for k, v := range vars {
		args = append(args, "--variable", k+"="+v)
	}
	pipeline := func(jobs ...string) string {
		t.Helper()
		cmd := exec.Command(gcl, append(args, jobs...)...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("gitlab-ci-local %s: %v\n%s", strings.Join(jobs, " "), err, out)
		}
		for _, job := range jobs {
			if !regexp.MustCompile(`PASS\s+(\[[^\]]*\]\s+)?` + regexp.QuoteMeta(job) + `\b`).Match(out) {
				t.Errorf("job %s did not pass:\n%s", job, out)
			}
		}
		if strings.Contains(string(out), jobToken) {
			t.Errorf("a job printed the job token")
		}
		t.Logf("gitlab-ci-local %s:\n%s", strings.Join(jobs, " "), out)
		return string(out)
	}

	out := pipeline("prepare-fedora", "prepare-centos")
	for _, want := range []string{"prepare: built venv-fedora.tar.gz", "prepare: from the GitLab cache venv-centos.tar.gz"} {
		if !strings.Contains(out, want) {
			t.Errorf("prepare jobs' output lacks %q:\n%s", want, out)
		}
	}
	if n := sim.Stats().ByEndpoint["PUT /projects/:id/packages/generic/:package_name/:package_version/:file_name"]; n != 1 {
		t.Errorf("%d uploads to the package registry, want 1", n)
	}

	if err := os.RemoveAll(software); err != nil { // the test jobs run on other runners
		t.Fatal(err)
	}
	out = pipeline("test-fedora", "test-centos", "deploy-production")
	if c := strings.Count(out, "Ran 3 tests"); c != 2 {
		t.Errorf("the project's tests ran %d times, want once per test job:\n%s", c, out)
	}
	if got := run(t, bare, "git", "rev-parse", "refs/heads/production"); got != head {
		t.Errorf("production = %s, want the pipeline's commit %s", got, head)
	}
	deps := sim.Deployments(app)
	if len(deps) != 1 || deps[0].SHA != head || deps[0].Status != "success" || deps[0].Environment != "production" {
		t.Errorf("deployments = %+v, want one success of %s to production", deps, head)
	}
}

func run(t *testing.T, dir string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
