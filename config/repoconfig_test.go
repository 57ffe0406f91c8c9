package config

import (
	"strings"
	"testing"
	"time"
)

func centralProject(t *testing.T) Project {
	t.Helper()
	cfg, err := Parse("central.yaml", []byte(`
gitlab: {url: https://gitlab.example.com}
repo_config: {enabled: true, allowed_keys: [constraints, schedule, labels, limits, yaml]}
projects:
  - path: g/app
    constraints: [a.txt, b.txt]
    yaml: "off"
    labels: [deps]
    limits: {open_mrs: 3, new_mrs_per_run: 2}
`))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.RepoConfig.Enabled || len(cfg.RepoConfig.AllowedKeys) != 5 {
		t.Fatalf("repo_config = %+v", cfg.RepoConfig)
	}
	return cfg.Projects[0]
}

func TestParseRepoConfigMerges(t *testing.T) {
	base := centralProject(t)
	allowed := []string{"constraints", "schedule", "labels", "limits", "yaml"}
	tests := []struct {
		name  string
		file  string
		check func(t *testing.T, p Project)
	}{
		{"empty file changes nothing", "", func(t *testing.T, p Project) {
			if p.YAML != "" || len(p.Files()) != 2 || p.Limits.OpenMRs != 3 {
				t.Errorf("got %+v", p)
			}
		}},
		{"one constraints file replaces the central list", "constraints: reqs/c.txt\n", func(t *testing.T, p Project) {
			if got := p.Files(); len(got) != 1 || got[0] != "reqs/c.txt" {
				t.Errorf("files = %v", got)
			}
		}},
		{"limits merge key by key", "limits: {open_mrs: 7}\n", func(t *testing.T, p Project) {
			if p.Limits != (Limits{OpenMRs: 7, NewMRsPerRun: 2}) {
				t.Errorf("limits = %+v", p.Limits)
			}
		}},
		{"schedule and labels", "schedule: {days: [mon], timezone: Europe/Prague}\nlabels: [a, b]\n", func(t *testing.T, p Project) {
			if len(p.Schedule.Days) != 1 || p.Schedule.Days[0] != time.Monday || p.Schedule.Location.String() != "Europe/Prague" {
				t.Errorf("schedule = %+v", p.Schedule)
			}
			if strings.Join(p.Labels, ",") != "a,b" {
				t.Errorf("labels = %v", p.Labels)
			}
		}},
		{"yaml on again", "yaml: ci/constraints.yml\n", func(t *testing.T, p Project) {
			if p.YAML != "ci/constraints.yml" {
				t.Errorf("yaml = %q", p.YAML)
			}
		}},
		{"yaml left alone stays off", "labels: [x]\n", func(t *testing.T, p Project) {
			if p.YAML != "" {
				t.Errorf("yaml = %q, want off as centrally set", p.YAML)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseRepoConfig(".pinwheel.yaml", []byte(tt.file), base, allowed)
			if err != nil {
				t.Fatal(err)
			}
			if p.Path != "g/app" {
				t.Errorf("path = %q", p.Path)
			}
			tt.check(t, p)
		})
	}
	if len(base.Files()) != 2 || base.Limits.OpenMRs != 3 {
		t.Errorf("the central entry changed: %+v", base)
	}
}

func TestParseRepoConfigRefusesBrokenFiles(t *testing.T) {
	base := centralProject(t)
	allowed := []string{"constraints", "schedule", "labels", "limits", "yaml"}
	tests := []struct {
		name, file string
		want       []string
	}{
		{"syntax", "labels: [a\n", []string{".pinwheel.yaml:1: did not find expected"}},
		{"not allowed", "labels: [a]\nautomerge: [patch]\n", []string{".pinwheel.yaml:2: automerge: this repository may not set it"}},
		{"central only", "path: other/app\nbranch: dev\n", []string{".pinwheel.yaml:1: path: only the central config", ".pinwheel.yaml:2: branch: only the central config"}},
		{"bad value and typo", "schedule:\n  days: [funday]\nlimts: {}\n", []string{`.pinwheel.yaml:2: schedule.days[0]: unknown day "funday"`, `.pinwheel.yaml:3: limts: unknown key (did you mean "limits"?)`}},
		{"not a mapping", "- a\n", []string{".pinwheel.yaml:1: expected a mapping"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseRepoConfig(".pinwheel.yaml", []byte(tt.file), base, allowed)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if p.Path != base.Path || len(p.Labels) != 1 || p.Labels[0] != "deps" || len(p.Schedule.Days) != 2 {
				t.Errorf("a refused file changed the project: %+v", p)
			}
		})
	}
}

func TestDiscoveryKeys(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte(`
gitlab: {url: https://gitlab.example.com}
autodiscover: {groups: [platform], topics: [python], exclude: ["platform/legacy-*"]}
project_defaults: {constraints: requirements/constraints.txt, limits: {open_mrs: 2}}
shard_address: "http://pw-{shard}.pw.svc:8080"
`))
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.Autodiscover
	if a == nil || a.Groups[0] != "platform" || a.Topics[0] != "python" {
		t.Fatalf("autodiscover = %+v", a)
	}
	if !a.Excluded("Platform/Legacy-App") || a.Excluded("platform/app") {
		t.Error("exclude patterns do not match as documented")
	}
	if cfg.ProjectDefaults.Constraints != "requirements/constraints.txt" || cfg.ProjectDefaults.Limits.OpenMRs != 2 || cfg.ProjectDefaults.Limits.NewMRsPerRun != 5 {
		t.Errorf("project_defaults = %+v", cfg.ProjectDefaults)
	}
	if cfg.ShardAddress != "http://pw-{shard}.pw.svc:8080" {
		t.Errorf("shard_address = %q", cfg.ShardAddress)
	}

	for _, tt := range []struct{ file, want string }{
		{"gitlab: {url: https://g.example}\nautodiscover: {exclude: [a]}\n", "c.yaml:2: autodiscover: name at least one of groups or topics"},
		{"gitlab: {url: https://g.example}\nautodiscover: {groups: [/x]}\n", "autodiscover.groups[0]"},
		{"gitlab: {url: https://g.example}\nproject_defaults: {path: a/b}\n", "project_defaults.path: project_defaults are for discovered projects"},
		{"shard_address: http://x:9090\n", "shard_address: address template"},
		{"repo_config: {allowed_keys: [branch]}\n", `"branch" is not a key a repository may set`},
		{"autodiscover: {groups: [a]}\n", "c.yaml:1: gitlab.url: required"},
	} {
		if _, err := Parse("c.yaml", []byte(tt.file)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.file, err, tt.want)
		}
	}
}

