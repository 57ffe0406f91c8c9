package check

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pinwheel-dev/pinwheel/osv"
	"github.com/pinwheel-dev/pinwheel/pep440"
	"github.com/pinwheel-dev/pinwheel/registry"
)

// PyPIAdvisories turns the JSON API's vulnerabilities of the pinned
// version (vulnerabilities: source pypi) into advisories plan.Security
// evaluates as it does OSV's. PyPI gives only fixed_in, not ranges, so the
// ranges are a guess: with fixed_in sorted f1 < … < fn, a release c is
// fixed when c >= fn, or when fi <= c < f(i+1) and c is outside f(i+1)'s
// major.minor series (fi's backport line covers the releases up to the
// next fix's series); every other release is affected. The pinned version
// is listed as affected whatever the guess says: PyPI lists the advisory
// for it. Empty fixed_in means no known fix; fixed_in values that are not
// PEP 440 are ignored. PyPI gives no severity, so the advisories have none.
// Withdrawn advisories never reach here (package registry drops them).
func PyPIAdvisories(pinned string, vulns []registry.Vulnerability) []osv.Advisory {
	out := make([]osv.Advisory, 0, len(vulns))
	for _, v := range vulns {
		out = append(out, osv.Advisory{
			ID: v.ID, Aliases: v.Aliases, Summary: summaryOf(v),
			Affected: []osv.Affected{{
				Ranges:   []osv.Range{{Events: fixedInEvents(v.FixedIn)}},
				Versions: []string{pinned},
			}},
		})
	}
	return out
}

// summaryOf is the advisory's summary, or else the first line of its
// details (PyPI's entries often have only details).
func summaryOf(v registry.Vulnerability) string {
	if v.Summary != "" {
		return v.Summary
	}
	first, _, _ := strings.Cut(strings.TrimSpace(v.Details), "\n")
	return first
}

// fixedInEvents is the ranges' guess of PyPIAdvisories as OSV events:
// introduced 0, then per fix "fixed fi", and between two fixes
// "introduced" at the later one's series start (or at fi when fi is in
// that series already). plan's evaluation sorts events stably, so a fixed
// and an introduced at the same version leave it affected.
func fixedInEvents(fixedIn []string) []osv.Event {
	var fixes []pep440.Version
	for _, s := range fixedIn {
		if v, err := pep440.Parse(s); err == nil {
			fixes = append(fixes, v)
		}
	}
	sort.SliceStable(fixes, func(i, j int) bool { return fixes[i].Compare(fixes[j]) < 0 })
	events := []osv.Event{{Introduced: "0"}}
	for i, f := range fixes {
		if i > 0 && f.Equal(fixes[i-1]) {
			continue
		}
		events = append(events, osv.Event{Fixed: f.String()})
		if i+1 < len(fixes) {
			start := seriesStart(fixes[i+1])
			if start.Compare(f) < 0 {
				start = f
			}
			events = append(events, osv.Event{Introduced: start.String()})
		}
	}
	return events
}

// seriesStart is the lowest version of v's major.minor series, its
// pre-releases included (X.Y.dev0).
func seriesStart(v pep440.Version) pep440.Version {
	rel := v.Release()
	for len(rel) < 2 {
		rel = append(rel, 0)
	}
	s := fmt.Sprintf("%d.%d.dev0", rel[0], rel[1])
	if v.Epoch() != 0 {
		s = fmt.Sprintf("%d!%s", v.Epoch(), s)
	}
	start, err := pep440.Parse(s)
	if err != nil {
		panic(fmt.Sprintf("series start %q: %v", s, err)) // built from a parsed version
	}
	return start
}
