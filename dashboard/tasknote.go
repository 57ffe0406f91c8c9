package dashboard

import (
	"regexp"
	"strings"
)

// GitLab writes a system note on the issue whenever an edit of its
// description ticks or unticks a checklist item, whoever made the edit
// and however (UI or API):
//
//	marked the checklist item **<item text>** as completed
//	marked the checklist item **<item text>** as incomplete
//
// (SystemNotes::IssuablesService#change_task_status; "task" before GitLab
// 15.x, renamed by a background migration.) The item text is the line
// after its checkbox with markdown characters backslash-escaped, and an
// HTML comment's text kept without the comment delimiters, so a
// dashboard box's marker can be read back from the note. A run uses these
// notes to find ticks its own write overwrote (see the scheduler).
var taskNote = regexp.MustCompile(`^marked the (?:checklist item|task) \*\*(.*)\*\* as (completed|incomplete)\s*$`)

// mdEscape matches a CommonMark backslash escape: a backslash before an
// ASCII punctuation character (https://spec.commonmark.org/0.31.2/#backslash-escapes).
var mdEscape = regexp.MustCompile("\\\\([!-/:-@\\[-`{-~])")

// The marker words inside a task note's text: a per-update marker
// ("unschedule-branch=<branch>") or a standalone kind.
var (
	noteBranchMarker = regexp.MustCompile(`(?:^|\s)([a-zA-Z]+)-branch=(\S+)`)
	noteStandalone   = regexp.MustCompile(`(?:^|\s)(create-all-awaiting-schedule-prs|create-all-rate-limited-prs|rebase-all-open-prs|manual job)(?:\s|$)`)
)

// TaskNote reads a GitLab checklist system note. ok is false when body is
// not such a note or its item is not a box pinwheel knows; otherwise b is
// the box and ticked says whether the edit ticked it ("as completed").
func TaskNote(body string) (b Box, ticked bool, ok bool) {
	m := taskNote.FindStringSubmatch(strings.TrimSpace(body))
	if m == nil {
		return Box{}, false, false
	}
	text := mdEscape.ReplaceAllString(m[1], "$1")
	ticked = m[2] == "completed"
	if bm := noteBranchMarker.FindStringSubmatch(text); bm != nil {
		k := Kind(bm[1])
		if k.perBranch() && ValidBranch(bm[2]) {
			return Box{Kind: k, Branch: bm[2]}, ticked, true
		}
		return Box{}, false, false
	}
	if sm := noteStandalone.FindStringSubmatch(text); sm != nil {
		return Box{Kind: Kind(sm[1])}, ticked, true
	}
	return Box{}, false, false
}

// Tick returns body with the given boxes ticked; every other byte is
// kept. Boxes body does not have are returned in missing.
func Tick(body string, boxes []Box) (out string, missing []Box) {
	want := make(map[Box]bool, len(boxes))
	for _, b := range boxes {
		want[b] = true
	}
	seen := make(map[Box]bool)
	lines := strings.Split(body, "\n")
	for i, line := range lines {
		b, ticked, at, ok := parseLine(strings.TrimSuffix(line, "\r"))
		if !ok || !want[b] {
			continue
		}
		seen[b] = true
		if !ticked {
			lines[i] = line[:at] + "x" + line[at+1:]
		}
	}
	for _, b := range boxes {
		if !seen[b] {
			missing = append(missing, b)
		}
	}
	return strings.Join(lines, "\n"), missing
}
