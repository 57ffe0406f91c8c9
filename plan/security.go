package plan

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/pinwheel-dev/pinwheel/osv"
	"github.com/pinwheel-dev/pinwheel/pep440"
	"github.com/pinwheel-dev/pinwheel/registry"
)

// SecurityResult is what a pin's advisories mean for it: which affect the
// pinned version, what each newer release fixes, and the security update.
type SecurityResult struct {
	// Affecting are the advisories that affect the pinned version, sorted
	// by id. Withdrawn advisories never do.
	Affecting []osv.Advisory
	// Candidates are the candidate releases newer than the pin, lowest
	// first, each with the advisories of Affecting it fixes; empty when
	// nothing affects the pin.
	Candidates []SecurityFix
	// Update is the security update: the lowest release that fixes all of
	// Affecting that any release fixes (all but Unfixed) within the pin's
	// major version, or else the lowest of a later major that does. nil
	// when no release fixes any ("no fixed release yet").
	Update *SecurityFix
	// Unfixed are the ids of Affecting that no release a security update
	// may be fixes, sorted: the pin stays vulnerable to them whatever it
	// moves to, and they do not hold back the fix of the others (as
	// Dependabot, which updates per advisory, would not).
	Unfixed []string
	// Problems are advisories whose ranges could not be evaluated; they are
	// left out of Affecting, so the data for the pin is incomplete.
	Problems []error
}

// SecurityFix is one candidate release and what it fixes.
type SecurityFix struct {
	Version pep440.Version
	// Fixes are the ids of the pin's affecting advisories that do not
	// affect Version, sorted.
	Fixes []string
	// All is true when Version fixes every affecting advisory.
	All bool
	// Eligible is false for a pre-release of a final pin: pip would not
	// pick it, so it is never the security update.
	Eligible bool
	// Major is true when Version is of a later major than the pin.
	Major bool
}

// Security evaluates a pin's advisories (from package osv, for the pin's
// package) against the pinned version and the candidate releases (the
// versions the index lists that may be offered: the caller drops yanked
// ones and applies the rule's allowed range). Pre-releases are never the
// security update of a final pin, as pip would not pick them either; they
// are still listed in Candidates with what they fix.
//
// An advisory affects a version when the version is in one of its
// ECOSYSTEM ranges or equal (PEP 440) to one of its listed versions
// (https://ossf.github.io/osv-schema/#evaluation).
func Security(pinned pep440.Version, advisories []osv.Advisory, candidates []pep440.Version) SecurityResult {
	var res SecurityResult
	seen := map[string]bool{}
	for _, a := range advisories {
		if !a.Withdrawn.IsZero() || seen[a.ID] {
			continue
		}
		seen[a.ID] = true
		hit, err := Affects(a, pinned)
		if err != nil {
			res.Problems = append(res.Problems, fmt.Errorf("advisory %s: %w", a.ID, err))
			continue
		}
		if hit {
			res.Affecting = append(res.Affecting, a)
		}
	}
	sort.Slice(res.Affecting, func(i, j int) bool { return res.Affecting[i].ID < res.Affecting[j].ID })
	if len(res.Affecting) == 0 {
		return res
	}
	newer := make([]pep440.Version, 0, len(candidates))
	for _, c := range candidates {
		if c.Compare(pinned) > 0 {
			newer = append(newer, c)
		}
	}
	sort.SliceStable(newer, func(i, j int) bool { return newer[i].Compare(newer[j]) < 0 })
	for i, c := range newer {
		if i > 0 && c.Equal(newer[i-1]) {
			continue // 1.0 and 1.0.0 are one release
		}
		fix := SecurityFix{Version: c, Major: pep440.Classify(pinned, c) == pep440.Major}
		fix.Fixes = fixedBy(res.Affecting, c)
		fix.All = len(fix.Fixes) == len(res.Affecting)
		fix.Eligible = !c.IsPrerelease() || pinned.IsPrerelease()
		res.Candidates = append(res.Candidates, fix)
	}
	fixable := map[string]bool{}
	for _, c := range res.Candidates {
		for _, id := range c.Fixes {
			fixable[id] = fixable[id] || c.Eligible
		}
	}
	for _, a := range res.Affecting {
		if !fixable[a.ID] {
			res.Unfixed = append(res.Unfixed, a.ID)
		}
	}
	if len(res.Unfixed) == len(res.Affecting) {
		return res
	}
	// Candidates are ascending and every release of the pin's major sorts
	// before every release of a later one, so the first that fixes all
	// that can be fixed is the same-major fix when there is one, else the
	// later-major one.
	for i := range res.Candidates {
		c := &res.Candidates[i]
		if c.Eligible && res.fixesFixable(c.Fixes) {
			fix := *c
			res.Update = &fix
			break
		}
	}
	return res
}

// fixesFixable reports whether fixes (ids of Affecting) holds every
// affecting advisory but Unfixed.
func (res SecurityResult) fixesFixable(fixes []string) bool {
	return len(fixes) > 0 && len(fixes) >= len(res.Affecting)-len(res.Unfixed) && !slices.ContainsFunc(fixes, func(id string) bool {
		return slices.Contains(res.Unfixed, id)
	})
}