// The per-project rules and merge request fields are repository keys too;
// a repository's packages list replaces the central entry's list.
func TestParseRepoConfigRulesAndPeople(t *testing.T) {
	base := centralProject(t)
	file := `
packages:
  - {name: Requests, ignore: true}
python: ["3.12"]
minimum_release_age: 3d
reviewers: [alice]
assignees: [bob]
`
	p, err := ParseRepoConfig(RepoConfigFile, []byte(file), base, RepoKeys)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.ProjectRules.Packages) != 1 || p.ProjectRules.Packages[0].Name != "Requests" {
		t.Errorf("packages = %+v", p.ProjectRules.Packages)
	}
	if strings.Join(p.ProjectRules.Python, ",") != "3.12" || p.ProjectRules.MinimumReleaseAge == nil {
		t.Errorf("rules = %+v", p.ProjectRules)
	}
	if strings.Join(p.Reviewers, ",") != "alice" || strings.Join(p.Assignees, ",") != "bob" {
		t.Errorf("fields = %+v", p.MRFields)
	}
	if len(base.ProjectRules.Packages) != 0 || len(base.Reviewers) != 0 {
		t.Errorf("the central entry changed: %+v", base)
	}
	if _, err := ParseRepoConfig(RepoConfigFile, []byte("reviewers: [eve]\n"), base, []string{"labels"}); err == nil || !strings.Contains(err.Error(), "may not set it") {
		t.Errorf("reviewers not allowed: err = %v", err)
	}
}

// repo_config with only enabled: true lets a repository set the keys that
// shape its own merge requests, never those that lift central limits.
func TestRepoConfigDefaultKeys(t *testing.T) {
	cfg, err := Parse("central.yaml", []byte(`
gitlab: {url: https://gitlab.example.com}
repo_config: {enabled: true}
projects: [{path: g/app, limits: {open_mrs: 3}}]
`))
	if err != nil {
		t.Fatal(err)
	}
	allowed := cfg.RepoConfig.AllowedKeys
	for _, tc := range []struct {
		file    string
		refused bool
	}{
		{"constraints: [a.txt]\n", false},
		{"yaml: \"off\"\n", false},
		{"labels: [team]\n", false},
		{"reviewers: [alice]\n", false},
		{"assignees: [bob]\n", false},
		{"schedule: {days: [mon]}\n", true},
		{"limits: {open_mrs: 50}\n", true},
		{"automerge: true\n", true},
		{"packages: [{name: requests, ignore: true}]\n", true},
		{"python: \"3.8\"\n", true},
		{"minimum_release_age: 0s\n", true},
	} {
		p, err := ParseRepoConfig(RepoConfigFile, []byte(tc.file), cfg.Projects[0], allowed)
		if got := err != nil && strings.Contains(err.Error(), "may not set it"); got != tc.refused {
			t.Errorf("%q: refused = %v (%v), want %v", tc.file, got, err, tc.refused)
		}
		if tc.refused && p.Limits.OpenMRs != 3 {
			t.Errorf("%q: a refused file changed the project: %+v", tc.file, p.Limits)
		}
	}
	// Listed, a key is the repository's to set.
	cfg, err = Parse("central.yaml", []byte(`
gitlab: {url: https://gitlab.example.com}
repo_config: {enabled: true, allowed_keys: [limits]}
projects: [{path: g/app, limits: {open_mrs: 3}}]
`))
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseRepoConfig(RepoConfigFile, []byte("limits: {open_mrs: 5}\n"), cfg.Projects[0], cfg.RepoConfig.AllowedKeys)
	if err != nil || p.Limits.OpenMRs != 5 {
		t.Errorf("listed limits: %+v, %v", p.Limits, err)
	}
}
