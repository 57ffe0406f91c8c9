package mdtext

import (
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Plain renders markdown as GitLab shows it to a person, in plain text:
// what the dashboard issue and the merge request descriptions look like in
// the browser, for a terminal. Boxes stay "[ ]" and "[x]", a link becomes
// its text followed by "<url>", code spans and emphasis lose their marks,
// escapes and entities are resolved, HTML comments (pinwheel's hidden box
// markers) and tags are left out, a <details> block shows its summary
// (as "▾ summary") and its content, and tables are aligned in columns.
//
// It covers the markdown pinwheel writes (CommonMark with GitLab's tables
// and task lists), not all of it: anything it does not know is shown as it
// is. Lines are not re-wrapped.
func Plain(md string) string {
	var out []string
	lines := strings.Split(strings.ReplaceAll(md, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		trimmed := strings.TrimSpace(line)
		switch {
		case isFence(trimmed):
			fence := trimmed[:3]
			for i++; i < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[i]), fence); i++ {
				out = append(out, "    "+lines[i])
			}
		case strings.HasPrefix(trimmed, "<!--") && !strings.Contains(trimmed, "-->"):
			// A comment over several lines: skip to its end.
			for i++; i < len(lines) && !strings.Contains(lines[i], "-->"); i++ {
			}
		case isTableRow(trimmed) && i+1 < len(lines) && isTableSeparator(strings.TrimSpace(lines[i+1])):
			j := i + 2
			for j < len(lines) && isTableRow(strings.TrimSpace(lines[j])) {
				j++
			}
			out = append(out, table(lines[i], lines[i+1], lines[i+2:j])...)
			i = j - 1
		case headingLevel(trimmed) > 0:
			level := headingLevel(trimmed)
			text := inline(strings.TrimSpace(strings.TrimRight(strings.TrimSpace(trimmed[level:]), "#")))
			out = append(out, text)
			switch level {
			case 1:
				out = append(out, strings.Repeat("=", width(text)))
			case 2:
				out = append(out, strings.Repeat("-", width(text)))
			}
		case ruleLine.MatchString(line):
			out = append(out, strings.Repeat("─", 40))
		case strings.HasPrefix(trimmed, "<details") || strings.HasPrefix(trimmed, "</details>"):
			if s := summary.FindStringSubmatch(trimmed); s != nil {
				out = append(out, "▾ "+html.UnescapeString(anyTag.ReplaceAllString(s[1], "")))
			}
		default:
			text := inline(line)
			if strings.TrimSpace(text) == "" && trimmed != "" {
				continue // only hidden markers: GitLab shows no line
			}
			out = append(out, strings.TrimRight(text, " "))
		}
	}
	return joinBlank(out)
}

var (
	ruleLine = regexp.MustCompile(`^ {0,3}([-*_])( *[-*_]){2,} *$`)
	summary  = regexp.MustCompile(`<summary>(.*?)</summary>`)
	anyTag   = regexp.MustCompile(`</?[A-Za-z][^<>]*>`)
)

func isFence(s string) bool { return strings.HasPrefix(s, "```") || strings.HasPrefix(s, "~~~") }

func headingLevel(s string) int {
	n := 0
	for n < len(s) && s[n] == '#' {
		n++
	}
	if n == 0 || n > 6 || n < len(s) && s[n] != ' ' {
		return 0
	}
	return n
}

// joinBlank joins lines, with runs of blank lines kept to one and none at
// either end.
func joinBlank(lines []string) string {
	var b strings.Builder
	blank := false
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			blank = b.Len() > 0
			continue
		}
		if blank {
			b.WriteString("\n")
			blank = false
		}
		b.WriteString(l + "\n")
	}
	return b.String()
}

// inline renders one line's spans: escapes, code, links, emphasis,
// comments, tags and entities.
func inline(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]):
			b.WriteByte(s[i+1])
			i += 2
		case c == '`':
			n := run(s[i:], '`')
			end := closingRun(s, i+n, n)
			if end < 0 {
				b.WriteString(s[i : i+n])
				i += n
				continue
			}
			code := s[i+n : end]
			if len(code) > 1 && code[0] == ' ' && code[len(code)-1] == ' ' && strings.TrimSpace(code) != "" {
				code = code[1 : len(code)-1]
			}
			b.WriteString(code)
			i = end + n
		case strings.HasPrefix(s[i:], "<!--"):
			end := strings.Index(s[i+4:], "-->")
			if end < 0 {
				b.WriteString(s[i:])
				return b.String()
			}
			i += 4 + end + 3
		case c == '<':
			if m := autolink.FindString(s[i:]); m != "" {
				b.WriteString(m[1 : len(m)-1])
				i += len(m)
			} else if m := anyTag.FindStringIndex(s[i:]); m != nil && m[0] == 0 {
				i += m[1]
			} else {
				b.WriteByte(c)
				i++
			}
		case c == '[' || c == '!' && strings.HasPrefix(s[i+1:], "["):
			start := i
			if c == '!' {
				start++
			}
			text, url, next, ok := link(s, start)
			if !ok {
				b.WriteByte(c)
				i++
				continue
			}
			b.WriteString(inline(text) + " <" + url + ">")
			i = next
		case c == '*' || c == '_' || c == '~':
			n := run(s[i:], c)
			if c == '~' && n != 2 || !flanking(s, i, n) {
				b.WriteString(s[i : i+n])
			}
			i += n
		case c == '&':
			if m := entity.FindString(s[i:]); m != "" {
				b.WriteString(html.UnescapeString(m))
				i += len(m)
			} else {
				b.WriteByte(c)
				i++
			}
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

var (
	autolink = regexp.MustCompile(`^<https?://[^<>\s]+>`)
	entity   = regexp.MustCompile(`^&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});`)
)