// fixedBy are the ids of affecting that do not affect v, in order.
func fixedBy(affecting []osv.Advisory, v pep440.Version) []string {
	var out []string
	for _, a := range affecting {
		if hit, _ := Affects(a, v); !hit { // a's ranges parsed for the pin already
			out = append(out, a.ID)
		}
	}
	return out
}

// Affects reports whether advisory a affects version v. The error names an
// event or listed version that is not PEP 440 (package osv refuses those,
// but an Advisory can come from anywhere).
func Affects(a osv.Advisory, v pep440.Version) (bool, error) {
	if !a.Withdrawn.IsZero() {
		return false, nil
	}
	hit := false
	for _, af := range a.Affected {
		for _, listed := range af.Versions {
			// A listed version that is not PEP 440 matches no release.
			if lv, err := pep440.Parse(listed); err == nil && lv.Equal(v) {
				hit = true
			}
		}
		for _, r := range af.Ranges {
			in, err := inRange(v, r)
			if err != nil {
				return false, err
			}
			hit = hit || in
		}
	}
	return hit, nil
}

type rangeEvent struct {
	kind string // introduced, fixed, last_affected
	zero bool   // introduced "0"
	at   pep440.Version
}

// inRange is the schema's evaluation of one range: sort the events by
// version ("0" first), then the last event at or below v decides; a
// last_affected event takes effect only once v is past it.
func inRange(v pep440.Version, r osv.Range) (bool, error) {
	evs := make([]rangeEvent, 0, len(r.Events))
	for _, e := range r.Events {
		var ev rangeEvent
		var raw string
		switch {
		case e.Introduced != "":
			ev.kind, raw = "introduced", e.Introduced
		case e.Fixed != "":
			ev.kind, raw = "fixed", e.Fixed
		case e.LastAffected != "":
			ev.kind, raw = "last_affected", e.LastAffected
		default:
			continue
		}
		if ev.kind == "introduced" && raw == "0" {
			ev.zero = true
		} else {
			at, err := pep440.Parse(raw)
			if err != nil {
				return false, fmt.Errorf("%s %q: %w", ev.kind, raw, err)
			}
			ev.at = at
		}
		evs = append(evs, ev)
	}
	sort.SliceStable(evs, func(i, j int) bool {
		if evs[i].zero || evs[j].zero {
			return evs[i].zero && !evs[j].zero
		}
		return evs[i].at.Compare(evs[j].at) < 0
	})
	affected := false
	for _, e := range evs {
		switch {
		case e.kind == "introduced" && (e.zero || v.Compare(e.at) >= 0):
			affected = true
		case e.kind == "fixed" && v.Compare(e.at) >= 0:
			affected = false
		case e.kind == "last_affected" && v.Compare(e.at) > 0:
			affected = false
		}
	}
	return affected, nil
}

// SecurityUpdate evaluates a pin's advisories against the index's
// releases under rule and python (the filters of Evaluate, without the
// release age: a fix is not held back for being new) and folds the
// security update into res: it replaces the offered update of its stream
// (non-major, or major for a fix only a later major has), and a pending
// update of that stream no newer than it. The replaced offered update,
// when newer than the fix, is kept as its Plain. res is returned unchanged when
// nothing affects the pin, the rule ignores it, or no release fixes any.
func SecurityUpdate(res Result, current string, releases []registry.Release, rule Rule, python []pep440.Version, advisories []osv.Advisory) (Result, SecurityResult) {
	pin, err := pep440.Parse(current)
	if err != nil || res.Ignored {
		return res, SecurityResult{}
	}
	found, _ := collect(releases)
	f := filter{pin: pin, rule: rule, python: python, requires: map[string]pep440.Specifiers{}}
	var versions []pep440.Version
	byVersion := map[string]candidate{}
	for _, c := range found {
		if f.accepts(c) {
			versions = append(versions, c.version)
			byVersion[c.version.String()] = c
		}
	}
	sec := Security(pin, advisories, versions)
	if sec.Update == nil {
		return res, sec
	}
	c := byVersion[sec.Update.Version.String()]
	u := c.update(current, pin, 0)
	u.Pending, u.EligibleAt = false, time.Time{}
	u.Security, u.Fixes = true, sec.Update.Fixes
	for _, o := range res.Updates {
		if !o.Pending && o.Major == u.Major && o.ToVersion.Compare(u.ToVersion) > 0 {
			plain := o
			plain.Fixes = fixedBy(sec.Affecting, o.ToVersion)
			plain.Security = sec.fixesFixable(plain.Fixes)
			if !plain.Security {
				plain.Fixes = nil
			}
			u.Plain = &plain
		}
	}
	// The order Evaluate promises: non-major offered, non-major pending,
	// major offered, major pending.
	var ordered []Update
	for _, major := range []bool{false, true} {
		if u.Major == major {
			ordered = append(ordered, u)
		}
		for _, o := range res.Updates {
			switch {
			case o.Major != major:
			case u.Major != major:
				ordered = append(ordered, o)
			case o.Pending && o.ToVersion.Compare(u.ToVersion) > 0:
				ordered = append(ordered, o)
			}
		}
	}
	res.Updates = ordered
	return res, sec
}
