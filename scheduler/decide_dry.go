package scheduler

import (
	"fmt"
	"strings"
)

// dryExecute is a dry run's execute: it says what execute would write for
// d, counts it and lists the slot as execute would, and sends nothing to
// GitLab (decide, don't execute). Only the files are computed, so an
// update that would fail to fit its pin fails here too.
func (run *projectRun) dryExecute(s *slot, d Decision) error {
	mr := run.rec.MergeRequests[s.branch]
	if d.Note {
		run.action(fmt.Sprintf("note on closed MR !%d", mr.IID))
		run.action("delete branch " + s.branch)
		run.touched[s.branch] = true
	}
	switch d.Action {
	case ActIdle:
		run.idle[s.branch] = true
		return nil
	case ActLeave, ActHold, ActClose:
		run.list(d.Section, d.Entry)
		return nil
	case ActCreate:
		run.touched[s.branch] = true
		if _, err := run.changes(s, d.Want.Update); err != nil {
			return err
		}
		run.action(fmt.Sprintf("commit to branch %s: %s", s.branch, firstLineOf(s.message(d.Want.Update))))
		run.action(fmt.Sprintf("open MR %q from %s", d.Title, s.branch))
		run.openCount++
		run.createdThis++
		run.report.MRsOpened++
	case ActUpdate, ActRebase:
		run.touched[s.branch] = true
		if _, err := run.changes(s, d.Want.Update); err != nil {
			return err
		}
		run.action(fmt.Sprintf("commit to branch %s: %s", s.branch, firstLineOf(s.message(d.Want.Update))))
		run.action(fmt.Sprintf("update MR !%d: %q", mr.IID, d.Title))
		run.report.MRsUpdated++
		// The rest of the run (tidy) sees the merge request as the
		// update leaves it: retitled [security], it supersedes the
		// leftover vulnerability MR, which a real run then closes. Not
		// when the branch's head is not pinwheel's build: a real update
		// then likely finds someone else's commits and leaves it (a
		// rebase tick rebuilds it all the same). The record is this
		// run's copy; a dry run saves none.
		if d.Action == ActRebase || mr.SHA == mr.BuiltSHA {
			mr.Title = d.Title
			run.rec.MergeRequests[s.branch] = mr
		} else {
			d.Entry.Title = mr.Title
		}
		d.Entry.MR = mrEntry(mr)
	}
	for _, k := range d.Consume {
		run.consume(k, s.branch)
	}
	run.list(d.Section, d.Entry)
	return nil
}

func firstLineOf(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
