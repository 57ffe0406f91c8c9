package markers

import (
	"errors"
	"strings"
	"testing"

	"github.com/pinwheel-dev/pinwheel/pep440"
)

func minors(vs []pep440.Version) string {
	var out []string
	for _, v := range vs {
		out = append(out, v.String())
	}
	return strings.Join(out, " ")
}

func TestPythons(t *testing.T) {
	tests := []struct {
		marker   string
		restrict bool
		want     string
	}{
		{`python_version == "3.10"`, true, "3.10"},
		{`python_version >= "3.11"`, true, "3.11 3.12 3.13 3.14 3.15"},
		{`python_version < "3.8"`, true, "3.6 3.7"},
		{`python_version=='3.9'`, true, "3.9"},
		{`"3.12" <= python_version`, true, "3.12 3.13 3.14 3.15"},
		{`python_version >= "3.9" and python_version < "3.12"`, true, "3.9 3.10 3.11"},
		{`python_version < "3.8" or python_version >= "3.14"`, true, "3.6 3.7 3.14 3.15"},
		{`(python_version < "3.8" or python_version > "3.13") and python_version != "3.15"`, true, "3.6 3.7 3.14"},
		{`python_version in "3.10 3.11"`, true, "3.10 3.11"},
		{`python_version not in "3.10 3.11"`, true, "3.6 3.7 3.8 3.9 3.12 3.13 3.14 3.15"},
		{`python_version == "3.10.*"`, true, "3.10"},
		{`python_full_version >= "3.9.2" and python_version < "3.11"`, true, "3.9 3.10"},
		{`python_full_version <= "3.11.0a6" and (python_version >= "3.9")`, true, "3.9 3.10"},
		{`python_full_version == "3.12.0"`, true, "3.12"},
		// Other variables leave the line open.
		{`sys_platform == "win32"`, false, "3.6 3.7 3.8 3.9 3.10 3.11 3.12 3.13 3.14 3.15"},
		{`sys_platform == "win32" or python_version < "3.8"`, true, "3.6 3.7 3.8 3.9 3.10 3.11 3.12 3.13 3.14 3.15"},
		{`python_version >= "3.12" and platform_machine != "arm64"`, true, "3.12 3.13 3.14 3.15"},
		{`extra == "docs" and python_version < "3.7"`, true, "3.6"},
	}
	for _, tt := range tests {
		m, err := Parse(tt.marker)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.marker, err)
			continue
		}
		if m.RestrictsPython() != tt.restrict {
			t.Errorf("%q: RestrictsPython = %v", tt.marker, !tt.restrict)
		}
		if got := minors(m.Pythons(Known)); got != tt.want {
			t.Errorf("%q: Pythons = %q, want %q", tt.marker, got, tt.want)
		}
	}
}

func TestPythonsOfFullVersions(t *testing.T) {
	m, err := Parse(`python_full_version >= "3.10.2" and python_version < "3.13"`)
	if err != nil {
		t.Fatal(err)
	}
	cands := []pep440.Version{pep440.MustParse("3.10.1"), pep440.MustParse("3.10.4"), pep440.MustParse("3.12"), pep440.MustParse("3.13.1")}
	if got := minors(m.Pythons(cands)); got != "3.10.4 3.12" {
		t.Errorf("Pythons = %q", got)
	}
}

func TestParseErrors(t *testing.T) {
	for _, s := range []string{
		``, `python_version`, `python_version ==`, `python_version == "3.10`, `(python_version == "3.10"`,
		`python_version == "3.10")`, `"a" == "b"`, `python_version == python_full_version`,
		`pyver == "3"`, `python_version not "3"`, `python_version = "3"`, `python_version == "3" and`,
	} {
		if _, err := Parse(s); !errors.Is(err, ErrSyntax) {
			t.Errorf("Parse(%q) = %v, want ErrSyntax", s, err)
		}
	}
}
