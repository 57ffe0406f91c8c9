package plan

import (
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/osv"
	"github.com/pinwheel-dev/pinwheel/pep440"
	"github.com/pinwheel-dev/pinwheel/registry"
)

// updatesString renders updates as "2.32.0S 2.33.0P 3.0.0M": S for a
// security update, P for pending, M for major.
func updatesString(us []Update) string {
	var out []string
	for _, u := range us {
		s := u.To
		if u.Security {
			s += "S"
		}
		if u.Pending {
			s += "P"
		}
		if u.Major {
			s += "M"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

func TestSecurityUpdate(t *testing.T) {
	fixedIn := func(v string) osv.Advisory { return adv("PYSEC-1", rng("i:0", "f:"+v)) }
	young := "age:1h"
	tests := []struct {
		name     string
		releases []registry.Release
		rule     Rule
		advs     []osv.Advisory
		want     string
		fixes    string
	}{
		{"no advisories: unchanged", []registry.Release{rel("2.0.1"), rel("2.1.0")}, Rule{}, nil, "2.1.0", ""},
		{"lowest fix replaces the newest", []registry.Release{rel("2.0.1"), rel("2.0.2"), rel("2.1.0")}, Rule{}, []osv.Advisory{fixedIn("2.0.2")}, "2.0.2S", "PYSEC-1"},
		{"a fix younger than the release age is offered", []registry.Release{rel("2.0.1", young), rel("2.0.2", young)}, Rule{MinimumReleaseAge: 72 * time.Hour}, []osv.Advisory{fixedIn("2.0.1")}, "2.0.1S 2.0.2P", "PYSEC-1"},
		{"a pending update no newer than the fix goes", []registry.Release{rel("2.0.1", young)}, Rule{MinimumReleaseAge: 72 * time.Hour}, []osv.Advisory{fixedIn("2.0.1")}, "2.0.1S", "PYSEC-1"},
		{"the major stream stays", []registry.Release{rel("2.0.5"), rel("3.0.0")}, Rule{}, []osv.Advisory{fixedIn("2.0.5")}, "2.0.5S 3.0.0M", "PYSEC-1"},
		{"only a later major fixes", []registry.Release{rel("2.0.5"), rel("3.0.0"), rel("3.1.0")}, Rule{}, []osv.Advisory{fixedIn("3.0.0")}, "2.0.5 3.0.0SM", "PYSEC-1"},
		{"no fix yet", []registry.Release{rel("2.0.5")}, Rule{}, []osv.Advisory{fixedIn("9.0")}, "2.0.5", ""},
		{"yanked fix skipped", []registry.Release{rel("2.0.1", "yanked"), rel("2.0.2")}, Rule{}, []osv.Advisory{fixedIn("2.0.1")}, "2.0.2S", "PYSEC-1"},
		{"allowed range holds", []registry.Release{rel("2.0.1"), rel("3.0.0")}, Rule{Allowed: pep440.MustParseSpecifiers("<3")}, []osv.Advisory{fixedIn("3.0.0")}, "2.0.1", ""},
		{"ignored", nil, Rule{Ignore: true}, []osv.Advisory{fixedIn("2.0.1")}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Evaluate("2.0.0", tt.releases, tt.rule, nil, now)
			if err != nil {
				t.Fatal(err)
			}
			res, _ = SecurityUpdate(res, "2.0.0", tt.releases, tt.rule, nil, tt.advs)
			if got := updatesString(res.Updates); got != tt.want {
				t.Errorf("updates = %q, want %q", got, tt.want)
			}
			var fixes []string
			for _, u := range res.Updates {
				fixes = append(fixes, u.Fixes...)
			}
			if got := strings.Join(fixes, ","); got != tt.fixes {
				t.Errorf("fixes = %q, want %q", got, tt.fixes)
			}
		})
	}
}

// The newer normal update a security update replaces is kept as its
// Plain, marked a security update itself when it fixes all too.
func TestSecurityUpdatePlain(t *testing.T) {
	releases := []registry.Release{rel("2.0.1"), rel("2.0.2"), rel("2.1.0")}
	tests := []struct {
		name string
		advs []osv.Advisory
		want string // the security update's Plain, as updatesString
	}{
		{"plain fixes too", []osv.Advisory{adv("PYSEC-1", rng("i:0", "f:2.0.2"))}, "2.1.0S"},
		{"plain affected again", []osv.Advisory{adv("PYSEC-1", rng("i:0", "f:2.0.2", "i:2.1.0"))}, "2.1.0"},
		{"the fix is the newest", []osv.Advisory{adv("PYSEC-1", rng("i:0", "f:2.1.0"))}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Evaluate("2.0.0", releases, Rule{}, nil, now)
			if err != nil {
				t.Fatal(err)
			}
			res, _ = SecurityUpdate(res, "2.0.0", releases, Rule{}, nil, tt.advs)
			if len(res.Updates) != 1 || !res.Updates[0].Security {
				t.Fatalf("updates = %q, want one security update", updatesString(res.Updates))
			}
			got := ""
			if p := res.Updates[0].Plain; p != nil {
				got = updatesString([]Update{*p})
				if p.Security != (len(p.Fixes) == 1) {
					t.Errorf("plain fixes %v with Security %v", p.Fixes, p.Security)
				}
			}
			if got != tt.want {
				t.Errorf("plain = %q, want %q", got, tt.want)
			}
		})
	}
}
