package scheduler_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/indexsim"
)

// projectRules overrides every top-level rule rulesEnv sets: six is
// unignored (and held by the project's release age), urllib3 may go past
// 2.1, requests waits no release age, the project runs on Python 3.13,
// and automerge is set per package over the project's list.
const projectRules = unlimited + `    python: ["3.13"]
    minimum_release_age: 100d
    automerge: [minor]
    packages:
      - {name: SIX, ignore: false}
      - {name: urllib3, allowed: "<3", automerge: [], minimum_release_age: 0}
      - {name: requests, minimum_release_age: 0}
      - {name: idna, minimum_release_age: 0}
      - {name: certifi, automerge: [major], minimum_release_age: 0}
`

// rulesEnv is an env whose top-level rules hold back six, urllib3 and
// requests, and whose Python (3.12) rules out idna 3.11.
func rulesEnv(t *testing.T, projectYAML string) *env {
	e := newEnv(t, projectYAML)
	e.idx.AddRelease("idna", "3.11", indexsim.File{
		Filename: "idna-3.11-py3-none-any.whl", UploadTime: released, RequiresPython: ">=3.13",
	})
	e.cfg.Python = []string{"3.12"}
	e.cfg.Packages = []config.PackageRule{
		{Name: "six", Ignore: true},
		{Name: "urllib3", Allowed: "<2.1"},
		{Name: "requests", MinimumReleaseAge: config.Duration(100 * 24 * time.Hour)},
	}
	e.clock.Set(saturday)
	e.mustRun()
	return e
}

func TestProjectRulesOverrideTopLevel(t *testing.T) {
	type want struct {
		title     string // "" = no merge request
		automerge bool
	}
	tests := []struct {
		name    string
		project string
		mrs     map[string]want
		// pending lists branches on the dashboard under Pending Release Age.
		pending []string
	}{
		{"top-level rules only", unlimited, map[string]want{
			brRequests: {}, brUrllib3: {}, brSix: {},
			brIdna:    {"Update idna to 3.10", false},
			brCertifi: {"Update certifi to 2024.8.30", false},
		}, []string{brRequests}},
		{"project rules", projectRules, map[string]want{
			brRequests: {"Update requests to 2.32.4", true},
			brUrllib3:  {"Update urllib3 to 2.2.3", false},
			brIdna:     {"Update idna to 3.11", true},
			brCertifi:  {"Update certifi to 2024.8.30", true},
			brSix:      {},
		}, []string{brSix}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := rulesEnv(t, tt.project)
			open := e.openMRs()
			for branch, w := range tt.mrs {
				mr, ok := open[branch]
				switch {
				case w.title == "" && ok:
					t.Errorf("%s: unexpected MR %q", branch, mr.Title)
				case w.title == "":
				case !ok:
					t.Errorf("%s: no MR, want %q", branch, w.title)
				case mr.Title != w.title || mr.AutoMerge != w.automerge:
					t.Errorf("%s: MR %q auto-merge %v, want %q auto-merge %v", branch, mr.Title, mr.AutoMerge, w.title, w.automerge)
				}
			}
			pending := section(e.dashboard().Description, "Pending Release Age")
			for _, b := range tt.pending {
				if !hasBox(pending, "approve", b) {
					t.Errorf("%s not pending:\n%s", b, pending)
				}
			}
			if n := strings.Count(pending, "approve-branch="); n != len(tt.pending) {
				t.Errorf("%d pending, want %d:\n%s", n, len(tt.pending), pending)
			}
		})
	}
}
