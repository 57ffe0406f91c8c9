package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/pinwheel-dev/pinwheel/check"
	"github.com/pinwheel-dev/pinwheel/indexsim"
)

// projectConfig adds a project whose rules override the top-level ones
// of checkConfig: django may go to 5, requests waits for no release age,
// six is ignored.
func projectConfig(t *testing.T, sim *indexsim.Server) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pinwheel.yaml")
	cfg := "index:\n  url: " + sim.IndexURL() + "\n" +
		"packages:\n  - name: django\n    allowed: \"<5\"\n  - name: requests\n    minimum_release_age: 3d\n" +
		"gitlab: {url: https://gitlab.example.com}\n" +
		"projects:\n  - path: group/app\n    packages:\n" +
		"      - {name: Django, allowed: \"<6\"}\n      - {name: requests, minimum_release_age: 0}\n      - {name: six, ignore: true}\n"
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCheckProjectAppliesProjectRules(t *testing.T) {
	sim := checkIndex(t)
	cfg := projectConfig(t, sim)
	file := writeConstraints(t, checkFile)
	rows := func(args ...string) map[string]check.Row {
		t.Helper()
		out, errOut, err := runCheckCmd(t, append(append([]string{"--config", cfg, "--format", "json"}, args...), file)...)
		if err != nil {
			t.Fatalf("check %v: %v\n%s", args, err, errOut)
		}
		var list []check.Row
		if err := json.Unmarshal([]byte(out), &list); err != nil {
			t.Fatal(err)
		}
		byKey := map[string]check.Row{}
		for _, r := range list {
			key := r.Name
			if r.Major {
				key += " major"
			}
			byKey[key] = r
		}
		return byKey
	}
	top, proj := rows(), rows("--project", "GROUP/app")
	tests := []struct {
		name      string
		top, proj bool
		row       func(map[string]check.Row) bool
	}{
		{"django's major update (allowed <5 vs <6)", false, true, func(m map[string]check.Row) bool {
			r, ok := m["Django major"]
			return ok && r.Latest == "5.0"
		}},
		{"requests 3.0.0 pending (age 3d vs 0)", true, false, func(m map[string]check.Row) bool { return m["requests major"].Pending }},
		{"six ignored", false, true, func(m map[string]check.Row) bool { return m["six"].Ignored }},
	}
	for _, tt := range tests {
		if got := tt.row(top); got != tt.top {
			t.Errorf("top-level rules: %s = %v, want %v", tt.name, got, tt.top)
		}
		if got := tt.row(proj); got != tt.proj {
			t.Errorf("--project group/app: %s = %v, want %v", tt.name, got, tt.proj)
		}
	}
}

func TestCheckProjectUsageErrors(t *testing.T) {
	sim := checkIndex(t)
	cfg := projectConfig(t, sim)
	for name, args := range map[string][]string{
		"unknown project": {"--config", cfg, "--project", "group/other", "c.txt"},
		"no config":       {"--project", "group/app", "c.txt"},
	} {
		_, _, err := runCheckCmd(t, args...)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != 2 {
			t.Errorf("%s: err = %v, want exit code 2", name, err)
		}
	}
}
