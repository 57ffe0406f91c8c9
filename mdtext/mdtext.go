// Package mdtext turns text from outside (package names, versions, error
// messages, links from the package index) into GitLab-flavoured markdown
// that shows the text and nothing else: no links, mentions, references,
// markup or fake dashboard markers, one line, bounded length.
//
// The dependency dashboard and the merge request descriptions both use it.
// [Plain] goes the other way: it renders such markdown as plain text, the
// way GitLab shows it to a person (the demo prints the dashboard with it).
package mdtext

import (
	"html"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Caps on text from outside, in runes, so one hostile value cannot fill
// the description.
const (
	Short = 200  // names, versions, paths, titles
	Long  = 1000 // error messages, unmanaged line text
)

// Flatten makes s one line of at most limit runes: control characters,
// line and paragraph separators and bidirectional overrides (which can
// make text read differently from what it is) become spaces.
func Flatten(s string, limit int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == limit {
			b.WriteRune('…')
			break
		}
		switch {
		case unicode.IsControl(r), r == '\u2028', r == '\u2029',
			r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069':
			r = ' '
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// mdSpecial are the ASCII characters escaped in plain text: markdown
// syntax, HTML ("<", "&"), and GitLab references (@user, #issue, !mr,
// ~label, %milestone, $snippet, &epic), which GitLab leaves alone when
// backslash-escaped (gitlab-org/gitlab!45922, GitLab 14.0). "." and "-"
// only matter at the start of a line, where outside text never goes.
const mdSpecial = "\\`*_{}[]<>#!|~$%&@^"

// Text escapes s for use as plain markdown text on a line of its own
// making.
func Text(s string, limit int) string {
	s = Flatten(s, limit)
	var b strings.Builder
	for _, r := range s {
		if r < utf8.RuneSelf && strings.ContainsRune(mdSpecial, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Code puts s in a code span, where markdown, HTML and GitLab references
// are not interpreted. The fence is one backtick longer than the longest
// run of backticks in s (CommonMark §6.1).
func Code(s string, limit int) string {
	s = Flatten(s, limit)
	if strings.TrimSpace(s) == "" {
		return "` `"
	}
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " " // CommonMark strips one space on each side
	}
	return fence + s + fence
}

// Cell is code for a table cell. A pipe would end the cell even inside a
// Code span, and GFM's "\|" escape misreads a preceding backslash, so
// pipes become "¦".
func Cell(s string, limit int) string {
	return Code(strings.ReplaceAll(s, "|", "¦"), limit)
}

// CellText is text for a table cell; see cell for the pipes.
func CellText(s string, limit int) string {
	return Text(strings.ReplaceAll(s, "|", "¦"), limit)
}

// HTML escapes s for use inside an HTML element such as <summary>,
// where markdown escapes do not apply.
func HTML(s string, limit int) string {
	return html.EscapeString(Flatten(s, limit))
}

// Linkable reports whether u can go into a markdown link as it is: an
// absolute http(s) URL with nothing that would end or bend the link.
func Linkable(u string) bool {
	if u == "" || len(u) > 2000 || strings.ContainsAny(u, " <>()[]\"'`\\") {
		return false
	}
	for _, r := range u {
		if r < 0x21 || r == 0x7f {
			return false
		}
	}
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "https" || p.Scheme == "http") && p.Host != ""
}