func isASCIIPunct(c byte) bool {
	return c < utf8.RuneSelf && unicode.IsPunct(rune(c)) || strings.IndexByte("$+<=>^`|~", c) >= 0
}

func run(s string, c byte) int {
	n := 0
	for n < len(s) && s[n] == c {
		n++
	}
	return n
}

// closingRun finds a run of exactly n backticks at or after i.
func closingRun(s string, i, n int) int {
	for i < len(s) {
		j := strings.IndexByte(s[i:], '`')
		if j < 0 {
			return -1
		}
		i += j
		m := run(s[i:], '`')
		if m == n {
			return i
		}
		i += m
	}
	return -1
}

// link reads "[text](url)" at s[i]: the text, the URL and where the link
// ends.
func link(s string, i int) (text, url string, next int, ok bool) {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '[':
			depth++
		case ']':
			depth--
			if depth > 0 {
				continue
			}
			if j+1 >= len(s) || s[j+1] != '(' {
				return "", "", 0, false
			}
			end := closingParen(s[j+2:])
			if end < 0 || strings.ContainsAny(s[j+2:j+2+end], " <>") {
				return "", "", 0, false
			}
			return s[i+1 : j], s[j+2 : j+2+end], j + 2 + end + 1, true
		}
	}
	return "", "", 0, false
}

// closingParen finds the ")" that ends a link destination; parentheses
// inside it must balance (CommonMark §6.3).
func closingParen(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '(':
			depth++
		case ')':
			if depth == 0 {
				return i
			}
			depth--
		}
	}
	return -1
}

// flanking reports whether the delimiter run s[i:i+n] opens or closes
// emphasis: it must touch a word on one side and not be inside a word
// (for "_"; CommonMark §6.2, simplified).
func flanking(s string, i, n int) bool {
	before, after := rune(' '), rune(' ')
	if i > 0 {
		before, _ = utf8.DecodeLastRuneInString(s[:i])
	}
	if i+n < len(s) {
		after, _ = utf8.DecodeRuneInString(s[i+n:])
	}
	opens := !unicode.IsSpace(after) && (unicode.IsSpace(before) || unicode.IsPunct(before) || s[i] == '*')
	closes := !unicode.IsSpace(before) && (unicode.IsSpace(after) || unicode.IsPunct(after) || s[i] == '*')
	return opens || closes
}

func isTableRow(s string) bool { return strings.HasPrefix(s, "|") }

var separatorCell = regexp.MustCompile(`^:?-+:?$`)

func isTableSeparator(s string) bool {
	if !isTableRow(s) {
		return false
	}
	cells := cells(s)
	for _, c := range cells {
		if !separatorCell.MatchString(c) {
			return false
		}
	}
	return len(cells) > 0
}

// cells splits a table row on its unescaped pipes (GFM: a pipe splits
// cells even inside a code span unless escaped).
func cells(row string) []string {
	row = strings.TrimSpace(row)
	row = strings.TrimPrefix(row, "|")
	if strings.HasSuffix(row, "|") && !strings.HasSuffix(row, `\|`) {
		row = row[:len(row)-1]
	}
	var out []string
	var b strings.Builder
	for i := 0; i < len(row); i++ {
		switch {
		case row[i] == '\\' && i+1 < len(row) && row[i+1] == '|':
			b.WriteByte('|')
			i++
		case row[i] == '|':
			out = append(out, strings.TrimSpace(b.String()))
			b.Reset()
		default:
			b.WriteByte(row[i])
		}
	}
	return append(out, strings.TrimSpace(b.String()))
}

// table lays a table out in columns two spaces apart, the header
// underlined, each column aligned as its separator says.
func table(header, separator string, rows []string) []string {
	align := cells(separator)
	grid := [][]string{cells(header)}
	for _, r := range rows {
		grid = append(grid, cells(r))
	}
	widths := make([]int, len(align))
	for _, row := range grid {
		for c := range row {
			if c < len(widths) {
				row[c] = inline(row[c])
				widths[c] = max(widths[c], width(row[c]))
			}
		}
	}
	line := func(row []string) string {
		var parts []string
		for c, w := range widths {
			cell := ""
			if c < len(row) {
				cell = row[c]
			}
			pad := strings.Repeat(" ", w-width(cell))
			switch a := align[c]; {
			case strings.HasPrefix(a, ":") && strings.HasSuffix(a, ":"):
				left := (w - width(cell)) / 2
				cell = strings.Repeat(" ", left) + cell + strings.Repeat(" ", w-width(cell)-left)
			case strings.HasSuffix(a, ":"):
				cell = pad + cell
			default:
				cell += pad
			}
			parts = append(parts, cell)
		}
		return strings.TrimRight(strings.Join(parts, "  "), " ")
	}
	out := []string{line(grid[0])}
	var under []string
	for _, w := range widths {
		under = append(under, strings.Repeat("-", w))
	}
	out = append(out, strings.Join(under, "  "))
	for _, row := range grid[1:] {
		out = append(out, line(row))
	}
	return out
}

// width is the number of terminal columns s takes: runes, with wide
// (East Asian and emoji) ones counted twice.
func width(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r) || r == '\uFE0F' || r == '\u200D':
		case r >= 0x1100 && (r <= 0x115F || r >= 0x2E80 && r <= 0xA4CF || r >= 0xAC00 && r <= 0xD7A3 ||
			r >= 0xF900 && r <= 0xFAFF || r >= 0xFE30 && r <= 0xFE4F || r >= 0xFF00 && r <= 0xFF60 ||
			r >= 0x1F300 && r <= 0x1FAFF || r >= 0x20000 && r <= 0x3FFFD):
			n += 2
		default:
			n++
		}
	}
	return n
}
