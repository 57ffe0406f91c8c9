package plan

import (
	"strings"
	"testing"

	"github.com/pinwheel-dev/pinwheel/pep440"
	"github.com/pinwheel-dev/pinwheel/registry"
)

func versions(ss ...string) []pep440.Version {
	var out []pep440.Version
	for _, s := range ss {
		out = append(out, pep440.MustParse(s))
	}
	return out
}

func TestLinePythons(t *testing.T) {
	tests := []struct {
		marker     string
		configured []pep440.Version
		want       string
	}{
		{"", nil, ""},
		{"", versions("3.12"), "3.12"},
		{`sys_platform == "win32"`, versions("3.11"), "3.11"},
		{`python_version == "3.10"`, nil, "3.10"},
		{`python_version >= "3.13"`, nil, "3.13 3.14 3.15"},
		{`python_version >= "3.11"`, versions("3.10", "3.12"), "3.12"},
		{`python_version < "3.9"`, versions("3.10", "3.12"), ""}, // applies to none: unrestricted
	}
	for _, tt := range tests {
		got, err := LinePythons(tt.marker, tt.configured)
		if err != nil {
			t.Fatalf("%q: %v", tt.marker, err)
		}
		var s []string
		for _, v := range got {
			s = append(s, v.String())
		}
		if strings.Join(s, " ") != tt.want {
			t.Errorf("LinePythons(%q, %v) = %v, want %q", tt.marker, tt.configured, s, tt.want)
		}
	}
	if _, err := LinePythons(`python_version ==`, nil); err == nil {
		t.Error("a bad marker gave no error")
	}
}

// The case: sphinx 9 dropped 3.10, so the 3.10 line stops at the
// newest 8.x while the 3.11+ line moves on.
func TestEvaluatePerMarkerLine(t *testing.T) {
	rel := func(v, requires string) registry.Release {
		return registry.Release{Version: v, Files: []registry.File{{Filename: "sphinx-" + v + ".tar.gz", RequiresPython: requires}}}
	}
	releases := []registry.Release{rel("8.1.3", ">=3.10"), rel("8.2.3", ">=3.10"), rel("9.0.4", ">=3.11"), rel("9.1.0", ">=3.11")}
	tests := []struct {
		pin, marker string
		want        string
	}{
		{"8.1.3", `python_version == "3.10"`, "8.2.3"},
		{"9.0.4", `python_version >= "3.11"`, "9.1.0"},
		{"8.1.3", `python_version >= "3.9"`, "none"}, // 3.9 is in no release
		{"8.1.3", ``, "9.1.0"},                       // no marker, no python list: no filter
	}
	for _, tt := range tests {
		py, err := LinePythons(tt.marker, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Evaluate(tt.pin, releases, Rule{}, py, now)
		if err != nil {
			t.Fatal(err)
		}
		got := "none"
		if o := res.Offered(); len(o) > 0 {
			got = o[len(o)-1].To
		}
		if got != tt.want {
			t.Errorf("%s ; %s: offered %s, want %s", tt.pin, tt.marker, got, tt.want)
		}
	}
}

func TestEvaluateWritesNormalForm(t *testing.T) {
	releases := []registry.Release{{Version: "V2.0", Files: []registry.File{{Filename: "x-V2.0.tar.gz"}}}}
	res, err := Evaluate("1.0", releases, Rule{}, nil, now)
	if err != nil || len(res.Updates) != 1 {
		t.Fatalf("Evaluate = %+v, %v", res, err)
	}
	if u := res.Updates[0]; u.To != "2.0" || u.Release.Version != "V2.0" {
		t.Errorf("To = %q (release %q), want 2.0 (V2.0)", u.To, u.Release.Version)
	}
}
