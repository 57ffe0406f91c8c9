package dashboard

import (
	"slices"
	"strings"
)

// Ticks is what Parse read from a dashboard body: every box it recognised
// and whether it is ticked.
//
// The branches in Ticks come from text anyone with access to the issue can
// edit. Use them only to select among the branches the current run
// computed (Has, Selected); never as a branch name, a path or a command.
type Ticks struct {
	boxes map[Box]bool // recognised boxes -> ticked
}

// Parse reads the boxes of a dashboard body. It accepts "[x]" and "[X]",
// "-", "*" and "+" bullets, indentation and CRLF line endings, and ignores
// everything else: text people add around the boxes, markers of unknown
// kinds and markers whose branch ValidBranch refuses. A box that appears
// twice counts as ticked if either copy is.
func Parse(body string) Ticks {
	t := Ticks{boxes: make(map[Box]bool)}
	for _, line := range strings.Split(body, "\n") {
		b, ticked, _, ok := parseLine(strings.TrimSuffix(line, "\r"))
		if ok {
			t.boxes[b] = t.boxes[b] || ticked
		}
	}
	return t
}

// Has reports whether the box (kind, branch) is ticked, or is in the body
// unticked while the bulk box of its section is ticked; for a standalone
// kind (bulk or manual run) pass branch "". Like Renovate, a bulk box
// covers only the boxes shown in the body, never branches the reader did
// not see.
func (t Ticks) Has(kind Kind, branch string) bool {
	ticked, seen := t.boxes[Box{Kind: kind, Branch: branch}]
	if ticked {
		return true
	}
	if !seen || branch == "" {
		return false
	}
	bulk, ok := kind.Bulk()
	return ok && t.boxes[Box{Kind: bulk}]
}

// Selected returns those of the run's own branches (computed, in their
// order) whose kind box is ticked. This is the safe way to act on ticks:
// the result only ever holds strings the caller supplied.
func (t Ticks) Selected(kind Kind, computed []string) []string {
	var out []string
	for _, b := range computed {
		if t.Has(kind, b) {
			out = append(out, b)
		}
	}
	return out
}

// With returns a copy of t in which box b is ticked: a tick asked for by
// other means than the dashboard (a command on a merge request), which
// the run then treats like one a person made.
func (t Ticks) With(b Box) Ticks {
	out := Ticks{boxes: make(map[Box]bool, len(t.boxes)+1)}
	for k, v := range t.boxes {
		out.boxes[k] = v
	}
	out.boxes[b] = true
	return out
}

// RunRequested reports whether the manual-run box is ticked.
func (t Ticks) RunRequested() bool { return t.Has(KindManualRun, "") }

// ticked returns the boxes ticked in the text itself, without bulk
// expansion: what a person actually clicked.
func (t Ticks) ticked() []Box {
	var out []Box
	for b, ticked := range t.boxes {
		if ticked {
			out = append(out, b)
		}
	}
	sortBoxes(out)
	return out
}

func sortBoxes(bs []Box) {
	slices.SortFunc(bs, func(a, b Box) int {
		if c := strings.Compare(string(a.Kind), string(b.Kind)); c != 0 {
			return c
		}
		return strings.Compare(a.Branch, b.Branch)
	})
}
