// Package glob is pinwheel's one shell-style pattern syntax (fnmatch's):
// `*` matches any run of characters, `?` any one character, `[seq]` one
// character in seq and `[!seq]` (or `[^seq]`) one character not in it,
// where seq holds characters and ranges like `a-z`. Every other character,
// a backslash included, stands for itself, as in Python's fnmatch. The
// group `packages:` patterns and the autodiscover `exclude:` patterns use
// it; as in a shell's file names, no wildcard or set matches a slash, so a
// path pattern's `*` stays within one path segment.
//
// Compile refuses what path.Match would take and never match (a range
// like `z-a`), or refuses with a message no user could act on: an
// unclosed or empty set and a reversed range each get their own error.
package glob

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Pattern is a compiled pattern.
type Pattern struct {
	re *regexp.Regexp
}

// Compile checks p and compiles it.
func Compile(p string) (*Pattern, error) {
	if p == "" {
		return nil, fmt.Errorf("empty pattern")
	}
	var re strings.Builder
	re.WriteString(`^`)
	for i := 0; i < len(p); {
		c, w := utf8.DecodeRuneInString(p[i:])
		switch c {
		case '*':
			re.WriteString(`[^/]*`)
		case '?':
			re.WriteString(`[^/]`)
		case '[':
			n, class, err := set(p[i:])
			if err != nil {
				return nil, fmt.Errorf("pattern %q: %w", p, err)
			}
			re.WriteString(class)
			w = n
		default:
			re.WriteString(regexp.QuoteMeta(string(c)))
		}
		i += w
	}
	re.WriteString(`$`)
	r, err := regexp.Compile(re.String())
	if err != nil {
		// The translation above only writes valid syntax.
		return nil, fmt.Errorf("pattern %q: %w", p, err)
	}
	return &Pattern{re: r}, nil
}

// set translates the set at the start of s ("[...]...") to a regexp class
// and returns the bytes it took.
func set(s string) (int, string, error) {
	i := 1
	var class strings.Builder
	class.WriteString(`[`)
	negate := i < len(s) && (s[i] == '!' || s[i] == '^')
	if negate {
		class.WriteString(`^/`) // a negated set never matches a slash either
		i++
	}
	start := i
	for {
		if i >= len(s) {
			return 0, "", fmt.Errorf("set %q has no closing ]", s)
		}
		// A ] first in the set is a member, as in fnmatch ("[]a]").
		if s[i] == ']' && i > start {
			break
		}
		lo, w := utf8.DecodeRuneInString(s[i:])
		i += w
		hi := lo
		if i+1 < len(s) && s[i] == '-' && s[i+1] != ']' {
			hi, w = utf8.DecodeRuneInString(s[i+1:])
			i += 1 + w
			if hi < lo {
				return 0, "", fmt.Errorf("range %c-%c in %q is empty (reversed; write %c-%c)", lo, hi, s[:i], hi, lo)
			}
		}
		class.WriteString(quoteClass(lo))
		if hi != lo {
			class.WriteString(`-` + quoteClass(hi))
		}
	}
	class.WriteString(`]`)
	if !negate && regexp.MustCompile(class.String()).MatchString("/") {
		return 0, "", fmt.Errorf("set %q matches a slash, which no set may", s[:i+1])
	}
	return i + 1, class.String(), nil
}

// quoteClass escapes r for use inside a regexp character class.
func quoteClass(r rune) string {
	if strings.ContainsRune(`\]^-[`, r) {
		return `\` + string(r)
	}
	return string(r)
}

// Match reports whether the whole of s matches p.
func (p *Pattern) Match(s string) bool {
	return p.re.MatchString(s)
}
