package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestGroups(t *testing.T) {
	const head = "gitlab: {url: https://gitlab.example.com}\n"
	tests := []struct {
		name string
		yaml string
		// want are the groups of each project, by name and keys.
		want [][]Group
		err  string
	}{
		{name: "top level for every project",
			yaml: "groups:\n  - name: non-major\n    update_types: [minor, Patch]\n    packages: ['*']\nprojects:\n  - path: a/b\n  - path: a/c\n",
			want: [][]Group{
				{{Name: "non-major", UpdateTypes: []UpdateType{Minor, Patch}, Packages: []string{"*"}}},
				{{Name: "non-major", UpdateTypes: []UpdateType{Minor, Patch}, Packages: []string{"*"}}},
			}},
		{name: "project list replaces, empty turns off",
			yaml: "projects:\n  - path: a/b\n    groups: [{name: django, packages: [Django, 'django-*']}]\n  - path: a/c\n    groups: []\n  - path: a/d\ngroups: [{name: all}]\n",
			want: [][]Group{{{Name: "django", Packages: []string{"Django", "django-*"}}}, {}, {{Name: "all"}}}},
		{name: "duplicate name", yaml: "groups: [{name: web}, {name: Web}]\n", err: `groups[1].name: "Web" is a group already`},
		{name: "name not branch-safe", yaml: "groups: [{name: 'a b'}]\n", err: "cannot be part of a branch name"},
		{name: "name with ..", yaml: "groups: [{name: 'a..b'}]\n", err: "cannot be part of a branch name"},
		{name: "name like a package branch", yaml: "groups: [{name: lasso-1.x}]\n", err: `"lasso-1.x" ends like a package's branch`},
		{name: "name like a split security branch", yaml: "groups: [{name: lasso-1.x-vulnerability}]\n", err: "ends like a package's branch"},
		{name: "name like an epoch package branch", yaml: "groups: [{name: lasso-1-2.x}]\n", err: "ends like a package's branch"},
		{name: "name ending in a digit is fine", yaml: "groups: [{name: py3}, {name: v1.xy}]\nprojects: [{path: a/b}]\n",
			want: [][]Group{{{Name: "py3"}, {Name: "v1.xy"}}}},
		{name: "name missing", yaml: "groups: [{packages: [x]}]\n", err: "groups[0].name: required"},
		{name: "bad update type", yaml: "groups: [{name: x, update_types: [huge]}]\n", err: `unknown update type "huge"`},
		{name: "bad pattern", yaml: "groups: [{name: x, packages: ['[a']}]\n", err: `"[a" is not a shell-style pattern (*, ?, [seq], [!seq]): pattern "[a": set "[a" has no closing ]`},
		{name: "reversed range", yaml: "groups: [{name: x, packages: ['[z-a]*']}]\n", err: `range z-a in "[z-a" is empty (reversed; write a-z)`},
		{name: "empty pattern", yaml: "groups: [{name: x, packages: ['']}]\n", err: "not a package name or shell-style pattern"},
		{name: "negated set", yaml: "groups: [{name: x, packages: ['[!a-]*']}]\nprojects: [{path: a/b}]\n",
			want: [][]Group{{{Name: "x", Packages: []string{"[!a-]*"}}}}},
		{name: "bad name", yaml: "groups: [{name: x, packages: ['-x-']}]\n", err: "not a valid Python package name"},
		{name: "unknown key", yaml: "groups: [{name: x, package: [a]}]\n", err: "package"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("c.yaml", []byte(head+tt.yaml))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got [][]Group
			for _, p := range cfg.Projects {
				got = append(got, p.Groups)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("groups = %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestGroupFor(t *testing.T) {
	groups := []Group{
		{Name: "django", Packages: []string{"Django", "django_*"}},
		{Name: "not-a", Packages: []string{"[!a-c]?", "[x-z]*"}},
		{Name: "non-major", UpdateTypes: []UpdateType{Minor, Patch}},
	}
	tests := []struct {
		key  string
		typ  UpdateType
		want string
	}{
		{"django", Major, "django"},
		{"django-rest-framework", Minor, "django"},
		{"djangox", Major, ""},
		{"requests", Patch, "non-major"},
		{"requests", Major, ""},
		{"db", Major, "not-a"},
		{"ab", Major, ""},
		{"yarl", Major, "not-a"},
		{"Zope", Major, ""}, // keys are PEP 503 names: lower case
	}
	for _, tt := range tests {
		g, ok := GroupFor(groups, tt.key, tt.typ)
		if g.Name != tt.want || ok != (tt.want != "") {
			t.Errorf("GroupFor(%s, %s) = %q, %v; want %q", tt.key, tt.typ, g.Name, ok, tt.want)
		}
	}
}
