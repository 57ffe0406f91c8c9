package dashboard

import "strings"

// CarryOver keeps the boxes people ticked while a run was in flight.
//
// A run reads the issue at its start, renders newBody at its end, and
// would overwrite any box ticked in between. Renovate lost such ticks
// (renovatebot/renovate#4355, #8719) until it re-read the issue just
// before writing (PR #10457); CarryOver is that step. Before writing
// newBody, re-read the issue as freshBody and call CarryOver:
//
//   - a box ticked in freshBody that the run did not act on (consumed
//     reports false) comes out ticked, if newBody has it;
//   - a box the run acted on (consumed reports true) comes out unticked;
//   - a box ticked in freshBody, not consumed and missing from newBody (the
//     update vanished) cannot be kept: it is returned in dropped, sorted,
//     so the caller can log it.
//
// Bulk boxes and the manual-run box are carried the same way, with an
// empty Branch: when the run acts on a bulk box, consumed must report the
// bulk box itself too, or it comes out ticked again. A box is its kind and
// branch, so a tick on an entry that moved to another section (an
// unschedule tick whose MR now exists) is dropped, not moved. consumed may
// be nil, meaning nothing was acted on. Only tick marks change; every other
// byte of newBody is returned as it was.
func CarryOver(newBody, freshBody string, consumed func(Box) bool) (body string, dropped []Box) {
	if consumed == nil {
		consumed = func(Box) bool { return false }
	}
	pending := make(map[Box]bool)
	for _, b := range Parse(freshBody).ticked() {
		if !consumed(b) {
			pending[b] = true
		}
	}
	present := make(map[Box]bool)
	lines := strings.Split(newBody, "\n")
	for i, line := range lines {
		b, ticked, at, ok := parseLine(strings.TrimSuffix(line, "\r"))
		if !ok {
			continue
		}
		present[b] = true
		want := ticked
		switch {
		case consumed(b):
			want = false
		case pending[b]:
			want = true
		}
		if want != ticked {
			mark := " "
			if want {
				mark = "x"
			}
			lines[i] = line[:at] + mark + line[at+1:]
		}
	}
	for b := range pending {
		if !present[b] {
			dropped = append(dropped, b)
		}
	}
	sortBoxes(dropped)
	return strings.Join(lines, "\n"), dropped
}

// Normalize returns body as GitLab may store it: LF line endings, no
// trailing white space on lines, no blank lines at the end.
func Normalize(body string) string {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	lines := strings.Split(body, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\r")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}

// Equal reports whether two bodies are the same once normalised, so the
// daemon writes the issue only when its text really changes (Renovate
// skips the write the same way, PR #26794). Ticks count: a box ticked in
// one and not the other makes them differ.
func Equal(a, b string) bool { return Normalize(a) == Normalize(b) }
