package check

import (
	"slices"
	"testing"

	"github.com/pinwheel-dev/pinwheel/pep440"
	"github.com/pinwheel-dev/pinwheel/plan"
	"github.com/pinwheel-dev/pinwheel/registry"
)

func TestPyPIAdvisories(t *testing.T) {
	backports := []string{"1.2.5", "1.3.2", "2.0.1"}
	tests := []struct {
		name     string
		fixedIn  []string
		pinned   string
		affected []string // candidates (and the pin) the advisory affects
		fixed    []string
	}{
		{"backports, pin on the oldest line", backports, "1.2.3",
			[]string{"1.2.3", "1.2.4", "1.3.0", "1.3.1", "2.0.0rc1", "2.0.0"},
			[]string{"1.2.5", "1.2.9", "1.3.2", "1.3.9", "1.4.0", "2.0.1", "2.1", "3.0"}},
		{"backports, pin on a middle line", backports, "1.3.0",
			[]string{"1.3.0", "1.3.1", "2.0.0"},
			[]string{"1.3.2", "1.4.0", "2.0.1"}},
		{"unsorted, one unparsable and ignored", []string{"2.0.1", "not a version", "1.3.2", "1.2.5"}, "1.2.3",
			[]string{"1.2.3", "1.2.4", "1.3.0", "2.0.0"},
			[]string{"1.2.5", "1.3.2", "1.4.0", "2.0.1"}},
		// Two fixes in one series: only the later one counts there (the
		// earlier one's line ends inside the later one's series).
		{"two fixes in one series", []string{"1.2.5", "1.2.7"}, "1.2.0",
			[]string{"1.2.0", "1.2.5", "1.2.6"},
			[]string{"1.2.7", "1.3.0"}},
		{"no fix known", nil, "1.0",
			[]string{"1.0", "1.1", "9.9"}, nil},
		{"only unparsable fixes: none known", []string{"latest"}, "1.0",
			[]string{"1.0", "2.0"}, nil},
		// PyPI lists the advisory for the pin, so it affects the pin even
		// when the guess puts the pin on a fixed line.
		{"pin the guess calls fixed", []string{"1.2.5"}, "1.2.6",
			[]string{"1.2.6"}, []string{"1.2.7"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := []registry.Vulnerability{{ID: "PYSEC-2026-1", Aliases: []string{"CVE-2026-1", "GHSA-xxxx"}, Details: "bad thing\nmore", FixedIn: tt.fixedIn}}
			advs := PyPIAdvisories(tt.pinned, in)
			if len(advs) != 1 {
				t.Fatalf("got %d advisories, want 1", len(advs))
			}
			a := advs[0]
			if a.ID != "PYSEC-2026-1" || !slices.Equal(a.Aliases, []string{"CVE-2026-1", "GHSA-xxxx"}) || a.Summary != "bad thing" || a.SeverityText() != "" {
				t.Errorf("advisory %+v: id, aliases, summary or severity not as given", a)
			}
			check := func(vs []string, want bool) {
				for _, s := range vs {
					hit, err := plan.Affects(a, pep440.MustParse(s))
					if err != nil || hit != want {
						t.Errorf("Affects(%s) = %v, %v; want %v", s, hit, err, want)
					}
				}
			}
			check(tt.affected, true)
			check(tt.fixed, false)
		})
	}
}

// The converted advisories give the security update through
// plan.Security: the lowest fixing release of the pin's line.
func TestPyPIAdvisoriesSecurityUpdate(t *testing.T) {
	in := []registry.Vulnerability{{ID: "PYSEC-2026-1", FixedIn: []string{"1.2.5", "1.3.2", "2.0.1"}}}
	var cands []pep440.Version
	for _, s := range []string{"1.2.4", "1.2.5", "1.3.0", "1.3.2", "2.0.0", "2.0.1"} {
		cands = append(cands, pep440.MustParse(s))
	}
	for pinned, want := range map[string]string{"1.2.3": "1.2.5", "1.3.0": "1.3.2", "2.0.0": "2.0.1"} {
		sec := plan.Security(pep440.MustParse(pinned), PyPIAdvisories(pinned, in), cands)
		if len(sec.Affecting) != 1 || sec.Update == nil || sec.Update.Version.String() != want {
			t.Errorf("pin %s: affecting %d, update %+v; want %s", pinned, len(sec.Affecting), sec.Update, want)
		}
	}
}
