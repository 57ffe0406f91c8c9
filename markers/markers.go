package markers

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pinwheel-dev/pinwheel/pep440"
)

// ErrSyntax wraps every Parse error.
var ErrSyntax = errors.New("invalid environment marker")

// Marker is a parsed environment marker.
type Marker struct {
	root   node
	python bool // mentions python_version or python_full_version
}

// Known are the CPython minor versions a marker is evaluated on when the
// config lists no Pythons: 3.6 (the oldest a current pip installs for)
// to 3.15. A minor counts when the marker holds for X.Y.0 or for a late
// patch, X.Y.99, so "python_full_version >= '3.9.2'" keeps 3.9 and
// "python_full_version <= '3.11.0a6'" drops 3.11.
var Known = func() []pep440.Version {
	var out []pep440.Version
	for minor := 6; minor <= 15; minor++ {
		out = append(out, pep440.MustParse(fmt.Sprintf("3.%d", minor)))
	}
	return out
}()

// Parse reads a marker, as written after ";" on a requirement line.
func Parse(s string) (Marker, error) {
	p := &parser{s: s}
	n, err := p.or()
	if err == nil {
		p.space()
		if p.i < len(p.s) {
			err = fmt.Errorf("unexpected %q", p.s[p.i:])
		}
	}
	if err != nil {
		return Marker{}, fmt.Errorf("%w %q: %v", ErrSyntax, s, err)
	}
	return Marker{root: n, python: p.python}, nil
}

// RestrictsPython reports whether the marker mentions python_version or
// python_full_version.
func (m Marker) RestrictsPython() bool { return m.python }

// Pythons returns the versions among candidates the marker can hold for.
// A candidate with two release segments ("3.12") stands for its whole
// minor (X.Y.0 or X.Y.99); a longer one ("3.12.4") for itself. The zero
// Marker holds for all.
func (m Marker) Pythons(candidates []pep440.Version) []pep440.Version {
	var out []pep440.Version
	for _, py := range candidates {
		if m.root == nil || m.holdsFor(py) {
			out = append(out, py)
		}
	}
	return out
}

func (m Marker) holdsFor(py pep440.Version) bool {
	rel := py.Release()
	for len(rel) < 2 {
		rel = append(rel, 0)
	}
	short := fmt.Sprintf("%d.%d", rel[0], rel[1])
	if len(py.Release()) > 2 {
		return m.root.eval(env{short, py.String()})
	}
	return m.root.eval(env{short, short + ".0"}) || m.root.eval(env{short, short + ".99"})
}

// env is one Python's values of the two variables the package knows.
type env struct{ pythonVersion, pythonFullVersion string }

type node interface{ eval(env) bool }

type orNode struct{ a, b node }
type andNode struct{ a, b node }

func (n orNode) eval(e env) bool  { return n.a.eval(e) || n.b.eval(e) }
func (n andNode) eval(e env) bool { return n.a.eval(e) && n.b.eval(e) }

// compare is "lhs op rhs"; a side is a variable name when its quoted is
// false.
type compare struct {
	lhs, rhs       string
	lhsVar, rhsVar bool
	op             string
}

func (c compare) eval(e env) bool {
	l, lok := c.value(c.lhs, c.lhsVar, e)
	r, rok := c.value(c.rhs, c.rhsVar, e)
	if !lok || !rok {
		return true // a variable this package leaves open
	}
	switch c.op {
	case "in":
		return strings.Contains(r, l)
	case "not in":
		return !strings.Contains(r, l)
	}
	// PEP 508: a version comparison when the right side parses as a
	// specifier's version and the left as a version, else Python's string
	// comparison.
	if v, err := pep440.Parse(l); err == nil {
		if spec, err := pep440.ParseSpecifier(c.op + r); err == nil {
			return pep440.Specifiers{spec}.Contains(v, pep440.WithPrereleases(true))
		}
	}
	switch c.op {
	case "==", "===":
		return l == r
	case "!=":
		return l != r
	case "<":
		return l < r
	case "<=":
		return l <= r
	case ">":
		return l > r
	case ">=":
		return l >= r
	}
	return true // "~=" on strings: packaging raises; leave it open
}

func (c compare) value(s string, isVar bool, e env) (string, bool) {
	if !isVar {
		return s, true
	}
	switch s {
	case "python_version":
		return e.pythonVersion, true
	case "python_full_version":
		return e.pythonFullVersion, true
	}
	return "", false
}
