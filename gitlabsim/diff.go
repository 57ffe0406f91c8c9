package gitlabsim

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// FileChange is what one commit (or a comparison) did to one file.
type FileChange struct {
	OldPath, NewPath string
	// Old and New are the contents before and after; nil when the file did
	// not exist on that side.
	Old, New                          []byte
	NewFile, DeletedFile, RenamedFile bool
	AMode, BMode                      string
}

// diffTrees lists the changes from a to b, sorted by path. A deleted and
// an added file with identical content are reported as one rename.
func diffTrees(a, b tree) []FileChange {
	var out []FileChange
	var added, deleted []string
	for _, p := range slices.Sorted(maps.Keys(b)) {
		ea, ok := a[p]
		eb := b[p]
		switch {
		case !ok:
			added = append(added, p)
		case !sameEntry(ea, eb, true, true):
			out = append(out, FileChange{OldPath: p, NewPath: p, Old: ea.data, New: eb.data, AMode: ea.mode(), BMode: eb.mode()})
		}
	}
	for _, p := range slices.Sorted(maps.Keys(a)) {
		if _, ok := b[p]; !ok {
			deleted = append(deleted, p)
		}
	}
	for _, p := range added {
		eb := b[p]
		renamed := false
		for i, d := range deleted {
			if sameEntry(a[d], eb, true, true) {
				out = append(out, FileChange{OldPath: d, NewPath: p, Old: a[d].data, New: eb.data, RenamedFile: true, AMode: eb.mode(), BMode: eb.mode()})
				deleted = slices.Delete(deleted, i, i+1)
				renamed = true
				break
			}
		}
		if !renamed {
			out = append(out, FileChange{OldPath: p, NewPath: p, New: eb.data, NewFile: true, AMode: "0", BMode: eb.mode()})
		}
	}
	for _, d := range deleted {
		out = append(out, FileChange{OldPath: d, NewPath: d, Old: a[d].data, DeletedFile: true, AMode: a[d].mode(), BMode: "0"})
	}
	slices.SortFunc(out, func(x, y FileChange) int { return strings.Compare(x.NewPath, y.NewPath) })
	return out
}

// diffJSON is GitLab's diff entity (commits/:sha/diff, compare).
type diffJSON struct {
	Diff        string `json:"diff"`
	NewPath     string `json:"new_path"`
	OldPath     string `json:"old_path"`
	AMode       string `json:"a_mode"`
	BMode       string `json:"b_mode"`
	NewFile     bool   `json:"new_file"`
	RenamedFile bool   `json:"renamed_file"`
	DeletedFile bool   `json:"deleted_file"`
	Collapsed   bool   `json:"collapsed"`
	TooLarge    bool   `json:"too_large"`
}

func diffsJSON(changes []FileChange) []diffJSON {
	out := make([]diffJSON, 0, len(changes))
	for _, ch := range changes {
		out = append(out, diffJSON{
			Diff: unified(string(ch.Old), string(ch.New)), NewPath: ch.NewPath, OldPath: ch.OldPath,
			AMode: ch.AMode, BMode: ch.BMode, NewFile: ch.NewFile, RenamedFile: ch.RenamedFile, DeletedFile: ch.DeletedFile,
		})
	}
	return out
}

// unified renders a line diff in git's hunk format with three lines of
// context and no file header, as GitLab's "diff" field does.
func unified(a, b string) string {
	if a == b {
		return ""
	}
	x, y := splitLines(a), splitLines(b)
	ops := lineOps(x, y)
	const ctx = 3
	var sb strings.Builder
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		start := max(0, i-ctx)
		end := i
		for j := i; j < len(ops); j++ {
			if ops[j].kind != ' ' {
				end = j + 1
			} else if j-end >= 2*ctx {
				break
			}
		}
		end = min(len(ops), end+ctx)
		hunk := ops[start:end]
		oldStart, newStart := hunk[0].ai+1, hunk[0].bi+1
		var oldN, newN int
		for _, op := range hunk {
			if op.kind != '+' {
				oldN++
			}
			if op.kind != '-' {
				newN++
			}
		}
		if oldN == 0 {
			oldStart--
		}
		if newN == 0 {
			newStart--
		}
		fmt.Fprintf(&sb, "@@ -%s +%s @@\n", hunkRange(oldStart, oldN), hunkRange(newStart, newN))
		for _, op := range hunk {
			sb.WriteByte(op.kind)
			sb.WriteString(strings.TrimSuffix(op.line, "\n"))
			sb.WriteByte('\n')
			if !strings.HasSuffix(op.line, "\n") {
				sb.WriteString("\\ No newline at end of file\n")
			}
		}
		i = end
	}
	return sb.String()
}

// hunkRange omits a count of one, as git does ("@@ -3 +3,2 @@").
func hunkRange(start, n int) string {
	if n == 1 {
		return itoa(start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

type lineOp struct {
	kind   byte // ' ', '-', '+'
	line   string
	ai, bi int // positions in a and b when the op starts
}

// lineOps is a longest-common-subsequence edit script; fine for the small
// files a simulator holds.
func lineOps(a, b []string) []lineOp {
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var ops []lineOp
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			ops = append(ops, lineOp{' ', a[i], i, j})
			i++
			j++
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, lineOp{'-', a[i], i, j})
			i++
		default:
			ops = append(ops, lineOp{'+', b[j], i, j})
			j++
		}
	}
	return ops
}
