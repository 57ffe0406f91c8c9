package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidateRepoConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	central := write("central.yaml", "gitlab: {url: https://gitlab.example.com, token_env: T}\n"+
		"repo_config: {enabled: true, allowed_keys: [limits, labels]}\nprojects:\n  - path: group/app\n")
	off := write("off.yaml", "gitlab: {url: https://gitlab.example.com, token_env: T}\nprojects:\n  - path: group/app\n")
	labels := write("labels.yaml", "labels: [team-web]\n")
	limits := write("limits.yaml", "# ours\nlimits: {open_mrs: 50}\n")
	broken := write("broken.yaml", "labels: [x\n")
	tests := []struct {
		name       string
		args       []string
		code       int
		stdout     string // a substring of stdout ("" for any)
		stderr     string // a substring of stderr ("" for any)
		noteAbsent bool   // stderr has no note
	}{
		{"no central config: a default key", []string{"--repo-config", labels}, 0, labels + ": ok, merged over the built-in defaults", "", true},
		{"no central config: a key the default refuses", []string{"--repo-config", limits}, 2, "", limits + ":2: limits: this repository may not set it", false},
		{"central allows it for its entry", []string{"--repo-config", limits, "--config", central, "--project", "Group/App"}, 0, "merged over the project's entry", "", true},
		{"a project the central config does not list", []string{"--repo-config", limits, "--config", central, "--project", "group/other"}, 0, "merged over project_defaults", "", true},
		{"a syntax error", []string{"--repo-config", broken}, 2, "", broken + ":1: ", false},
		{"repo_config off is noted", []string{"--repo-config", labels, "--config", off}, 0, "ok", "note: repo_config is not enabled", false},
		{"a missing file", []string{"--repo-config", filepath.Join(dir, "nope.yaml")}, 2, "", "--repo-config: open", false},
		{"--project alone", []string{"--config", central, "--project", "group/app"}, 2, "", "--project needs --repo-config", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("T", "token")
			stdout, stderr, code := runCLI(t, append([]string{"validate"}, tt.args...)...)
			if code != tt.code || !strings.Contains(stdout, tt.stdout) || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d, want %d with stdout ~%q, stderr ~%q\nstdout: %s\nstderr: %s", code, tt.code, tt.stdout, tt.stderr, stdout, stderr)
			}
			if tt.noteAbsent && strings.Contains(stderr, "note:") {
				t.Errorf("unexpected note: %s", stderr)
			}
		})
	}
}
