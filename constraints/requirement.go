package constraints

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pinwheel-dev/pinwheel/pep440"
	"github.com/pinwheel-dev/pinwheel/pkgname"
)

// requirement is the PEP 508 part of a line that reads as a pin. Offsets
// are relative to the start of the requirement text.
type requirement struct {
	name                     string
	extras                   []string
	version                  string
	op                       string // "==" or "==="
	versionStart, versionEnd int
	marker                   string
}

var (
	// schemeRE catches URLs and VCS requirements ("git+https://…",
	// "file:…") before the name scanner reads "git" as a project name.
	schemeRE  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)
	versionRE = regexp.MustCompile(`^[A-Za-z0-9.!+_*-]+`)
	archives  = []string{".whl", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar", ".zip"}
)

// parseRequirement reads one requirement (no options, no comment). It
// returns the pin's parts, or a non-empty reason when the requirement is
// valid but not a plain "==" pin, or an error when it cannot be read.
//
// It follows PEP 508 (https://peps.python.org/pep-0508/) closely enough to
// tell pins from everything else, and no further: markers are kept as
// text, and versions are any run of version characters (PEP 440 is
// checked elsewhere).
func parseRequirement(req []byte) (requirement, string, error) {
	s := string(req)
	first := s
	if i := strings.IndexAny(s, " \t;"); i >= 0 {
		first = s[:i]
	}
	switch {
	case schemeRE.MatchString(first) || strings.Contains(first, "@"):
		return requirement{}, ReasonURL, nil
	case strings.HasPrefix(first, ".") || strings.HasPrefix(first, "~") ||
		strings.ContainsAny(first, `/\`) || hasArchiveSuffix(first):
		return requirement{}, ReasonPath, nil
	}

	var r requirement
	i := 0
	for i < len(s) && isNameChar(s[i]) {
		i++
	}
	r.name = s[:i]
	if r.name == "" {
		return r, "", ErrMissingName
	}
	if !pkgname.Valid(r.name) {
		return r, "", fmt.Errorf("%w: %q", ErrInvalidName, r.name)
	}
	i = skipSpace(s, i)
	if i < len(s) && s[i] == '[' {
		end := strings.IndexByte(s[i:], ']')
		if end < 0 {
			return r, "", fmt.Errorf("%w: unclosed \"[\" in extras", ErrSyntax)
		}
		extras, err := parseExtras(s[i+1 : i+end])
		if err != nil {
			return r, "", err
		}
		r.extras = extras
		i = skipSpace(s, i+end+1)
	}

	specEnd := len(s)
	if j := strings.IndexByte(s[i:], ';'); j >= 0 {
		specEnd = i + j
		r.marker = strings.TrimSpace(s[specEnd+1:])
		if r.marker == "" {
			return r, "", fmt.Errorf("%w: empty environment marker after \";\"", ErrSyntax)
		}
		if unterminatedQuote(r.marker) {
			// pip cuts the comment before it reads the marker, and a "#"
			// after a blank starts one even inside quotes.
			return r, "", fmt.Errorf("%w: unterminated string in environment marker (a \" #\" starts a comment, even inside quotes)", ErrSyntax)
		}
	}
	spec := strings.TrimSpace(s[i:specEnd])
	switch {
	case spec == "":
		return r, ReasonNoVersion, nil
	case spec[0] == '@':
		return r, ReasonURL, nil
	case spec[0] == '(':
		if spec[len(spec)-1] != ')' {
			return r, "", fmt.Errorf("%w: unclosed \"(\"", ErrSyntax)
		}
		return r, ReasonParens, nil
	}
	return parseSpecifiers(r, s, i, specEnd)
}

// parseSpecifiers reads the comma-separated clauses in s[start:end] and
// decides whether they make a pin.
func parseSpecifiers(r requirement, s string, start, end int) (requirement, string, error) {
	type clause struct {
		op, version string
		at          int
	}
	var clauses []clause
	i := start
	for {
		i = skipSpace(s[:end], i)
		op := specOp(s[i:end])
		if op == "" {
			return r, "", fmt.Errorf("%w: expected a version specifier at %q", ErrSyntax, s[i:end])
		}
		i = skipSpace(s[:end], i+len(op))
		v := versionRE.FindString(s[i:end])
		if v == "" {
			return r, "", fmt.Errorf("%w after %q", ErrMissingVersion, op)
		}
		clauses = append(clauses, clause{op, v, i})
		i = skipSpace(s[:end], i+len(v))
		if i == end {
			break
		}
		if s[i] != ',' {
			return r, "", fmt.Errorf("%w: unexpected %q after version %q", ErrSyntax, s[i:end], v)
		}
		i++
	}
	c := clauses[0]
	switch {
	case len(clauses) > 1:
		return r, ReasonRange, nil
	case c.op == "===":
		// "===" compares strings, but for a PEP 440 version it pins the
		// same release "==" does (OpenStack's upper-constraints writes
		// every pin so); anything else is a literal pinwheel cannot
		// order.
		if _, err := pep440.Parse(c.version); err != nil {
			return r, ReasonArbitrary, nil
		}
	case c.op != "==":
		return r, ReasonRange, nil
	case strings.Contains(c.version, "*"):
		return r, ReasonWildcard, nil
	}
	r.version, r.op = c.version, c.op
	r.versionStart, r.versionEnd = c.at, c.at+len(c.version)
	return r, "", nil
}

// specOp returns the PEP 440 comparison operator s starts with, or "".
func specOp(s string) string {
	for _, op := range []string{"===", "==", "!=", "~=", "<=", ">=", "<", ">"} {
		if strings.HasPrefix(s, op) {
			return op
		}
	}
	return ""
}

func parseExtras(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var extras []string
	for _, e := range strings.Split(s, ",") {
		e = strings.TrimSpace(e)
		if !pkgname.Valid(e) {
			return nil, fmt.Errorf("%w: invalid extra %q", ErrSyntax, e)
		}
		extras = append(extras, e)
	}
	return extras, nil
}

func hasArchiveSuffix(s string) bool {
	lower := strings.ToLower(s)
	for _, a := range archives {
		if strings.HasSuffix(lower, a) {
			return true
		}
	}
	return false
}

func isNameChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '.' || c == '-' || c == '_'
}

func skipSpace(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

// unterminatedQuote reports whether a PEP 508 marker opens a '…' or "…"
// string it never closes.
func unterminatedQuote(marker string) bool {
	var open byte
	for i := 0; i < len(marker); i++ {
		switch c := marker[i]; {
		case open == 0 && (c == '"' || c == '\''):
			open = c
		case c == open:
			open = 0
		}
	}
	return open != 0
}
