package pep440

import (
	"fmt"
	"strings"
)

// Specifiers is a set of clauses that must all hold, as written
// comma-separated in a Requires-Python or a version rule (">=3.8, !=3.9.*").
// The zero value is the empty set, which contains every final version.
type Specifiers []Specifier

// ParseSpecifiers parses a comma-separated set of clauses. Empty clauses
// (",," or a trailing comma) are skipped as packaging does, so "" parses to
// the empty set. The error names the first bad clause.
func ParseSpecifiers(s string) (Specifiers, error) {
	var out Specifiers
	for _, part := range strings.Split(s, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		spec, err := ParseSpecifier(part)
		if err != nil {
			return nil, fmt.Errorf("parse specifiers %q: %w", s, err)
		}
		out = append(out, spec)
	}
	return out, nil
}

// MustParseSpecifiers is ParseSpecifiers for literals known to be valid; it
// panics on a bad set.
func MustParseSpecifiers(s string) Specifiers {
	out, err := ParseSpecifiers(s)
	if err != nil {
		panic(err)
	}
	return out
}

// String joins the normalised clauses with "," in their original order;
// ParseSpecifiers(s.String()) gives back an equal set.
func (s Specifiers) String() string {
	parts := make([]string, len(s))
	for i, spec := range s {
		parts[i] = spec.String()
	}
	return strings.Join(parts, ",")
}

// ContainsOption changes how Contains treats pre-releases.
type ContainsOption func(*containsConfig)

type containsConfig struct {
	prereleases *bool
}

// WithPrereleases overrides the spec's default pre-release rule: true lets
// pre-releases and dev releases match, false keeps them out even when a
// clause names one.
func WithPrereleases(allow bool) ContainsOption {
	return func(c *containsConfig) { c.prereleases = &allow }
}

// Contains reports whether v satisfies every clause. By default
// (https://packaging.python.org/en/latest/specifications/version-specifiers/#handling-of-pre-releases)
// a pre-release or dev release is only contained when a clause of the set
// names one with an inclusive operator (==, ~=, <=, >=, ===), as packaging
// does; WithPrereleases overrides that. The empty set contains every version
// that the pre-release rule lets through.
func (s Specifiers) Contains(v Version, opts ...ContainsOption) bool {
	if !s.prereleasesAllowed(opts) && v.IsPrerelease() {
		return false
	}
	for _, spec := range s {
		if !spec.matches(v) {
			return false
		}
	}
	return true
}

// ContainsString is Contains for a version as text. A version that does not
// parse under PEP 440 can still match a "===" clause, which compares strings
// case-insensitively; it matches no other clause, and the empty set does not
// contain it.
func (s Specifiers) ContainsString(version string, opts ...ContainsOption) bool {
	if v, err := Parse(version); err == nil {
		return s.Contains(v, opts...)
	}
	text := strings.TrimSpace(version)
	for _, spec := range s {
		if spec.op != OpArbitrary || !strings.EqualFold(spec.text, text) {
			return false
		}
	}
	return len(s) > 0
}

func (s Specifiers) prereleasesAllowed(opts []ContainsOption) bool {
	var cfg containsConfig
	for _, opt := range opts {
		opt(&cfg)
	}
	if cfg.prereleases != nil {
		return *cfg.prereleases
	}
	for _, spec := range s {
		if spec.namesPrerelease() {
			return true
		}
	}
	return false
}
