package main

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/gitlabsim"
)

// Messages a person reads, one case each: exit code and what it says.
func TestMessages(t *testing.T) {
	clearTokenEnv(t)
	_, cfg := runFixture(t)
	dir := t.TempDir()
	emptyCfg := filepath.Join(dir, "empty.yaml")
	if err := os.WriteFile(emptyCfg, []byte("gitlab: {url: https://gitlab.example.com, token_env: RUN_TEST_TOKEN}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	botOnlyCfg := filepath.Join(dir, "bot-only.yaml")
	if err := os.WriteFile(botOnlyCfg, []byte("gitlab: {url: https://gitlab.example.com, token_env: RUN_TEST_TOKEN}\n"+
		"bot: {trigger_project: g/pipelines, trigger_ref: main, packages: [{project: g/lib, name: lib}]}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sha := strings.Repeat("a", 40)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want []string
		not  []string
	}{
		{name: "run, no projects", args: []string{"run", "--config", emptyCfg}, code: 2,
			want: []string{"no projects are configured"}},
		{name: "daemon, no projects", args: []string{"daemon", "--config", emptyCfg}, code: 2,
			want: []string{"no projects are configured"}},
		{name: "validate, no projects", args: []string{"validate", "--config", emptyCfg}, code: 2,
			want: []string{"no projects are configured", "(or a bot: section)"}},
		{name: "validate, a bot and no projects", args: []string{"validate", "--config", botOnlyCfg}, code: 0,
			want: []string{"ok, 0 project(s)"}},
		{name: "run, a bot and no projects", args: []string{"run", "--config", botOnlyCfg}, code: 2,
			want: []string{"no projects are configured"}, not: []string{"bot: section"}},
		{name: "empty token variable", env: map[string]string{"RUN_TEST_TOKEN": ""}, args: []string{"run", "--config", cfg}, code: 2,
			want: []string{"RUN_TEST_TOKEN is empty"}},
		{name: "bad --now", args: []string{"run", "--config", cfg, "--now", "saturday"}, code: 2,
			want: []string{`--now "saturday"`, "RFC 3339, e.g. 2026-03-01T09:00:00Z"}},
		{name: "check --now", args: []string{"check", "--now", "3pm", "c.txt"}, code: 2,
			want: []string{"RFC 3339, e.g."}},
		{name: "check without a file", args: []string{"check"}, code: 2,
			want: []string{"check needs CONSTRAINTS_FILE"}},
		{name: "yaml without a file", args: []string{"yaml"}, code: 2,
			want: []string{"yaml needs CONSTRAINTS_FILE"}},
		{name: "deploy --gitlab-url not-a-url", env: map[string]string{"GITLAB_TOKEN": "t"},
			args: []string{"deploy", "--project", "g/p", "--sha", sha, "--gitlab-url", "not-a-url"}, code: 2,
			want: []string{`GitLab URL "not-a-url": not an http(s) URL`}, not: []string{"URL validation warning"}},
		{name: "deploy, empty GITLAB_TOKEN", env: map[string]string{"GITLAB_TOKEN": ""},
			args: []string{"deploy", "--project", "g/p", "--sha", sha, "--gitlab-url", "http://127.0.0.1:1"}, code: 2,
			want: []string{"CI_JOB_TOKEN are empty)"}},
		{name: "deploy, a job token without CI_SERVER_URL", env: map[string]string{"PINWHEEL_GITLAB_TOKEN": "", "GITLAB_TOKEN": "", "CI_JOB_TOKEN": "glcbt-x", "CI_SERVER_URL": ""},
			args: []string{"deploy", "--project", "g/p", "--sha", sha, "--gitlab-url", "http://127.0.0.1:1"}, code: 2,
			want: []string{"CI_JOB_TOKEN is not used: CI_SERVER_URL, the instance that issued it, is not set"}, not: []string{"glcbt-x"}},
		{name: "deploy, a job token of another instance", env: map[string]string{"PINWHEEL_GITLAB_TOKEN": "", "GITLAB_TOKEN": "", "CI_JOB_TOKEN": "glcbt-x", "CI_SERVER_URL": "https://127.0.0.1:1"},
			args: []string{"deploy", "--project", "g/p", "--sha", sha, "--gitlab-url", "http://127.0.0.1:1"}, code: 2,
			want: []string{"only sent to CI_SERVER_URL https://127.0.0.1:1, not to http://127.0.0.1:1"}, not: []string{"glcbt-x"}},
		{name: "negative --limit", env: map[string]string{"GITLAB_TOKEN": "t"},
			args: []string{"rollback", "--project", "g/p", "--list", "--limit", "-1", "--gitlab-url", "http://127.0.0.1:1"}, code: 2,
			want: []string{"--limit must be 0 (all) or more"}},
		{name: "--version", args: []string{"--version"}, code: 0, want: []string{"pinwheel "}},
		{name: "completion, unknown shell", args: []string{"completion", "tcsh"}, code: 2, want: []string{`unknown command "tcsh"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var logged bytes.Buffer
			old := slog.Default()
			slog.SetDefault(slog.New(slog.NewTextHandler(&logged, nil)))
			defer slog.SetDefault(old)
			stdout, stderr, code := runCLI(t, tt.args...)
			out := stdout + stderr + logged.String()
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s", code, tt.code, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(out, w) {
					t.Errorf("output has %q:\n%s", w, out)
				}
			}
		})
	}
}

// A run that fails before it could look says so and why, never "0
// problem(s)"; a 404 on the project says the token may not see it; a
// refused token names its variable.
func TestRunFailureSummary(t *testing.T) {
	now := "--now=" + runSaturday.Format(time.RFC3339)
	_, cfg := runFixture(t, "group/missing")
	stdout, stderr, code := runCLI(t, "run", "--config", cfg, now)
	if code != 1 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "group/missing: run failed: ") || !strings.Contains(stderr, "project group/missing not found (or the token cannot see it)") {
		t.Errorf("stderr lacks the failure and the 404 hint:\n%s", stderr)
	}
	for _, line := range strings.Split(stdout+stderr, "\n") {
		if strings.HasPrefix(line, "group/missing:") && strings.Contains(line, "problem(s)") {
			t.Errorf("failed run summarised with counts: %q", line)
		}
	}
	if !strings.Contains(stdout, "group/app: 1 update(s)") {
		t.Errorf("the other project's summary:\n%s", stdout)
	}

	t.Setenv("RUN_TEST_TOKEN", "glpat-wrong")
	stdout, stderr, code = runCLI(t, "run", "--config", cfg, "--project", "group/app", now)
	if code != 1 || !strings.Contains(stderr, "GitLab refused the token: check the variable RUN_TEST_TOKEN") {
		t.Errorf("401: exit %d\n%s%s", code, stdout, stderr)
	}
}

// A dry run never creates or changes the state file, and prints each
// action once (not again in the log at info level). --state moves the
// state file.
func TestDryRunWritesNoState(t *testing.T) {
	_, cfgPath := runFixture(t)
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	// The fixture's state file does not exist yet; its directory does not
	// either once pointed somewhere new.
	missing := filepath.Join(t.TempDir(), "var", "lib", "pinwheel", "state.db")
	now := "--now=" + runSaturday.Format(time.RFC3339)
	for _, args := range [][]string{{"--dry-run", now}, {"--dry-run", now, "--state", missing}} {
		// Log at info, where the actions used to be logged a second time.
		text, _ := os.ReadFile(cfgPath)
		if err := os.WriteFile(cfgPath, bytes.Replace(text, []byte("level: error"), []byte("level: info"), 1), 0o644); err != nil {
			t.Fatal(err)
		}
		stdout, stderr, code := runCLI(t, append([]string{"run", "--config", cfgPath}, args...)...)
		if code != 0 {
			t.Fatalf("dry run %v: exit %d\n%s%s", args, code, stdout, stderr)
		}
		if n := strings.Count(stdout+stderr, `open MR "Update requests to 2.32.4"`); n != 1 {
			t.Errorf("the MR action shows %d times, want once:\n%s%s", n, stdout, stderr)
		}
		if strings.Contains(stderr, "open MR") {
			t.Errorf("the actions are logged too:\n%s", stderr)
		}
	}
	for _, p := range []string{cfg.State, missing, filepath.Dir(missing)} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("dry run created %s (%v)", p, err)
		}
	}

	// A real run with --state writes there, and a dry run after it reads
	// the file without changing it.
	if _, stderr, code := runCLI(t, "run", "--config", cfgPath, now, "--state", missing); code != 0 {
		t.Fatalf("run --state: exit %d\n%s", code, stderr)
	}
	before, err := os.ReadFile(missing)
	if err != nil {
		t.Fatalf("run --state did not write %s: %v", missing, err)
	}
	if _, err := os.Stat(cfg.State); !os.IsNotExist(err) {
		t.Errorf("run --state also wrote the config's state %s", cfg.State)
	}
	if _, stderr, code := runCLI(t, "run", "--config", cfgPath, now, "--state", missing, "--dry-run"); code != 0 {
		t.Fatalf("dry run on an existing state: exit %d\n%s", code, stderr)
	}
	if after, _ := os.ReadFile(missing); !bytes.Equal(before, after) {
		t.Error("the dry run changed the state file")
	}
}

func TestValidate(t *testing.T) {
	_, cfg := runFixture(t)
	stdout, stderr, code := runCLI(t, "validate", "--config", cfg)
	if code != 0 || !strings.Contains(stdout, "ok, 1 project(s)") {
		t.Errorf("valid config: exit %d\n%s%s", code, stdout, stderr)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("gitlab: {url: https://gitlab.example.com, token_env: T}\ncron: every hour\nprojects:\n  - path: group/app\n    schedule: {timezone: Mars/Olympus}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code = runCLI(t, "validate", "--config", bad)
	if code != 2 || !strings.Contains(stderr, bad+":2: cron") || !strings.Contains(stderr, bad+":5: ") {
		t.Errorf("bad config: exit %d, want 2 with file:line problems\n%s", code, stderr)
	}
}

// Every command's help ends with an exit-status section and names its
// flags' values with placeholders (FILE, URL, N), not Go types.
func TestHelpIsConsistent(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if !strings.Contains(c.Long, "Exit status: 0 ") {
			t.Errorf("%s: help has no exit-status section", c.CommandPath())
		}
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			name, _ := pflag.UnquoteUsage(f)
			switch name {
			case "string", "stringArray", "strings", "int", "duration", "uint", "float64":
				t.Errorf("%s --%s: placeholder %q, want a word like FILE", c.CommandPath(), f.Name, name)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd())
}

// rollback --to a commit no earlier successful deployment has is a usage
// error: nothing is changed, and the argument is what is wrong.
func TestRollbackToUnknownSHA(t *testing.T) {
	clearTokenEnv(t)
	sim := gitlabsim.New(gitlabsim.Options{})
	defer sim.Close()
	_, token := sim.AddUser("deployer")
	p := sim.CreateProject("group/app", "main")
	sim.Commit(p, "main", "one", map[string]string{"VERSION": "1\n"})
	t.Setenv("GITLAB_TOKEN", token)
	out, code := runDeployCLI(t, "rollback", "--project", "group/app", "--gitlab-url", sim.URL(), "--to", strings.Repeat("b", 40), "--remote", t.TempDir())
	if code != 2 || !strings.Contains(out, "no such earlier successful deployment") {
		t.Errorf("exit %d, want 2:\n%s", code, out)
	}
}

// deploy with a token GitLab refuses names the variable to check.
func TestDeploy401NamesTheVariable(t *testing.T) {
	clearTokenEnv(t)
	sim := gitlabsim.New(gitlabsim.Options{})
	defer sim.Close()
	sim.CreateProject("group/app", "main")
	t.Setenv("PINWHEEL_GITLAB_TOKEN", "glpat-refused")
	out, code := runDeployCLI(t, "rollback", "--project", "group/app", "--gitlab-url", sim.URL(), "--list")
	if code != 1 || !strings.Contains(out, "GitLab refused the token: check the variable PINWHEEL_GITLAB_TOKEN") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	if strings.Contains(out, "glpat-refused") {
		t.Errorf("the token was printed")
	}
}
