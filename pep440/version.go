package pep440

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// ErrInvalidVersion is wrapped by every error Parse returns, so callers can
// tell a bad version from other failures with errors.Is.
var ErrInvalidVersion = errors.New("invalid PEP 440 version")

// versionPattern is the spec's canonical regular expression
// (https://packaging.python.org/en/latest/specifications/version-specifiers/#appendix-parsing-version-strings-with-regular-expressions),
// which is also what packaging uses, so the corner cases it allows
// ("1.0a." means 1.0a0) are accepted here too. Surrounding whitespace is
// trimmed before matching.
const versionPattern = `v?` +
	`(?:(?P<epoch>[0-9]+)!)?` +
	`(?P<release>[0-9]+(?:\.[0-9]+)*)` +
	`(?P<pre>[-_.]?(?P<pre_l>a|b|c|rc|alpha|beta|pre|preview)[-_.]?(?P<pre_n>[0-9]+)?)?` +
	`(?P<post>(?:-(?P<post_n1>[0-9]+))|(?:[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>[0-9]+)?))?` +
	`(?P<dev>[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>[0-9]+)?)?` +
	`(?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?`

var versionRE = regexp.MustCompile(`^(?i:` + versionPattern + `)$`)

var (
	groupEpoch   = versionRE.SubexpIndex("epoch")
	groupRelease = versionRE.SubexpIndex("release")
	groupPre     = versionRE.SubexpIndex("pre")
	groupPreL    = versionRE.SubexpIndex("pre_l")
	groupPreN    = versionRE.SubexpIndex("pre_n")
	groupPost    = versionRE.SubexpIndex("post")
	groupPostN1  = versionRE.SubexpIndex("post_n1")
	groupPostN2  = versionRE.SubexpIndex("post_n2")
	groupDev     = versionRE.SubexpIndex("dev")
	groupDevN    = versionRE.SubexpIndex("dev_n")
	groupLocal   = versionRE.SubexpIndex("local")
)

// preKind orders the pre-release phases: a < b < rc.
type preKind int8

const (
	preNone preKind = iota
	preAlpha
	preBeta
	preRC
)

var preNames = [...]string{preAlpha: "a", preBeta: "b", preRC: "rc"}

// localPart is one dot-separated segment of a local version label. Numeric
// segments compare as numbers and sort after alphanumeric ones.
type localPart struct {
	num   int
	str   string // lower case; empty for a numeric segment
	isNum bool
}

// Version is a parsed PEP 440 version. The zero value is not a valid version;
// get one from Parse or MustParse. Versions are values: copying one is safe.
type Version struct {
	epoch   int
	release []int
	pre     preKind
	preN    int
	hasPost bool
	post    int
	hasDev  bool
	dev     int
	local   []localPart
}

// Parse parses s in any spelling PEP 440 allows and normalises it: case,
// separators, the alternative pre/post spellings ("alpha", "c", "rev", "-1"),
// implicit numbers ("1.0a" is 1.0a0), a leading "v" and surrounding
// whitespace. Only ASCII input is accepted; numbers must fit in an int.
func Parse(s string) (Version, error) {
	trimmed := strings.TrimSpace(s)
	if !isASCII(trimmed) {
		return Version{}, fmt.Errorf("parse version %q: non-ASCII characters: %w", s, ErrInvalidVersion)
	}
	m := versionRE.FindStringSubmatch(trimmed)
	if m == nil {
		return Version{}, fmt.Errorf("parse version %q: %w", s, ErrInvalidVersion)
	}
	var v Version
	var err error
	num := func(text string) int {
		if err != nil || text == "" {
			return 0
		}
		n, convErr := strconv.Atoi(text)
		if convErr != nil {
			err = fmt.Errorf("parse version %q: number %s too large: %w", s, text, ErrInvalidVersion)
		}
		return n
	}
	v.epoch = num(m[groupEpoch])
	for _, part := range strings.Split(m[groupRelease], ".") {
		v.release = append(v.release, num(part))
	}
	if m[groupPre] != "" {
		switch strings.ToLower(m[groupPreL]) {
		case "a", "alpha":
			v.pre = preAlpha
		case "b", "beta":
			v.pre = preBeta
		default: // c, rc, pre, preview
			v.pre = preRC
		}
		v.preN = num(m[groupPreN])
	}
	if m[groupPost] != "" {
		v.hasPost = true
		v.post = num(m[groupPostN1] + m[groupPostN2])
	}
	if m[groupDev] != "" {
		v.hasDev = true
		v.dev = num(m[groupDevN])
	}
	if m[groupLocal] != "" {
		for _, part := range strings.FieldsFunc(m[groupLocal], isLocalSeparator) {
			if isDigits(part) {
				v.local = append(v.local, localPart{num: num(part), isNum: true})
			} else {
				v.local = append(v.local, localPart{str: strings.ToLower(part)})
			}
		}
	}
	if err != nil {
		return Version{}, err
	}
	return v, nil
}

// MustParse is Parse for versions known to be valid, such as literals in
// code and tests; it panics on a bad version.
func MustParse(s string) Version {
	v, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

// String returns the normal form of the version, as packaging's
// str(Version(s)) does. Trailing zeros of the release are kept ("1.0.0").
func (v Version) String() string {
	var b strings.Builder
	if v.epoch != 0 {
		b.WriteString(strconv.Itoa(v.epoch))
		b.WriteByte('!')
	}
	for i, n := range v.release {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.Itoa(n))
	}
	if v.pre != preNone {
		b.WriteString(preNames[v.pre])
		b.WriteString(strconv.Itoa(v.preN))
	}
	if v.hasPost {
		b.WriteString(".post")
		b.WriteString(strconv.Itoa(v.post))
	}
	if v.hasDev {
		b.WriteString(".dev")
		b.WriteString(strconv.Itoa(v.dev))
	}
	if len(v.local) > 0 {
		b.WriteByte('+')
		b.WriteString(v.Local())
	}
	return b.String()
}

// Epoch is the version's epoch, 0 when none is written.
func (v Version) Epoch() int { return v.epoch }

// Release returns a copy of the release segment ("1.2.3" gives [1 2 3]).
func (v Version) Release() []int { return append([]int(nil), v.release...) }

// IsPrerelease reports whether v is a pre-release or a development release,
// which is what the spec's pre-release handling rules treat alike.
func (v Version) IsPrerelease() bool { return v.pre != preNone || v.hasDev }

// IsDevrelease reports whether v has a .devN segment.
func (v Version) IsDevrelease() bool { return v.hasDev }

// IsPostrelease reports whether v has a .postN segment.
func (v Version) IsPostrelease() bool { return v.hasPost }

// Local returns the normalised local version label ("ubuntu.1"), "" if none.
func (v Version) Local() string {
	parts := make([]string, len(v.local))
	for i, p := range v.local {
		if p.isNum {
			parts[i] = strconv.Itoa(p.num)
		} else {
			parts[i] = p.str
		}
	}
	return strings.Join(parts, ".")
}

// Public returns v without its local version label.
func (v Version) Public() Version {
	v.local = nil
	return v
}

// BaseVersion returns the epoch and release of v only: no pre, post, dev or
// local segment.
func (v Version) BaseVersion() Version {
	return Version{epoch: v.epoch, release: v.release}
}

func isLocalSeparator(r rune) bool { return r == '.' || r == '-' || r == '_' }

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
