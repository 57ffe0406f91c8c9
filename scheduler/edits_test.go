package scheduler

import (
	"testing"

	"github.com/pinwheel-dev/pinwheel/constraints"
)

// A set of edits is applied once per run: asked again (to check the open
// merge request's branch, then to build and describe it), the run reuses
// the edited file, and the file as read stays as it was.
func TestEditsAreAppliedOncePerRun(t *testing.T) {
	read := constraints.ParseFile("c.txt", []byte("a==1.0\nb==2.0\n"))
	run := &projectRun{files: []*constraints.File{read}}
	edits := []lineEdit{{key: "b", name: "b", line: 2, to: "2.1"}}
	first := run.edit(0, edits)
	again := run.edit(0, []lineEdit{{key: "b", name: "b", line: 2, to: "2.1"}})
	other := run.edit(0, []lineEdit{{key: "b", name: "b", line: 2, to: "2.2"}})
	if first.err != nil || first.changed != 1 || string(first.file.Bytes()) != "a==1.0\nb==2.1\n" {
		t.Fatalf("edit: %+v", first)
	}
	if again.file != first.file {
		t.Error("the same edits were applied again")
	}
	if other.file == first.file || string(other.file.Bytes()) != "a==1.0\nb==2.2\n" {
		t.Errorf("other edits: %q", other.file.Bytes())
	}
	if run.lastEdit(0) != other.file {
		t.Error("lastEdit is not the latest edit")
	}
	if string(read.Bytes()) != "a==1.0\nb==2.0\n" {
		t.Errorf("the file as read changed: %q", read.Bytes())
	}
	if bad := run.edit(0, []lineEdit{{key: "zz", name: "zz", line: 9, to: "1"}}); bad.err == nil {
		t.Error("an edit of a line not pinned succeeded")
	}
}
