package plan

import (
	"testing"

	"github.com/pinwheel-dev/pinwheel/pep440"
	"github.com/pinwheel-dev/pinwheel/registry"
)

func TestIgnoreFor(t *testing.T) {
	cases := []struct {
		scope  IgnoreScope
		target string
		value  string
	}{
		{IgnoreMajor, "3.1.4", "3"},
		{IgnoreMinor, "3.1.4", "3.1"},
		{IgnoreMinor, "4", "4.0"},
		{IgnoreVersion, "3.1.4.post1", "3.1.4.post1"},
		{IgnoreDependency, "3.1.4", ""},
		{IgnoreMajor, "1!2.0", "1!2"},
	}
	for _, c := range cases {
		ig, err := IgnoreFor(c.scope, pep440.MustParse(c.target))
		if err != nil {
			t.Fatalf("%s %s: %v", c.scope, c.target, err)
		}
		if ig.Value() != c.value {
			t.Errorf("IgnoreFor(%s, %s) = %q, want %q", c.scope, c.target, ig.Value(), c.value)
		}
		back, err := ParseIgnore(string(c.scope), ig.Value())
		if err != nil || !back.Covers(pep440.MustParse(c.target)) {
			t.Errorf("ParseIgnore(%s, %q) = %v, %v; does not cover %s", c.scope, ig.Value(), back, err, c.target)
		}
	}
	if _, err := ParseIgnore("patch", "1"); err == nil {
		t.Error("ParseIgnore accepted an unknown scope")
	}
	if _, err := ParseIgnore("major", "x"); err == nil {
		t.Error("ParseIgnore accepted a bad version")
	}
}

func TestIgnoreCovers(t *testing.T) {
	cases := []struct {
		scope, value, version string
		want                  bool
	}{
		{"major", "3", "3.0", true},
		{"major", "3", "3.9.9", true},
		{"major", "3", "4.0", false},
		{"major", "3", "2.9", false},
		{"major", "3", "1!3.0", false},
		{"minor", "3.1", "3.1", true},
		{"minor", "3.1", "3.1.7", true},
		{"minor", "3.1", "3.2", false},
		{"minor", "3.0", "3", true},
		{"version", "3.1.4", "3.1.4.0", true},
		{"version", "3.1.4", "3.1.5", false},
		{"dependency", "", "9.9", true},
	}
	for _, c := range cases {
		ig, err := ParseIgnore(c.scope, c.value)
		if err != nil {
			t.Fatal(err)
		}
		if got := ig.Covers(pep440.MustParse(c.version)); got != c.want {
			t.Errorf("%s %s covers %s = %v, want %v", c.scope, c.value, c.version, got, c.want)
		}
	}
}

// An ignored major skips every release of it: the plan offers the
// newest release outside it, in both streams.
func TestEvaluateSkips(t *testing.T) {
	releases := []registry.Release{rel("1.0"), rel("1.1"), rel("1.2"), rel("2.0"), rel("2.1"), rel("3.0")}
	ig := func(scope, value string) Ignore {
		i, err := ParseIgnore(scope, value)
		if err != nil {
			t.Fatal(err)
		}
		return i
	}
	cases := []struct {
		name string
		skip []Ignore
		want []string
	}{
		{"none", nil, []string{"1.2", "3.0"}},
		{"major 3", []Ignore{ig("major", "3")}, []string{"1.2", "2.1"}},
		{"majors 2 and 3", []Ignore{ig("major", "2"), ig("major", "3")}, []string{"1.2"}},
		{"minor 1.2", []Ignore{ig("minor", "1.2")}, []string{"1.1", "3.0"}},
		{"version 3.0", []Ignore{ig("version", "3.0")}, []string{"1.2", "2.1"}},
		{"dependency", []Ignore{ig("dependency", "")}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := Evaluate("1.0", releases, Rule{Skip: c.skip}, nil, now)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, u := range res.Updates {
				got = append(got, u.To)
			}
			if len(got) != len(c.want) {
				t.Fatalf("updates = %v, want %v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("updates = %v, want %v", got, c.want)
				}
			}
		})
	}
}
