package pep440

import "strings"

// Compare returns -1, 0 or +1 as v sorts before, equal to or after o under
// the spec's ordering
// (https://packaging.python.org/en/latest/specifications/version-specifiers/#summary-of-permitted-suffixes-and-relative-ordering):
// epoch first, then the release with trailing zeros ignored, then
// 1.0.dev0 < 1.0a1.dev0 < 1.0a1 < 1.0b1 < 1.0rc1 < 1.0 < 1.0.post1.dev0 <
// 1.0.post1, and a local version after its public version.
func (v Version) Compare(o Version) int {
	if c := cmpInt(v.epoch, o.epoch); c != 0 {
		return c
	}
	if c := compareRelease(v.release, o.release); c != 0 {
		return c
	}
	if c := cmpInt(v.preRank(), o.preRank()); c != 0 {
		return c
	}
	if v.pre != preNone && o.pre != preNone {
		if c := cmpInt(v.preN, o.preN); c != 0 {
			return c
		}
	}
	if c := cmpOptional(v.hasPost, v.post, o.hasPost, o.post, -1); c != 0 {
		return c
	}
	if c := cmpOptional(v.hasDev, v.dev, o.hasDev, o.dev, +1); c != 0 {
		return c
	}
	return compareLocal(v.local, o.local)
}

// Equal reports whether v and o are the same version under PEP 440
// ("1.0" and "1.0.0" are; "1.0" and "1.0+local" are not).
func (v Version) Equal(o Version) bool { return v.Compare(o) == 0 }

// preRank places the pre-release phase in the order: a development release
// of a final version (1.0.dev0) before any pre-release, then a, b, rc, then
// no pre-release at all.
func (v Version) preRank() int {
	switch {
	case v.pre != preNone:
		return int(v.pre)
	case v.hasDev && !v.hasPost:
		return -1
	default:
		return int(preRC) + 1
	}
}

// cmpOptional compares two optional numbers; absent sorts before any number
// when absentSign is -1 (post) and after when it is +1 (dev).
func cmpOptional(aHas bool, a int, bHas bool, b int, absentSign int) int {
	switch {
	case aHas && bHas:
		return cmpInt(a, b)
	case aHas:
		return -absentSign
	case bHas:
		return absentSign
	}
	return 0
}

func compareRelease(a, b []int) int {
	n := max(len(a), len(b))
	for i := range n {
		var x, y int
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if c := cmpInt(x, y); c != 0 {
			return c
		}
	}
	return 0
}

// compareLocal follows the spec's local-version rule: segments compare one
// by one, numeric ones as numbers and after any alphanumeric one, and a
// label that is a prefix of a longer one sorts first.
func compareLocal(a, b []localPart) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		switch {
		case x.isNum && y.isNum:
			if c := cmpInt(x.num, y.num); c != 0 {
				return c
			}
		case x.isNum:
			return 1
		case y.isNum:
			return -1
		default:
			if c := strings.Compare(x.str, y.str); c != 0 {
				return c
			}
		}
	}
	return cmpInt(len(a), len(b))
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
