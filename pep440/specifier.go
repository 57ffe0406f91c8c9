package pep440

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrInvalidSpecifier is wrapped by every error ParseSpecifier and
// ParseSpecifiers return.
var ErrInvalidSpecifier = errors.New("invalid PEP 440 version specifier")

// Operator is a specifier's comparison operator.
type Operator string

// The operators of the version specifiers spec.
const (
	OpCompatible   Operator = "~="
	OpEqual        Operator = "=="
	OpNotEqual     Operator = "!="
	OpLessEqual    Operator = "<="
	OpGreaterEqual Operator = ">="
	OpLess         Operator = "<"
	OpGreater      Operator = ">"
	OpArbitrary    Operator = "==="
)

// operators is ordered so that a longer operator is tried before its prefix.
var operators = []Operator{OpArbitrary, OpCompatible, OpEqual, OpNotEqual, OpLessEqual, OpGreaterEqual, OpLess, OpGreater}

// Specifier is one version clause such as ">=3.8" or "!=3.9.*".
type Specifier struct {
	op       Operator
	version  Version
	wildcard bool   // "==1.2.*" / "!=1.2.*": prefix match
	text     string // the version as written; what "===" compares against
}

// ParseSpecifier parses one clause. The version after the operator must
// satisfy what the spec allows for that operator: "~=" needs at least two
// release segments, only "==" and "!=" take a local label or a ".*" suffix
// (not both, and no ".*" after a dev release), and "===" takes any string
// without whitespace.
func ParseSpecifier(s string) (Specifier, error) {
	trimmed := strings.TrimSpace(s)
	var op Operator
	for _, candidate := range operators {
		if strings.HasPrefix(trimmed, string(candidate)) {
			op = candidate
			break
		}
	}
	if op == "" {
		return Specifier{}, fmt.Errorf("parse specifier %q: no operator: %w", s, ErrInvalidSpecifier)
	}
	text := strings.TrimSpace(trimmed[len(op):])
	spec := Specifier{op: op, text: text}
	if op == OpArbitrary {
		if text == "" || strings.ContainsFunc(text, isSpace) {
			return Specifier{}, fmt.Errorf("parse specifier %q: want one word after ===: %w", s, ErrInvalidSpecifier)
		}
		spec.version, _ = Parse(text) // only used to tell whether it names a pre-release
		return spec, nil
	}
	versionText := text
	if (op == OpEqual || op == OpNotEqual) && strings.HasSuffix(text, ".*") {
		spec.wildcard = true
		versionText = strings.TrimSuffix(text, ".*")
	}
	v, err := Parse(versionText)
	if err != nil {
		return Specifier{}, fmt.Errorf("parse specifier %q: %w: %w", s, ErrInvalidSpecifier, err)
	}
	spec.version = v
	switch {
	case spec.wildcard && (v.hasDev || len(v.local) > 0):
		return Specifier{}, fmt.Errorf("parse specifier %q: a .* prefix match cannot have a dev or local segment: %w", s, ErrInvalidSpecifier)
	case op == OpCompatible && len(v.release) < 2:
		return Specifier{}, fmt.Errorf("parse specifier %q: ~= needs at least two release segments: %w", s, ErrInvalidSpecifier)
	case op != OpEqual && op != OpNotEqual && len(v.local) > 0:
		return Specifier{}, fmt.Errorf("parse specifier %q: only == and != take a local version: %w", s, ErrInvalidSpecifier)
	case strings.ContainsFunc(versionText, isSpace): // "==1.0 .*"
		return Specifier{}, fmt.Errorf("parse specifier %q: whitespace inside the version: %w", s, ErrInvalidSpecifier)
	}
	return spec, nil
}

// Operator returns the clause's operator.
func (s Specifier) Operator() Operator { return s.op }

// Version returns the clause's version (for a prefix match, the part before
// ".*"). For "===" it is the zero Version unless the text parses.
func (s Specifier) Version() Version { return s.version }

