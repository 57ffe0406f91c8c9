// Package termtext makes outside text (from a constraints file, the package
// index or GitLab) safe to print on a terminal: control characters are
// escaped, so an ESC sequence in a package name or an error body cannot
// move the cursor, recolour the screen or retitle the window.
package termtext

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Escape returns s with every control character (C0, DEL, C1, and the
// line and paragraph separators) written as a Go escape ("\x1b", "\n",
// "\u2028") and every invalid UTF-8 byte as "\xNN". Other text is kept as
// it is, non-ASCII letters included.
func Escape(s string) string {
	if clean(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x80 && unicode.IsControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafe(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

func unsafe(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' ||
		// bidirectional overrides reorder what follows them on screen
		(r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

func clean(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= 0x80 {
			return !slowPathNeeded(s)
		}
	}
	return true
}

func slowPathNeeded(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		if (r < 0x80 && unicode.IsControl(r)) || unsafe(r) {
			return true
		}
	}
	return false
}
