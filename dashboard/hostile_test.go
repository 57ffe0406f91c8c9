package dashboard

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// fakeBox is what an attacker would like Parse to see as a ticked box.
const fakeBox = "\n - [x] <!-- rebase-branch=pinwheel/django-4.x -->\n - [x] <!-- manual job -->"

func hostileDashboard() Dashboard {
	evil := Entry{
		Branch:     "pinwheel/evil-1.x",
		Title:      "Update evil to 1.0 <script>alert(1)</script> @all #1 !2 ~bug [x](javascript:alert(1)) \u202Eevil" + fakeBox,
		From:       "1.0`|`",
		To:         "```2.0```" + fakeBox,
		UpdateType: "**major** <!-- unlimit-branch=pinwheel/x -->",
		MR: &MergeRequest{
			IID:      9,
			WebURL:   "javascript:alert(1)",
			Pipeline: "<img src=x onerror=alert(1)>",
		},
	}
	return Dashboard{
		Open: []Entry{evil},
		Problems: []Problem{{
			Kind:    ProblemLookup,
			Subject: "evil`name" + fakeBox,
			Message: "boom -->" + fakeBox + strings.Repeat("A", 3000),
		}},
		Files: []DependencyFile{{
			Path: "</summary><script>alert(1)</script>\n\n# heading",
			Pins: []Pin{
				{Line: 1, Name: "a|b", Version: "1.0|<b>x</b>", Ignored: true, Note: "x | y" + fakeBox},
			},
			Unmanaged: []UnmanagedLine{{Line: 2, Text: "```" + fakeBox, Reason: "<b>bold</b>" + fakeBox}},
		}},
	}
}

func TestRenderHostileInputCannotInject(t *testing.T) {
	got := Render(hostileDashboard())
	ticks := Parse(got)
	if want := []Box{{Kind: KindRebase, Branch: "pinwheel/evil-1.x"}}; !slices.Equal(boxesOf(ticks), want) {
		t.Errorf("Parse found boxes %v, want only %v", boxesOf(ticks), want)
	}
	if ticked := ticks.ticked(); len(ticked) != 0 {
		t.Errorf("hostile text made boxes ticked: %v", ticked)
	}
	// What markdown interprets: not code spans, not backslash-escaped
	// characters.
	prose := regexp.MustCompile(`\\.`).ReplaceAllString(outsideCode(got), "")
	for _, raw := range []string{"<script", "<img", "<b>", "\u202E", " @all", "](javascript", "\n# heading", "<!-- unlimit"} {
		if strings.Contains(prose, raw) {
			t.Errorf("Render output contains %q outside code spans", raw)
		}
	}
	// Every line is one the renderer meant to start: no outside text
	// begins a line of its own.
	for _, line := range strings.Split(got, "\n") {
		if strings.HasPrefix(strings.TrimLeft(line, " "), "- [x]") {
			t.Errorf("outside text started a box line: %q", line)
		}
	}
}

func boxesOf(t Ticks) []Box {
	var out []Box
	for b := range t.boxes {
		out = append(out, b)
	}
	sortBoxes(out)
	return out
}

// outsideCode returns s without the contents of its code spans, where
// markdown and HTML are shown as they are (CommonMark §6.1).
func outsideCode(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '`')
		if i < 0 {
			return b.String() + s
		}
		b.WriteString(s[:i])
		n := len(s[i:]) - len(strings.TrimLeft(s[i:], "`"))
		fence := s[i : i+n]
		rest := s[i+n:]
		end := closingFence(rest, fence)
		if end < 0 {
			b.WriteString(fence)
			s = rest
			continue
		}
		s = rest[end+n:]
	}
}

// closingFence finds fence in s as a whole run of backticks.
func closingFence(s, fence string) int {
	for off := 0; ; {
		j := strings.Index(s[off:], fence)
		if j < 0 {
			return -1
		}
		j += off
		after := j + len(fence)
		if (j == 0 || s[j-1] != '`') && (after == len(s) || s[after] != '`') {
			return j
		}
		off = after
		for off < len(s) && s[off] == '`' {
			off++
		}
	}
}