// String returns the clause in normal form: operator and normalised version
// ("~=2.2", "!=3.9.*"); "===" keeps its text as written.
func (s Specifier) String() string {
	if s.op == OpArbitrary {
		return string(s.op) + s.text
	}
	out := string(s.op) + s.version.String()
	if s.wildcard {
		out += ".*"
	}
	return out
}

// namesPrerelease reports whether the clause itself lets pre-releases in: an
// inclusive operator whose version is a pre-release (">=1.0b1"), as
// packaging decides. Exclusive ones ("<2.0a1", "!=1.0rc1") do not.
func (s Specifier) namesPrerelease() bool {
	switch s.op {
	case OpEqual, OpGreaterEqual, OpLessEqual, OpCompatible, OpArbitrary:
		return s.version.release != nil && s.version.IsPrerelease()
	}
	return false
}

// matches applies the operator alone, without the pre-release rule.
func (s Specifier) matches(v Version) bool {
	switch s.op {
	case OpCompatible:
		// ~=2.2 is >=2.2,==2.*: https://packaging.python.org/en/latest/specifications/version-specifiers/#compatible-release
		prefix := Version{epoch: s.version.epoch, release: s.version.release[:len(s.version.release)-1]}
		return v.Public().Compare(s.version) >= 0 && prefixMatch(v, prefix)
	case OpEqual:
		return s.equal(v)
	case OpNotEqual:
		return !s.equal(v)
	case OpLessEqual:
		return v.Public().Compare(s.version) <= 0
	case OpGreaterEqual:
		return v.Public().Compare(s.version) >= 0
	case OpLess:
		// <V excludes pre-releases of V itself unless V is one.
		if v.Compare(s.version) >= 0 {
			return false
		}
		return s.version.IsPrerelease() || !v.IsPrerelease() || !v.BaseVersion().Equal(s.version.BaseVersion())
	case OpGreater:
		// >V excludes post-releases and local versions of V itself.
		if v.Compare(s.version) <= 0 {
			return false
		}
		sameBase := v.BaseVersion().Equal(s.version.BaseVersion())
		if !s.version.hasPost && v.hasPost && sameBase {
			return false
		}
		return len(v.local) == 0 || !sameBase
	case OpArbitrary:
		return strings.EqualFold(v.String(), s.text)
	}
	return false
}

func (s Specifier) equal(v Version) bool {
	if s.wildcard {
		return prefixMatch(v, s.version)
	}
	// A specifier without a local label ignores the candidate's.
	if len(s.version.local) == 0 {
		v = v.Public()
	}
	return v.Equal(s.version)
}

// prefixMatch implements "==V.*": the candidate's public version, as
// segments (epoch, release numbers padded with zeros, then pre, post and
// dev), starts with prefix's segments. This is the semantics of current
// packaging releases, which fixed epoch and zero-padding corner cases of
// older ones.
func prefixMatch(v, prefix Version) bool {
	if v.epoch != prefix.epoch {
		return false
	}
	want := suffixSegments(prefix)
	have := suffixSegments(v)
	release := v.release
	for len(release) < len(prefix.release) {
		release = append(release[:len(release):len(release)], 0)
	}
	for i, n := range prefix.release {
		if release[i] != n {
			return false
		}
	}
	// Past the prefix's release come its pre/post segments; the candidate
	// must continue with exactly those, not with more release numbers.
	if len(want) == 0 {
		return true
	}
	if len(release) > len(prefix.release) || len(have) < len(want) {
		return false
	}
	for i := range want {
		if want[i] != have[i] {
			return false
		}
	}
	return true
}

func suffixSegments(v Version) []string {
	var out []string
	if v.pre != preNone {
		out = append(out, preNames[v.pre]+strconv.Itoa(v.preN))
	}
	if v.hasPost {
		out = append(out, "post"+strconv.Itoa(v.post))
	}
	if v.hasDev {
		out = append(out, "dev"+strconv.Itoa(v.dev))
	}
	return out
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\v'
}
