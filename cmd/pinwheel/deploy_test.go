package main

import (
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/gitlabsim"
)

// runDeployCLI runs pinwheel with args and returns its output (stdout,
// then stderr) and exit code.
func runDeployCLI(t *testing.T, args ...string) (string, int) {
	t.Helper()
	stdout, stderr, code := runCLI(t, args...)
	return stdout + stderr, code
}

func clearTokenEnv(t *testing.T) {
	for _, k := range []string{"PINWHEEL_GITLAB_TOKEN", "GITLAB_TOKEN", "CI_JOB_TOKEN", "CI_SERVER_URL"} {
		t.Setenv(k, "")
	}
}

func TestDeployUsageErrors(t *testing.T) {
	clearTokenEnv(t)
	sha := strings.Repeat("a", 40)
	tests := []struct {
		name  string
		token string
		args  []string
		want  string
	}{
		{"no project", "t", []string{"deploy", "--sha", sha, "--gitlab-url", "http://127.0.0.1:1"}, "--project is required"},
		{"no sha", "t", []string{"deploy", "--project", "g/p", "--gitlab-url", "http://127.0.0.1:1"}, "--sha is required"},
		{"no gitlab url", "t", []string{"deploy", "--project", "g/p", "--sha", sha}, "no GitLab URL"},
		{"no token", "", []string{"deploy", "--project", "g/p", "--sha", sha, "--gitlab-url", "http://127.0.0.1:1"}, "no GitLab token"},
		{"sha not hex", "t", []string{"deploy", "--project", "g/p", "--sha", "main", "--gitlab-url", "http://127.0.0.1:1"}, "not a commit id"},
		{"positional argument", "t", []string{"deploy", "g/p"}, "takes no arguments"},
		{"unknown flag", "t", []string{"rollback", "--project", "g/p", "--bogus"}, "unknown flag"},
		{"to and steps", "t", []string{"rollback", "--project", "g/p", "--to", sha, "--steps", "2"}, "exclude each other"},
		{"list and to", "t", []string{"rollback", "--project", "g/p", "--list", "--to", sha}, "--list does not roll back"},
		{"steps zero", "t", []string{"rollback", "--project", "g/p", "--steps", "0"}, "at least 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("GITLAB_TOKEN", tt.token)
			out, code := runDeployCLI(t, tt.args...)
			if code != 2 || !strings.Contains(out, tt.want) {
				t.Errorf("exit %d, output %q; want exit 2 and %q", code, out, tt.want)
			}
		})
	}
}

func TestDeployCLIAgainstSimulator(t *testing.T) {
	clearTokenEnv(t)
	sim := gitlabsim.New(gitlabsim.Options{})
	defer sim.Close()
	_, token := sim.AddUser("deployer")
	p := sim.CreateProject("group/app", "main")
	sha := sim.Commit(p, "main", "one", map[string]string{"VERSION": "1\n"})
	t.Setenv("GITLAB_TOKEN", token)
	t.Setenv("CI_SERVER_URL", sim.URL())

	t.Run("unknown commit is refused", func(t *testing.T) {
		unknown := strings.Repeat("0", 40)
		out, code := runDeployCLI(t, "deploy", "--project", "group/app", "--sha", unknown, "--remote", t.TempDir())
		if code != 1 || !strings.Contains(out, "is not in group/app's history; nothing changed") {
			t.Errorf("exit %d, output %q", code, out)
		}
		if strings.Contains(out, token) {
			t.Errorf("token in output %q", out)
		}
	})

	t.Run("list", func(t *testing.T) {
		out, code := runDeployCLI(t, "rollback", "--project", "group/app", "--list")
		if code != 0 || out != "no deployments\n" {
			t.Errorf("exit %d, output %q", code, out)
		}
		api, err := gitlab.NewClient(token, gitlab.WithBaseURL(sim.URL()))
		if err != nil {
			t.Fatal(err)
		}
		for _, status := range []gitlab.DeploymentStatusValue{"success", "failed"} {
			if _, _, err := api.Deployments.CreateProjectDeployment("group/app", &gitlab.CreateProjectDeploymentOptions{
				Environment: gitlab.Ptr("production"), Ref: gitlab.Ptr("production"), SHA: gitlab.Ptr(sha),
				Tag: gitlab.Ptr(false), Status: gitlab.Ptr(status),
			}); err != nil {
				t.Fatal(err)
			}
		}
		out, code = runDeployCLI(t, "rollback", "--project", "group/app", "--list")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if code != 0 || len(lines) != 3 || !strings.HasPrefix(lines[0], "ID") ||
			!strings.HasPrefix(lines[1], "2 ") || !strings.HasSuffix(lines[1], "failed") ||
			!strings.Contains(lines[2], sha[:8]) {
			t.Errorf("exit %d, output:\n%s", code, out)
		}
	})

	// GitLab answers 404, not 403, for a project the token may not see.
	for _, args := range [][]string{{"--list"}, {"--steps", "1"}} {
		t.Run("unknown project "+args[0], func(t *testing.T) {
			out, code := runDeployCLI(t, append([]string{"rollback", "--project", "group/gone"}, args...)...)
			if code != 1 || !strings.Contains(out, "project group/gone not found (or the token cannot see it)") {
				t.Errorf("exit %d, output %q", code, out)
			}
		})
	}

	t.Run("rollback with nothing earlier", func(t *testing.T) {
		out, code := runDeployCLI(t, "rollback", "--project", "group/app")
		if code != 1 || !strings.Contains(out, "nothing changed") {
			t.Errorf("exit %d, output %q", code, out)
		}
	})
}
