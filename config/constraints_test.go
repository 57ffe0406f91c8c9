package config

import (
	"slices"
	"strings"
	"testing"
)

func TestConstraintsList(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte("gitlab: {url: https://gitlab.example}\nprojects:\n  - path: g/one\n  - path: g/two\n    constraints: [constraints.txt, constraints-py39.txt]\n  - path: g/three\n    constraints: requirements/prod.txt\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"constraints.txt"}, {"constraints.txt", "constraints-py39.txt"}, {"requirements/prod.txt"}}
	for i, p := range cfg.Projects {
		if !slices.Equal(p.Files(), want[i]) || p.Constraints != want[i][0] {
			t.Errorf("%s: Files() = %v, Constraints %q; want %v", p.Path, p.Files(), p.Constraints, want[i])
		}
	}
	for _, tt := range []struct{ yaml, want string }{
		{"constraints: []", "lists no file"},
		{"constraints: [a.txt, a.txt]", "is listed already"},
		{"constraints: [a.txt, ../b.txt]", "not a clean path"},
		{"constraints: {a: b}", "expected a single value"},
	} {
		_, err := Parse("c.yaml", []byte("gitlab: {url: https://gitlab.example}\nprojects:\n  - path: g/one\n    "+tt.yaml+"\n"))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error saying %q", tt.yaml, err, tt.want)
		}
	}
}
