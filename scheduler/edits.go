package scheduler

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pinwheel-dev/pinwheel/constraints"
)

// A run computes a branch's files several times (is the open merge
// request's branch current? build it, describe it, try a group's parts):
// each constraints file is parsed once when the run reads it, and each
// set of edits to it is applied once per run (to a Clone, no new parse of
// the original) and then reused.

// lineEdit moves one pinned line to a version.
type lineEdit struct {
	key, name string // the package's normalised key and its name as shown
	line      int
	to        string
	sha256    []string
}

// editedFile is a constraints file after a set of edits: changed counts
// the lines the edits changed (0: file is the run's own parse).
type editedFile struct {
	file    *constraints.File
	changed int
	err     error
}

// edit applies edits (bottom up) to the run's file fi, once per run.
func (run *projectRun) edit(fi int, edits []lineEdit) editedFile {
	var k strings.Builder
	k.WriteString(strconv.Itoa(fi))
	for _, e := range edits {
		fmt.Fprintf(&k, "\x00%s\x01%s\x01%d\x01%s\x01%s", e.key, e.name, e.line, e.to, strings.Join(e.sha256, ","))
	}
	key := k.String()
	if ed, ok := run.edited[key]; ok {
		run.last(fi, ed)
		return ed
	}
	f := run.files[fi]
	ed := editedFile{file: f}
	if len(edits) > 0 {
		nf := f.Clone()
		for _, e := range edits {
			n, err := nf.SetLine(e.key, e.line, e.to, e.sha256)
			if err != nil {
				ed = editedFile{err: contentError{fmt.Errorf("update %s in %s: %w", e.name, f.Name(), err)}}
				break
			}
			ed.file, ed.changed = nf, ed.changed+n
		}
	}
	if run.edited == nil {
		run.edited = map[string]editedFile{}
	}
	run.edited[key] = ed
	run.last(fi, ed)
	return ed
}

// last remembers the latest edit of file fi, for lastEdit.
func (run *projectRun) last(fi int, ed editedFile) {
	run.edited["last\x00"+strconv.Itoa(fi)] = ed
}

// lastEdit is file fi as the latest call of changes left it.
func (run *projectRun) lastEdit(fi int) *constraints.File {
	if ed, ok := run.edited["last\x00"+strconv.Itoa(fi)]; ok && ed.file != nil {
		return ed.file
	}
	return run.files[fi]
}
