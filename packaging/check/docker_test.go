package check

import (
	"bytes"
	"net"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/pinwheel-dev/pinwheel/config"
)

const dockerfile = "../docker/Dockerfile"

// parseDockerfile parses the Dockerfile with BuildKit's own parser (what
// docker build runs), failing on its warnings and on its linter's.
func parseDockerfile(t *testing.T, data []byte) []instructions.Stage {
	t.Helper()
	res, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", dockerfile, err)
	}
	for _, w := range res.Warnings {
		t.Errorf("%s: %s", dockerfile, w.Short)
	}
	lint := linter.New(&linter.Config{Warn: func(rule, _, url, msg string, loc []parser.Range) {
		line := 0
		if len(loc) > 0 {
			line = loc[0].Start.Line
		}
		t.Errorf("%s:%d: %s: %s (%s)", dockerfile, line, rule, msg, url)
	}})
	stages, _, err := instructions.Parse(res.AST, lint)
	if err != nil {
		t.Fatalf("%s: %v", dockerfile, err)
	}
	return stages
}

// commands returns the stage's instructions of type T.
func commandsOf[T instructions.Command](s instructions.Stage) []T {
	var out []T
	for _, c := range s.Commands {
		if v, ok := c.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

func lastOf[T instructions.Command](t *testing.T, s instructions.Stage, what string) T {
	t.Helper()
	all := commandsOf[T](s)
	if len(all) == 0 {
		t.Fatalf("stage %s has no %s", s.Name, what)
	}
	return all[len(all)-1]
}

// TestDockerfile checks the Dockerfile's promises without a Docker engine
// (.ci/run builds it where one runs): a static binary, non-root users, the
// daemon as the default target with a command pinwheel accepts, and a ci
// target with python3, venv, pip and git for prepare.
func TestDockerfile(t *testing.T) {
	data, err := os.ReadFile(dockerfile)
	if err != nil {
		t.Fatal(err)
	}
	stages := parseDockerfile(t, data)
	byName := map[string]instructions.Stage{}
	for _, s := range stages {
		byName[s.Name] = s
	}
	for _, name := range []string{"build", "ci", "daemon"} {
		if _, ok := byName[name]; !ok {
			t.Fatalf("no stage %q", name)
		}
	}
	if last := stages[len(stages)-1]; last.Name != "daemon" {
		t.Errorf("the last stage (the default target) is %q, want daemon", last.Name)
	}

	var buildRun []string
	for _, r := range commandsOf[*instructions.RunCommand](byName["build"]) {
		buildRun = append(buildRun, r.CmdLine...)
	}
	if run := strings.Join(buildRun, "\n"); !strings.Contains(run, "CGO_ENABLED=0") || !strings.Contains(run, "./cmd/pinwheel") {
		t.Error("build stage: want CGO_ENABLED=0 go build ... ./cmd/pinwheel")
	}

	for _, name := range []string{"daemon", "ci"} {
		user := lastOf[*instructions.UserCommand](t, byName[name], "USER").User
		if uid, _, _ := strings.Cut(user, ":"); uid == "" || uid == "0" || uid == "root" {
			t.Errorf("stage %s: USER %q, want a non-root user", name, user)
		}
	}

	d := byName["daemon"]
	if d.BaseName != "scratch" {
		t.Errorf("daemon stage FROM %s, want scratch (the static binary needs nothing else)", d.BaseName)
	}
	certs := slices.ContainsFunc(commandsOf[*instructions.CopyCommand](d), func(c *instructions.CopyCommand) bool {
		return slices.ContainsFunc(c.SourcePaths, func(p string) bool { return strings.HasSuffix(p, "ca-certificates.crt") })
	})
	if !certs {
		t.Error("daemon stage: want the CA certificates (GitLab and the index are HTTPS)")
	}
	entry := lastOf[*instructions.EntrypointCommand](t, d, "ENTRYPOINT")
	if entry.PrependShell || len(entry.CmdLine) != 1 || !strings.HasSuffix(entry.CmdLine[0], "/pinwheel") {
		t.Errorf("daemon ENTRYPOINT %q, want the pinwheel binary alone, exec form", entry.CmdLine)
	}
	cmd := lastOf[*instructions.CmdCommand](t, d, "CMD")
	flags := checkArgs(t, "daemon CMD", cmd.CmdLine)
	if cmd.PrependShell || cmd.CmdLine[0] != "daemon" || flags["config"] == "" {
		t.Errorf("daemon CMD %q, want daemon --config FILE, exec form", cmd.CmdLine)
	}
	_, port, _ := net.SplitHostPort(config.Default().Listen)
	if got := lastOf[*instructions.ExposeCommand](t, d, "EXPOSE").Ports; !slices.Equal(got, []string{port}) {
		t.Errorf("daemon EXPOSE %q, want the default listen port %s", got, port)
	}
	stateDir := strings.TrimSuffix(config.Default().State, "/state.db")
	if got := lastOf[*instructions.VolumeCommand](t, d, "VOLUME").Volumes; !slices.Equal(got, []string{stateDir}) {
		t.Errorf("daemon VOLUME %q, want the default state directory %s", got, stateDir)
	}

	var ciRun []string
	for _, r := range commandsOf[*instructions.RunCommand](byName["ci"]) {
		ciRun = append(ciRun, strings.Fields(strings.Join(r.CmdLine, " "))...)
	}
	for _, pkg := range []string{"python3", "python3-venv", "python3-pip", "git", "ca-certificates"} {
		if !slices.Contains(ciRun, pkg) {
			t.Errorf("ci stage installs no %s (prepare needs python3 with venv and pip, and git)", pkg)
		}
	}
}
