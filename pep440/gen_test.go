package pep440

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// versionGen builds version strings in every spelling PEP 440 allows, and
// some it does not, from a fixed seed so failures reproduce.
type versionGen struct {
	rnd *rand.Rand
	// small keeps numbers in 0..3 so that specifier tests hit boundaries.
	small bool
}

func newVersionGen(seed uint64, small bool) *versionGen {
	return &versionGen{rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), small: small}
}

func (g *versionGen) chance(p float64) bool { return g.rnd.Float64() < p }

func (g *versionGen) pick(options ...string) string { return options[g.rnd.IntN(len(options))] }

func (g *versionGen) number() string {
	var n int
	switch {
	case g.small:
		n = g.rnd.IntN(4)
	case g.chance(0.05):
		n = g.rnd.IntN(1_000_000_000)
	default:
		n = g.rnd.IntN(25)
	}
	s := strconv.Itoa(n)
	if g.chance(0.08) {
		s = strings.Repeat("0", 1+g.rnd.IntN(2)) + s
	}
	return s
}

// randomCase upper-cases some letters: the spec is case-insensitive.
func (g *versionGen) randomCase(s string) string {
	if !g.chance(0.2) {
		return s
	}
	b := []byte(s)
	for i := range b {
		if g.chance(0.5) {
			b[i] = strings.ToUpper(string(b[i]))[0]
		}
	}
	return string(b)
}

func (g *versionGen) sep() string { return g.pick("", "", ".", "-", "_") }

// spelling returns a valid version in a random spelling; allowLocal and
// allowEpoch say whether it may have those segments.
func (g *versionGen) spelling(allowLocal, allowEpoch bool) string {
	var b strings.Builder
	if g.chance(0.05) {
		b.WriteString(g.pick(" ", "\t", "  "))
	}
	if g.chance(0.08) {
		b.WriteString(g.pick("v", "V"))
	}
	if allowEpoch && g.chance(0.08) {
		b.WriteString(g.number() + "!")
	}
	segments := 1 + g.rnd.IntN(4)
	for i := range segments {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(g.number())
	}
	if g.chance(0.35) {
		b.WriteString(g.sep())
		b.WriteString(g.randomCase(g.pick("a", "b", "c", "rc", "alpha", "beta", "pre", "preview")))
		b.WriteString(g.sep())
		if g.chance(0.8) {
			b.WriteString(g.number())
		}
	}
	if g.chance(0.25) {
		if g.chance(0.3) {
			b.WriteString("-" + g.number())
		} else {
			b.WriteString(g.sep())
			b.WriteString(g.randomCase(g.pick("post", "rev", "r")))
			b.WriteString(g.sep())
			if g.chance(0.8) {
				b.WriteString(g.number())
			}
		}
	}
	if g.chance(0.25) {
		b.WriteString(g.sep())
		b.WriteString(g.randomCase("dev"))
		b.WriteString(g.sep())
		if g.chance(0.8) {
			b.WriteString(g.number())
		}
	}
	if allowLocal && g.chance(0.15) {
		b.WriteByte('+')
		n := 1 + g.rnd.IntN(3)
		for i := range n {
			if i > 0 {
				b.WriteString(g.pick(".", "-", "_"))
			}
			if g.chance(0.5) {
				b.WriteString(g.number())
			} else {
				b.WriteString(g.randomCase(g.pick("ubuntu", "cpu", "cu121", "abc", "a", "z9")))
			}
		}
	}
	if g.chance(0.05) {
		b.WriteString(g.pick(" ", "\n"))
	}
	return b.String()
}

// version returns a spelling, sometimes corrupted into something that may
// no longer be valid.
func (g *versionGen) version() string {
	s := g.spelling(true, true)
	if g.chance(0.15) {
		s = g.corrupt(s)
	}
	return s
}

func (g *versionGen) corrupt(s string) string {
	i := g.rnd.IntN(len(s) + 1)
	switch g.rnd.IntN(4) {
	case 0: // insert
		return s[:i] + g.pick("!", "+", "-", "_", ".", "*", "x", " ", "a", "0", "..", "v") + s[i:]
	case 1: // delete
		if i < len(s) {
			return s[:i] + s[i+1:]
		}
		return s[:len(s)/2]
	case 2: // append a suffix twice
		return s + g.pick(".post1", "a1", ".dev1", "+x", "-1")
	default:
		return g.pick("", "foo", "1.0-", "dev", "1.0.x", "1!", "+abc", "1.0+") + s[:i]
	}
}

// clause returns one specifier clause, usually valid.
func (g *versionGen) clause() string {
	op := g.pick("==", "!=", "<", "<=", ">", ">=", "~=", "===", "==", ">=")
	space := g.pick("", "", " ")
	switch op {
	case "===":
		return op + space + MustParse(g.spelling(true, true)).String()
	case "==", "!=":
		if g.chance(0.35) {
			// Prefix matches: no epoch, where old packaging's text
			// comparison differs from the spec.
			v := g.spelling(false, false)
			if g.chance(0.1) {
				v += ".dev1"
			}
			return op + space + strings.TrimSpace(v) + ".*"
		}
		return op + space + g.spelling(g.chance(0.5), true)
	case "~=":
		return op + space + g.spelling(g.chance(0.1), false)
	}
	return op + space + g.spelling(g.chance(0.1), true)
}

func (g *versionGen) specifiers() string {
	n := g.rnd.IntN(4)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = g.clause()
	}
	return strings.Join(parts, g.pick(",", ", ", " ,"))
}
