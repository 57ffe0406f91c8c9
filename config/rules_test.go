package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

const rulesYAML = `
python: ["3.11", "3.12"]
packages:
  - name: Django
    allowed: "<5"
    minimum_release_age: 7d
  - name: numpy
    ignore: true
  - name: requests
    automerge: [patch]
gitlab: {url: https://g.example}
projects:
  - path: g/plain
  - path: g/strict
    python: ["3.9"]
    minimum_release_age: 3d
    automerge: [minor, patch]
    packages:
      - name: django            # only allowed: the top-level age stays
        allowed: "<4.2"
      - name: NumPy              # unignored here
        ignore: false
      - name: requests           # never automerged here, no release age
        automerge: []
        minimum_release_age: 0
      - name: flask              # named only here: project defaults + its keys
        allowed: ">=3"
  - path: g/nofilter
    python: []
`

func TestProjectRulesMergeKeyByKey(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte(rulesYAML))
	if err != nil {
		t.Fatal(err)
	}
	day := Duration(24 * time.Hour)
	plain, strict, nofilter := cfg.Rules(cfg.Projects[0]), cfg.Rules(cfg.Projects[1]), cfg.Rules(cfg.Projects[2])
	tests := []struct {
		name  string
		rules Rules
		pkg   string
		want  PackageRule
	}{
		{"top-level rule as is", plain, "django", PackageRule{Name: "Django", Allowed: "<5", MinimumReleaseAge: 7 * day}},
		{"top-level ignore", plain, "NUMPY", PackageRule{Name: "numpy", Ignore: true}},
		{"top-level automerge", plain, "requests", PackageRule{Name: "requests", Automerge: []UpdateType{Patch}}},
		{"unnamed package, no project default", plain, "six", PackageRule{Name: "six"}},
		{"project overrides allowed only", strict, "DJANGO", PackageRule{Name: "Django", Allowed: "<4.2", MinimumReleaseAge: 7 * day, Automerge: []UpdateType{Minor, Patch}}},
		{"project lifts top-level ignore", strict, "numpy", PackageRule{Name: "numpy", MinimumReleaseAge: 3 * day, Automerge: []UpdateType{Minor, Patch}}},
		{"project entry's 0 age and [] automerge win", strict, "requests", PackageRule{Name: "requests", Automerge: []UpdateType{}}},
		{"named only in the project", strict, "Flask", PackageRule{Name: "flask", Allowed: ">=3", MinimumReleaseAge: 3 * day, Automerge: []UpdateType{Minor, Patch}}},
		{"unnamed package gets project defaults", strict, "six", PackageRule{Name: "six", MinimumReleaseAge: 3 * day, Automerge: []UpdateType{Minor, Patch}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rules.Package(tt.pkg); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Package(%q) = %+v\nwant %+v", tt.pkg, got, tt.want)
			}
		})
	}
	if !reflect.DeepEqual(plain.Python, []string{"3.11", "3.12"}) || !reflect.DeepEqual(strict.Python, []string{"3.9"}) || nofilter.Python == nil || len(nofilter.Python) != 0 {
		t.Errorf("python: plain %v, strict %v, nofilter %#v", plain.Python, strict.Python, nofilter.Python)
	}
	if !strict.Automerges("six", Minor) || strict.Automerges("requests", Patch) || !plain.Automerges("requests", Patch) || plain.Automerges("six", Patch) {
		t.Errorf("Automerges disagrees with the rules: strict %+v plain %+v", strict, plain)
	}
}

func TestProjectRuleErrorsNameProjectAndKey(t *testing.T) {
	_, err := Parse("c.yaml", []byte(`
gitlab: {url: https://g.example}
projects:
  - path: g/app
    python: ["3.x"]
    minimum_release_age: soon
    reviewers: ["@alice", bob, Bob]
    assignees: "carol"
    packages:
      - name: django
        allowed: "<<5"
        ignore: maybe
        automerge: [tiny]
      - name: Django
      - name: "not a name!"
        minimum_release_age: -1d
        pinned: true
`))
	if err == nil {
		t.Fatal("Parse accepted bad project rules")
	}
	want := []string{
		`c.yaml:5: projects[0].python[0]: project g/app: "3.x" is not a Python version`,
		`c.yaml:6: projects[0].minimum_release_age: project g/app: `,
		`c.yaml:7: projects[0].reviewers[0]: project g/app: "@alice": write the username without the @`,
		`c.yaml:7: projects[0].reviewers[2]: project g/app: "Bob" is listed already at projects[0].reviewers[1] (line 7)`,
		`c.yaml:8: projects[0].assignees: project g/app: expected a list, got "carol"`,
		`c.yaml:11: projects[0].packages[0].allowed: project g/app: "<<5" is not a PEP 440 specifier set`,
		`c.yaml:12: projects[0].packages[0].ignore: project g/app: expected true or false, got "maybe"`,
		`c.yaml:13: projects[0].packages[0].automerge[0]: project g/app: unknown update type "tiny"`,
		`c.yaml:14: projects[0].packages[1].name: project g/app: "Django" has a rule already at projects[0].packages[0].name (line 10)`,
		`c.yaml:15: projects[0].packages[2].name: project g/app: "not a name!" is not a valid Python package name`,
		`c.yaml:16: projects[0].packages[2].minimum_release_age: project g/app: `,
		`c.yaml:17: projects[0].packages[2].pinned: project g/app: unknown key`,
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%v", len(lines), len(want), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("problem %d = %q\nwant prefix %q", i, lines[i], w)
		}
	}
}

func TestMRFieldsParse(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte("gitlab: {url: https://g.example}\nprojects:\n  - path: g/a\n    reviewers: [alice, bob.smith]\n    assignees: [carol_1]\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Projects[0]
	if !reflect.DeepEqual(p.Reviewers, []string{"alice", "bob.smith"}) || !reflect.DeepEqual(p.Assignees, []string{"carol_1"}) {
		t.Errorf("reviewers %v, assignees %v", p.Reviewers, p.Assignees)
	}
}

func TestExampleProjectRules(t *testing.T) {
	cfg, err := Load("../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	app, ok := cfg.Project("GROUP/app")
	if !ok {
		t.Fatal("no group/app in the example")
	}
	r := cfg.Rules(app)
	if dj := r.Package("django"); dj.Allowed != "<6" || time.Duration(dj.MinimumReleaseAge) != 72*time.Hour {
		t.Errorf("django in group/app = %+v", dj)
	}
	if r.Package("numpy").Ignore || !cfg.Rules(cfg.Projects[1]).Package("numpy").Ignore {
		t.Errorf("numpy: ignored in group/app or not in group/service")
	}
	if time.Duration(r.Package("six").MinimumReleaseAge) != 24*time.Hour || !reflect.DeepEqual(r.Python, []string{"3.12"}) {
		t.Errorf("group/app defaults: six %+v, python %v", r.Package("six"), r.Python)
	}
	if !r.Automerges("requests", Patch) || r.Automerges("six", Minor) || !reflect.DeepEqual(app.Reviewers, []string{"alice"}) {
		t.Errorf("group/app automerge or reviewers: %+v %v", r.Package("requests"), app.Reviewers)
	}
}
