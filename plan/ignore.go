package plan

import (
	"fmt"
	"strconv"

	"github.com/pinwheel-dev/pinwheel/pep440"
)

// IgnoreScope says which releases an Ignore covers.
type IgnoreScope string

// Scopes of an Ignore, as "@pinwheel ignore this <scope>" names them.
const (
	IgnoreMajor      IgnoreScope = "major"      // every release of one major line (3.x)
	IgnoreMinor      IgnoreScope = "minor"      // every release of one minor line (3.1.x)
	IgnoreVersion    IgnoreScope = "version"    // one version
	IgnoreDependency IgnoreScope = "dependency" // every release
)

// Ignore is one rule that keeps releases of a package from being offered.
// Unlike Rule.Ignore, it skips only the releases it covers: an ignored
// major skips every release of that major, and the plan offers the newest
// release outside it, a later major included.
type Ignore struct {
	Scope IgnoreScope
	// Version is the major ("3"), the major.minor ("3.1") or the version;
	// unused for IgnoreDependency.
	Version pep440.Version
}

// IgnoreFor is the rule of scope that covers target, the version of an
// update: its major line, minor line or itself.
func IgnoreFor(scope IgnoreScope, target pep440.Version) (Ignore, error) {
	rel := target.Release()
	text := ""
	switch scope {
	case IgnoreMajor:
		text = strconv.Itoa(rel[0])
	case IgnoreMinor:
		minor := 0
		if len(rel) > 1 {
			minor = rel[1]
		}
		text = fmt.Sprintf("%d.%d", rel[0], minor)
	case IgnoreVersion:
		return Ignore{Scope: scope, Version: target}, nil
	case IgnoreDependency:
		return Ignore{Scope: scope}, nil
	default:
		return Ignore{}, fmt.Errorf("unknown ignore scope %q", scope)
	}
	if e := target.Epoch(); e != 0 {
		text = fmt.Sprintf("%d!%s", e, text)
	}
	v, err := pep440.Parse(text)
	if err != nil {
		return Ignore{}, fmt.Errorf("ignore %s of %s: %w", scope, target, err)
	}
	return Ignore{Scope: scope, Version: v}, nil
}

// ParseIgnore reads a stored rule: its scope and its value ("" for
// IgnoreDependency).
func ParseIgnore(scope, value string) (Ignore, error) {
	ig := Ignore{Scope: IgnoreScope(scope)}
	switch ig.Scope {
	case IgnoreDependency:
		return ig, nil
	case IgnoreMajor, IgnoreMinor, IgnoreVersion:
	default:
		return Ignore{}, fmt.Errorf("unknown ignore scope %q", scope)
	}
	v, err := pep440.Parse(value)
	if err != nil {
		return Ignore{}, fmt.Errorf("ignore %s %q: %w", scope, value, err)
	}
	ig.Version = v
	return ig, nil
}

// Value is the rule's version as stored and shown: "3", "3.1", "3.1.4";
// "" for IgnoreDependency.
func (ig Ignore) Value() string {
	if ig.Scope == IgnoreDependency {
		return ""
	}
	return ig.Version.String()
}

// Covers reports whether the rule skips version v.
func (ig Ignore) Covers(v pep440.Version) bool {
	switch ig.Scope {
	case IgnoreDependency:
		return true
	case IgnoreVersion:
		return v.Equal(ig.Version)
	case IgnoreMajor, IgnoreMinor:
		if v.Epoch() != ig.Version.Epoch() {
			return false
		}
		n := 1
		if ig.Scope == IgnoreMinor {
			n = 2
		}
		got, want := v.Release(), ig.Version.Release()
		for i := range n {
			if at(got, i) != at(want, i) {
				return false
			}
		}
		return true
	}
	return false
}

func at(rel []int, i int) int {
	if i < len(rel) {
		return rel[i]
	}
	return 0
}

// skips reports whether one of the rule's Skip covers v.
func (r Rule) skips(v pep440.Version) bool {
	for _, ig := range r.Skip {
		if ig.Covers(v) {
			return true
		}
	}
	return false
}
