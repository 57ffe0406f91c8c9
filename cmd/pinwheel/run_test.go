package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/gitlabsim"
	"github.com/pinwheel-dev/pinwheel/indexsim"
	"github.com/pinwheel-dev/pinwheel/state"
)

var runSaturday = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

// runWorld is the simulators the run and shard tests share: a GitLab
// with the user pinwheel (its token in RUN_TEST_TOKEN), an index with
// requests 2.31.0 and 2.32.4, both at runSaturday; and the head of a
// config naming them, with its state file in dir.
func runWorld(t *testing.T) (gl *gitlabsim.Server, idx *indexsim.Server, dir, cfgHead string) {
	t.Helper()
	clock := func() time.Time { return runSaturday }
	gl = gitlabsim.New(gitlabsim.Options{Clock: clock})
	t.Cleanup(gl.Close)
	idx = indexsim.New(indexsim.Options{Clock: clock})
	t.Cleanup(idx.Close)
	idx.AddRelease("requests", "2.31.0", indexsim.File{Filename: "requests-2.31.0.tar.gz", UploadTime: runSaturday.AddDate(-1, 0, 0)})
	idx.AddRelease("requests", "2.32.4", indexsim.File{Filename: "requests-2.32.4.tar.gz", UploadTime: runSaturday.AddDate(0, 0, -20)})
	_, token := gl.AddUser("pinwheel")
	t.Setenv("RUN_TEST_TOKEN", token)
	dir = t.TempDir()
	cfgHead = fmt.Sprintf("index: {url: %s}\nstate: %s\ngitlab: {url: %s, token_env: RUN_TEST_TOKEN}\nlog: {level: error}\n",
		idx.IndexURL(), filepath.Join(dir, "state.db"), gl.URL())
	return gl, idx, dir, cfgHead
}

// writeConfig writes cfg as dir/pinwheel.yaml and returns its path.
func writeConfig(t *testing.T, dir, cfg string) string {
	t.Helper()
	path := filepath.Join(dir, "pinwheel.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// runFixture is a GitLab with group/app pinning requests 2.31.0, an index
// with 2.32.4, and a config naming both plus group/missing when asked.
func runFixture(t *testing.T, projects ...string) (*gitlabsim.Server, string) {
	t.Helper()
	gl, _, dir, cfg := runWorld(t)
	p := gl.CreateProject("group/app", "main")
	gl.Commit(p, "main", "Initial", map[string]string{"constraints.txt": "requests==2.31.0\n"})
	cfg += "projects:\n"
	for _, path := range append([]string{"group/app"}, projects...) {
		cfg += "  - path: " + path + "\n"
	}
	return gl, writeConfig(t, dir, cfg)
}

func runRunCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	stdout, stderr, err := execute(append([]string{"run"}, args...)...)
	return stdout + stderr, err
}

func exitCode(err error) int {
	var ee *exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.code
	}
	return 1
}

func TestRunCommand(t *testing.T) {
	gl, cfg := runFixture(t)
	now := "--now=" + runSaturday.Format(time.RFC3339)

	out, err := runRunCmd(t, "--config", cfg, "--dry-run", now)
	if err != nil {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	for _, want := range []string{
		`group/app: would open MR "Update requests to 2.32.4" from pinwheel/requests-2.x`,
		`group/app: would create dashboard issue "Dependency Dashboard"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}
	if st := gl.Stats(); st.Writes != 0 {
		t.Fatalf("dry run wrote: %v", st.ByEndpoint)
	}

	out, err = runRunCmd(t, "--config", cfg, "--project", "group/app", now)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	p, _ := gl.Project("group/app")
	if mrs := gl.MergeRequests(p); len(mrs) != 1 || mrs[0].Title != "Update requests to 2.32.4" {
		t.Errorf("MRs: %+v", mrs)
	}
	if !strings.Contains(out, "group/app: 1 update(s), 1 MR(s) opened") {
		t.Errorf("summary:\n%s", out)
	}
	// No webhook reaches `pinwheel run`, so its dashboard offers no
	// "run again" box nobody would act on.
	if is := gl.Issues(p); len(is) != 1 || strings.Contains(is[0].Description, "<!-- manual job -->") {
		t.Errorf("dashboard after a run: %d issues, or a run-again box without a webhook", len(is))
	}
	if strings.Contains(out, os.Getenv("RUN_TEST_TOKEN")) {
		t.Errorf("the token was printed")
	}
}

func TestRunCommandExitCodes(t *testing.T) {
	_, cfg := runFixture(t, "group/missing")
	tests := []struct {
		name string
		args []string
		env  string
		code int
	}{
		{"one project fails, the other runs", []string{"--config", cfg}, "", 1},
		{"no config", nil, "", 2},
		{"unknown project", []string{"--config", cfg, "--project", "group/nope"}, "", 2},
		{"bad --now", []string{"--config", cfg, "--now", "saturday"}, "", 2},
		{"no token", []string{"--config", cfg}, "unset", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env == "unset" {
				t.Setenv("RUN_TEST_TOKEN", "")
			}
			out, err := runRunCmd(t, tc.args...)
			if got := exitCode(err); got != tc.code {
				t.Errorf("exit %d, want %d: %v\n%s", got, tc.code, err, out)
			}
		})
	}
}

// TestDryRunBesideADaemon: a live daemon holds the state file's lock; a dry
// run still previews, on a temporary state, and writes nothing. A real run
// is refused with the file named.
func TestDryRunBesideADaemon(t *testing.T) {
	gl, cfgPath := runFixture(t)
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	held, err := state.Open(cfg.State)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	now := "--now=" + runSaturday.Format(time.RFC3339)

	out, err := runRunCmd(t, "--config", cfgPath, "--dry-run", now)
	if err != nil {
		t.Fatalf("dry run beside a daemon: %v\n%s", err, out)
	}
	if !strings.Contains(out, `would open MR "Update requests to 2.32.4"`) || !strings.Contains(out, "temporary state") {
		t.Errorf("dry run output:\n%s", out)
	}
	if st := gl.Stats(); st.Writes != 0 {
		t.Errorf("dry run wrote: %v", st.ByEndpoint)
	}

	out, err = runRunCmd(t, "--config", cfgPath, now)
	if err == nil || !strings.Contains(err.Error(), cfg.State) {
		t.Errorf("real run beside a daemon: err %v, want the locked state file named\n%s", err, out)
	}
}

// A real run at log level info prints each GitLab write once: on stdout,
// not again in the log.
func TestRunPrintsEachActionOnce(t *testing.T) {
	_, cfgPath := runFixture(t)
	text, _ := os.ReadFile(cfgPath)
	if err := os.WriteFile(cfgPath, []byte(strings.Replace(string(text), "level: error", "level: info", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runCLI(t, "run", "--config", cfgPath, "--now="+runSaturday.Format(time.RFC3339))
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	for _, action := range []string{`open MR "Update requests to 2.32.4"`, `create dashboard issue "Dependency Dashboard"`} {
		if n := strings.Count(stdout, action); n != 1 {
			t.Errorf("%q is on stdout %d times, want once:\n%s", action, n, stdout)
		}
	}
	// logrus quotes the action, so look for the entry's message.
	if strings.Contains(stderr, "gitlab write") {
		t.Errorf("the actions are logged too:\n%s", stderr)
	}
}
