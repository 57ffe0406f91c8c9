package constraints

import (
	"bytes"
	"slices"
)

var utf8BOM = []byte("\xef\xbb\xbf")

// logicalLine is one line as pip sees it: physical lines ending in a
// backslash joined to the next, with the backslashes and line endings
// removed. offs maps every byte of text back to its offset in the file so
// the rewriter can edit the original bytes; synthetic bytes map to -1.
type logicalLine struct {
	line int    // 1-based physical line the logical line starts on
	text []byte // joined text, without line endings
	offs []int  // offs[i] is the file offset of text[i], or -1
}

// physicalLine is one line of the file: data[start:end] is its content and
// data[end:next] its line ending ("\n", "\r\n", "\r" or none at the end).
type physicalLine struct {
	start, end, next int
}

// splitPhysical cuts data into lines the way Python's str.splitlines does
// for the endings a text file can carry: "\r\n", "\n" and a lone "\r".
//
// A UTF-8 byte order mark (Notepad writes one) is not part of the first
// line, as pip's auto_decode drops it; it stays in the file's bytes.
func splitPhysical(data []byte) []physicalLine {
	var lines []physicalLine
	start := 0
	if bytes.HasPrefix(data, utf8BOM) {
		start = len(utf8BOM)
	}
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '\n':
			lines = append(lines, physicalLine{start, i, i + 1})
			start = i + 1
		case '\r':
			next := i + 1
			if next < len(data) && data[next] == '\n' {
				next++
			}
			lines = append(lines, physicalLine{start, i, next})
			start = next
			i = next - 1
		}
	}
	if start < len(data) {
		lines = append(lines, physicalLine{start, len(data), len(data)})
	}
	return lines
}

// joinLines mirrors pip's join_lines (pip/_internal/req/req_file.py): a line
// ending in a backslash continues on the next one, unless it is a comment
// line; a comment line ends a continuation and is joined with a space in
// front so it is still read as a comment.
func joinLines(data []byte) []logicalLine {
	var (
		out     []logicalLine
		cur     *logicalLine
		physNum int
	)
	appendRange := func(l *logicalLine, start, end int) {
		l.text = append(l.text, data[start:end]...)
		l.offs = slices.Grow(l.offs, end-start)
		for i := start; i < end; i++ {
			l.offs = append(l.offs, i)
		}
	}
	for _, pl := range splitPhysical(data) {
		physNum++
		content := data[pl.start:pl.end]
		comment := isCommentLine(content)
		if comment || len(content) == 0 || content[len(content)-1] != '\\' {
			if cur == nil {
				l := logicalLine{line: physNum}
				appendRange(&l, pl.start, pl.end)
				out = append(out, l)
				continue
			}
			if comment {
				cur.text = append(cur.text, ' ')
				cur.offs = append(cur.offs, -1)
			}
			appendRange(cur, pl.start, pl.end)
			out = append(out, *cur)
			cur = nil
			continue
		}
		if cur == nil {
			cur = &logicalLine{line: physNum}
		}
		end := pl.end
		for end > pl.start && data[end-1] == '\\' {
			end--
		}
		appendRange(cur, pl.start, end)
	}
	if cur != nil {
		out = append(out, *cur)
	}
	return out
}

// isCommentLine reports whether a physical line is only a comment, which is
// what pip's COMMENT_RE matches at the start of a line.
func isCommentLine(b []byte) bool {
	for _, c := range b {
		if c == '#' {
			return true
		}
		if !isSpace(c) {
			return false
		}
	}
	return false
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r' || c == '\n'
}

// commentStart returns the index of the "#" that starts a comment in text,
// or len(text): pip only treats "#" as a comment at the start of the line
// or after whitespace, so "pkg==1.0#frag" keeps its "#".
func commentStart(text []byte) int {
	for i, c := range text {
		if c == '#' && (i == 0 || isSpace(text[i-1])) {
			return i
		}
	}
	return len(text)
}

// token is a run of non-space bytes in a logical line's text.
type token struct{ start, end int }

func tokenize(text []byte, end int) []token {
	var toks []token
	i := 0
	for i < end {
		for i < end && isSpace(text[i]) {
			i++
		}
		if i == end {
			break
		}
		j := i
		for j < end && !isSpace(text[j]) {
			j++
		}
		toks = append(toks, token{i, j})
		i = j
	}
	return toks
}
