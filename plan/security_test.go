package plan

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/osv"
	"github.com/pinwheel-dev/pinwheel/pep440"
)

// rng builds a range from "i:1.0", "f:1.5", "l:2.0" events.
func rng(events ...string) osv.Range {
	var r osv.Range
	for _, e := range events {
		kind, v, _ := strings.Cut(e, ":")
		switch kind {
		case "i":
			r.Events = append(r.Events, osv.Event{Introduced: v})
		case "f":
			r.Events = append(r.Events, osv.Event{Fixed: v})
		case "l":
			r.Events = append(r.Events, osv.Event{LastAffected: v})
		}
	}
	return r
}

func adv(id string, ranges ...osv.Range) osv.Advisory {
	return osv.Advisory{ID: id, Affected: []osv.Affected{{Ranges: ranges}}}
}

func listed(id string, versions ...string) osv.Advisory {
	return osv.Advisory{ID: id, Affected: []osv.Affected{{Versions: versions}}}
}

func withdrawn(a osv.Advisory) osv.Advisory {
	a.Withdrawn = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	return a
}

// fixesString renders candidates as "4.2.1:A,B*M": the ids fixed, * when
// all are, M for a later major.
func fixesString(cs []SecurityFix) string {
	var out []string
	for _, c := range cs {
		s := c.Version.String() + ":" + strings.Join(c.Fixes, ",")
		if c.All {
			s += "*"
		}
		if c.Major {
			s += "M"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

func TestSecurity(t *testing.T) {
	twoPairs := rng("i:1.0", "f:1.5", "i:2.0", "f:2.3")
	tests := []struct {
		name       string
		pinned     string
		advs       []osv.Advisory
		candidates []string
		affecting  string // ids
		update     string // "" for none
		fixes      string // fixesString
		unfixed    string // ids no eligible release fixes
		problems   int
	}{
		{name: "one range, fixed", pinned: "4.1", advs: []osv.Advisory{adv("A", rng("i:0", "f:4.2.1"))},
			candidates: []string{"4.2.0", "4.2.1", "5.0"}, affecting: "A", update: "4.2.1", fixes: "4.2.0: 4.2.1:A* 5.0:A*M"},
		{name: "several introduced/fixed pairs, second pair", pinned: "2.1", advs: []osv.Advisory{adv("A", twoPairs)},
			candidates: []string{"2.2", "2.3", "3.0"}, affecting: "A", update: "2.3", fixes: "2.2: 2.3:A* 3.0:A*M"},
		{name: "between the pairs: not affected", pinned: "1.7", advs: []osv.Advisory{adv("A", twoPairs)},
			candidates: []string{"2.0", "2.3"}},
		{name: "before the first pair", pinned: "0.9", advs: []osv.Advisory{adv("A", twoPairs)}, candidates: []string{"1.0"}},
		{name: "a fix that a later pair undoes", pinned: "1.2", advs: []osv.Advisory{adv("A", twoPairs)},
			candidates: []string{"1.5", "2.0", "2.2", "2.3"}, affecting: "A", update: "1.5", fixes: "1.5:A* 2.0:M 2.2:M 2.3:A*M"},
		{name: "events out of order", pinned: "1.0", advs: []osv.Advisory{adv("A", rng("i:2.0", "f:2.3", "i:0", "f:1.5"))},
			candidates: []string{"1.5", "2.1"}, affecting: "A", update: "1.5", fixes: "1.5:A* 2.1:M"},
		{name: "last_affected includes the version itself", pinned: "2.0", advs: []osv.Advisory{adv("A", rng("i:0", "l:2.0"))},
			candidates: []string{"2.0.1"}, affecting: "A", update: "2.0.1", fixes: "2.0.1:A*"},
		{name: "past last_affected", pinned: "2.0.1", advs: []osv.Advisory{adv("A", rng("i:0", "l:2.0"))}, candidates: []string{"2.1"}},
		{name: "last_affected: its post-release is past it", pinned: "2.0", advs: []osv.Advisory{adv("A", rng("i:1.0", "l:2.0"))},
			candidates: []string{"2.0.post1"}, affecting: "A", update: "2.0.post1", fixes: "2.0.post1:A*"},
		{name: "explicit versions", pinned: "1.1", advs: []osv.Advisory{listed("A", "1.0", "1.1", "1.3")},
			candidates: []string{"1.2", "1.3", "1.4"}, affecting: "A", update: "1.2", fixes: "1.2:A* 1.3: 1.4:A*"},
		{name: "explicit versions compare as PEP 440", pinned: "1.1.0", advs: []osv.Advisory{listed("A", "1.1", "not a version")},
			candidates: []string{"1.2"}, affecting: "A", update: "1.2", fixes: "1.2:A*"},
		{name: "not listed", pinned: "1.2", advs: []osv.Advisory{listed("A", "1.0", "1.1")}, candidates: []string{"1.3"}},
		{name: "versions and ranges together", pinned: "3.0",
			advs:       []osv.Advisory{{ID: "A", Affected: []osv.Affected{{Ranges: []osv.Range{rng("i:0", "f:2.0")}, Versions: []string{"3.0"}}}}},
			candidates: []string{"3.1"}, affecting: "A", update: "3.1", fixes: "3.1:A*"},
		{name: "two affected entries", pinned: "5.1",
			advs:       []osv.Advisory{{ID: "A", Affected: []osv.Affected{{Ranges: []osv.Range{rng("i:4.0", "f:4.2.1")}}, {Ranges: []osv.Range{rng("i:5.0", "f:5.1.2")}}}}},
			candidates: []string{"5.1.1", "5.1.2"}, affecting: "A", update: "5.1.2", fixes: "5.1.1: 5.1.2:A*"},
		{name: "the fix must cover every advisory", pinned: "4.1",
			advs:       []osv.Advisory{adv("B", rng("i:0", "f:4.2.3")), adv("A", rng("i:0", "f:4.2.1"))},
			candidates: []string{"4.2.1", "4.2.2", "4.2.3", "4.3"}, affecting: "A,B", update: "4.2.3", fixes: "4.2.1:A 4.2.2:A 4.2.3:A,B* 4.3:A,B*"},
		{name: "no same-major fix: the lowest later major", pinned: "4.2",
			advs:       []osv.Advisory{adv("A", rng("i:0", "f:5.0"))},
			candidates: []string{"4.3", "5.0", "5.1", "6.0"}, affecting: "A", update: "5.0", fixes: "4.3: 5.0:A*M 5.1:A*M 6.0:A*M"},
		{name: "same major fixes one, a later major both", pinned: "4.1",
			advs:       []osv.Advisory{adv("A", rng("i:0", "f:4.2.1")), adv("B", rng("i:0", "f:5.0.1"))},
			candidates: []string{"4.2.1", "5.0", "5.0.1"}, affecting: "A,B", update: "5.0.1", fixes: "4.2.1:A 5.0:AM 5.0.1:A,B*M"},
		{name: "same-major fix preferred to a lower-looking major", pinned: "1!1.0",
			advs:       []osv.Advisory{adv("A", rng("i:0", "f:1!1.1"))},
			candidates: []string{"2.0", "1!1.1", "2!0.1"}, affecting: "A", update: "1!1.1", fixes: "1!1.1:A* 2!0.1:A*M"},
		{name: "no fix yet", pinned: "1.0", advs: []osv.Advisory{adv("A", rng("i:0"))},
			candidates: []string{"1.1", "2.0"}, affecting: "A", fixes: "1.1: 2.0:M", unfixed: "A"},
		// An advisory no release fixes does not hold back the others' fix.
		{name: "no fix yet beside a fixed one", pinned: "1.0",
			advs:       []osv.Advisory{adv("A", rng("i:0")), adv("B", rng("i:0", "f:1.1"))},
			candidates: []string{"1.1"}, affecting: "A,B", update: "1.1", fixes: "1.1:B", unfixed: "A"},
		{name: "no fix yet beside one fixed in the same major and a later one", pinned: "4.1",
			advs:       []osv.Advisory{adv("A", rng("i:0")), adv("B", rng("i:0", "f:4.2")), adv("C", rng("i:0", "f:4.3"))},
			candidates: []string{"4.2", "4.3", "5.0"}, affecting: "A,B,C", update: "4.3", fixes: "4.2:B 4.3:B,C 5.0:B,CM", unfixed: "A"},
		{name: "no fix yet beside one only a later major fixes", pinned: "4.1",
			advs:       []osv.Advisory{adv("A", rng("i:0")), adv("B", rng("i:0", "f:5.0"))},
			candidates: []string{"4.2", "5.0"}, affecting: "A,B", update: "5.0", fixes: "4.2: 5.0:BM", unfixed: "A"},
		{name: "one fixed only by a pre-release counts as unfixed", pinned: "1.0",
			advs:       []osv.Advisory{adv("A", rng("i:0", "f:1.1rc1", "i:1.1")), adv("B", rng("i:0", "f:1.1"))},
			candidates: []string{"1.1rc1", "1.1"}, affecting: "A,B", update: "1.1", fixes: "1.1rc1:A 1.1:B", unfixed: "A"},
		{name: "no newer release at all", pinned: "1.0", advs: []osv.Advisory{adv("A", rng("i:0", "f:1.1"))},
			candidates: []string{"0.9", "1.0"}, affecting: "A", unfixed: "A"},
		{name: "withdrawn advisory", pinned: "1.0", advs: []osv.Advisory{withdrawn(adv("A", rng("i:0", "f:1.1")))}, candidates: []string{"1.1"}},
		{name: "withdrawn beside a standing one", pinned: "1.0",
			advs:       []osv.Advisory{withdrawn(adv("A", rng("i:0", "f:2.0"))), adv("B", rng("i:0", "f:1.1"))},
			candidates: []string{"1.1"}, affecting: "B", update: "1.1", fixes: "1.1:B*"},
		{name: "pre-release fix skipped for a final pin", pinned: "1.0", advs: []osv.Advisory{adv("A", rng("i:0", "f:1.1rc1"))},
			candidates: []string{"1.1rc1", "1.1"}, affecting: "A", update: "1.1", fixes: "1.1rc1:A* 1.1:A*"},
		{name: "only a pre-release fixes", pinned: "1.0", advs: []osv.Advisory{adv("A", rng("i:0", "f:1.1rc1"))},
			candidates: []string{"1.1rc1"}, affecting: "A", fixes: "1.1rc1:A*", unfixed: "A"},
		{name: "pre-release pin may move to a pre-release", pinned: "1.1b1", advs: []osv.Advisory{adv("A", rng("i:0", "f:1.1rc1"))},
			candidates: []string{"1.1rc1", "1.1"}, affecting: "A", update: "1.1rc1", fixes: "1.1rc1:A* 1.1:A*"},
		{name: "a pre-release of the fixed version is still affected", pinned: "1.0", advs: []osv.Advisory{adv("A", rng("i:0", "f:1.1"))},
			candidates: []string{"1.1rc1", "1.1.dev1", "1.1"}, affecting: "A", update: "1.1", fixes: "1.1.dev1: 1.1rc1: 1.1:A*"},
		{name: "equal spellings of one release", pinned: "1.0", advs: []osv.Advisory{adv("A", rng("i:0", "f:1.1"))},
			candidates: []string{"1.1.0", "1.1"}, affecting: "A", update: "1.1.0", fixes: "1.1.0:A*"},
		{name: "duplicate advisory", pinned: "1.0", advs: []osv.Advisory{adv("A", rng("i:0", "f:1.1")), adv("A", rng("i:0", "f:1.1"))},
			candidates: []string{"1.1"}, affecting: "A", update: "1.1", fixes: "1.1:A*"},
		{name: "unparsable event", pinned: "1.0",
			advs:       []osv.Advisory{adv("A", rng("i:0", "f:one")), adv("B", rng("i:0", "f:1.1"))},
			candidates: []string{"1.1"}, affecting: "B", update: "1.1", fixes: "1.1:B*", problems: 1},
		{name: "no advisories", pinned: "1.0", candidates: []string{"1.1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Security(pep440.MustParse(tt.pinned), tt.advs, versions(tt.candidates...))
			if got := ids(res.Affecting); got != tt.affecting {
				t.Errorf("affecting = %q, want %q", got, tt.affecting)
			}
			got := ""
			if res.Update != nil {
				got = res.Update.Version.String()
				// It fixes every affecting advisory but the unfixed.
				if all := strings.Join(slices.Sorted(slices.Values(append(slices.Clone(res.Update.Fixes), res.Unfixed...))), ","); all != tt.affecting {
					t.Errorf("the update's fixes %v and the unfixed %v are not all of %s", res.Update.Fixes, res.Unfixed, tt.affecting)
				}
			}
			if got := strings.Join(res.Unfixed, ","); got != tt.unfixed {
				t.Errorf("unfixed = %q, want %q", got, tt.unfixed)
			}
			if got != tt.update {
				t.Errorf("update = %q, want %q", got, tt.update)
			}
			if got := fixesString(res.Candidates); got != tt.fixes {
				t.Errorf("candidates = %q, want %q", got, tt.fixes)
			}
			if len(res.Problems) != tt.problems {
				t.Errorf("problems = %v, want %d", res.Problems, tt.problems)
			}
		})
	}
}

func ids(as []osv.Advisory) string {
	var out []string
	for _, a := range as {
		out = append(out, a.ID)
	}
	return strings.Join(out, ",")
}

func TestAffectsReportsBadVersions(t *testing.T) {
	_, err := Affects(adv("A", rng("i:0", "l:x.y")), pep440.MustParse("1.0"))
	if err == nil || !strings.Contains(err.Error(), `last_affected "x.y"`) {
		t.Errorf("err = %v", err)
	}
}
