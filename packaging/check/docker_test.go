package check

import (
	"encoding/json"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/pinwheel-dev/pinwheel/config"
)

const dockerfile = "../docker/Dockerfile"

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	Cmd, Args string
}

// stage is one FROM ... AS name and what follows it.
type stage struct {
	Name, From string
	Lines      []instruction
}

func (s stage) all(cmd string) []string {
	var out []string
	for _, l := range s.Lines {
		if l.Cmd == cmd {
			out = append(out, l.Args)
		}
	}
	return out
}

func (s stage) final(cmd string) string {
	all := s.all(cmd)
	if len(all) == 0 {
		return ""
	}
	return all[len(all)-1]
}

var heredocStart = regexp.MustCompile(`<<-?'?"?([A-Z]+)'?"?`)

// parseDockerfile reads the instructions, skipping comments and the bodies
// of here-documents (COPY <<'EOF').
func parseDockerfile(t *testing.T, text string) []stage {
	t.Helper()
	var stages []stage
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for strings.HasSuffix(line, "\\") && i+1 < len(lines) {
			i++
			line = strings.TrimSuffix(line, "\\") + " " + strings.TrimSpace(lines[i])
		}
		if m := heredocStart.FindStringSubmatch(line); m != nil {
			for i++; i < len(lines) && strings.TrimSpace(lines[i]) != m[1]; i++ {
			}
		}
		cmd, args, _ := strings.Cut(line, " ")
		cmd = strings.ToUpper(cmd)
		if cmd == "FROM" {
			f := strings.Fields(args)
			s := stage{From: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				s.Name = f[2]
			}
			stages = append(stages, s)
			continue
		}
		if len(stages) == 0 {
			if cmd != "ARG" {
				t.Fatalf("%s: %s before the first FROM", dockerfile, cmd)
			}
			continue
		}
		stages[len(stages)-1].Lines = append(stages[len(stages)-1].Lines, instruction{cmd, strings.TrimSpace(args)})
	}
	return stages
}

// exec form: ["a", "b"].
func execForm(t *testing.T, what, s string) []string {
	t.Helper()
	var args []string
	if err := json.Unmarshal([]byte(s), &args); err != nil {
		t.Fatalf("%s %s: want the exec (JSON) form: %v", what, s, err)
	}
	return args
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
	stages := parseDockerfile(t, string(data))
	byName := map[string]stage{}
	for _, s := range stages {
		byName[s.Name] = s
	}
	for _, name := range []string{"build", "ci", "daemon"} {
		if _, ok := byName[name]; !ok {
			t.Fatalf("no stage %q (stages: %v)", name, stages)
		}
	}
	if last := stages[len(stages)-1]; last.Name != "daemon" {
		t.Errorf("the last stage (the default target) is %q, want daemon", last.Name)
	}

	buildRun := strings.Join(byName["build"].all("RUN"), "\n")
	if !strings.Contains(buildRun, "CGO_ENABLED=0") || !strings.Contains(buildRun, "./cmd/pinwheel") {
		t.Error("build stage: want CGO_ENABLED=0 go build ... ./cmd/pinwheel")
	}

	for _, name := range []string{"daemon", "ci"} {
		user := byName[name].final("USER")
		uid, _, _ := strings.Cut(user, ":")
		if user == "" || uid == "0" || uid == "root" {
			t.Errorf("stage %s: USER %q, want a non-root user", name, user)
		}
	}

	d := byName["daemon"]
	if d.From != "scratch" {
		t.Errorf("daemon stage FROM %s, want scratch (the static binary needs nothing else)", d.From)
	}
	if !strings.Contains(strings.Join(d.all("COPY"), "\n"), "ca-certificates.crt") {
		t.Error("daemon stage: want the CA certificates (GitLab and the index are HTTPS)")
	}
	entry := execForm(t, "ENTRYPOINT", d.final("ENTRYPOINT"))
	if len(entry) != 1 || !strings.HasSuffix(entry[0], "/pinwheel") {
		t.Errorf("daemon ENTRYPOINT %q, want the pinwheel binary alone", entry)
	}
	cmd := execForm(t, "CMD", d.final("CMD"))
	flags := checkArgs(t, "daemon CMD", cmd)
	if cmd[0] != "daemon" || flags["config"] == "" {
		t.Errorf("daemon CMD %q, want daemon --config FILE", cmd)
	}
	_, port, _ := net.SplitHostPort(config.Default().Listen)
	if got := d.final("EXPOSE"); got != port {
		t.Errorf("daemon EXPOSE %q, want the default listen port %s", got, port)
	}
	if vol := d.final("VOLUME"); !strings.Contains(vol, "/var/lib/pinwheel") {
		t.Errorf("daemon VOLUME %q, want the default state directory /var/lib/pinwheel", vol)
	}

	ciRun := strings.Join(byName["ci"].all("RUN"), "\n")
	for _, pkg := range []string{"python3", "python3-venv", "python3-pip", "git", "ca-certificates"} {
		if !regexp.MustCompile(`(^|\s)` + regexp.QuoteMeta(pkg) + `(\s|$)`).MatchString(ciRun) {
			t.Errorf("ci stage installs no %s (prepare needs python3 with venv and pip, and git)", pkg)
		}
	}
}
