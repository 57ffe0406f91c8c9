package scheduler

import (
	"context"
	"errors"

	"github.com/pinwheel-dev/pinwheel/dashboard"
	"github.com/pinwheel-dev/pinwheel/mrbot"
	"github.com/pinwheel-dev/pinwheel/state"
)

// execute does what d decided for s through mrbot and lists s on the
// dashboard model.
func (run *projectRun) execute(ctx context.Context, s *slot, d Decision) error {
	if d.PendingEntry != nil {
		run.model.PendingReleaseAge = append(run.model.PendingReleaseAge, *d.PendingEntry)
	}
	if d.ClosedEntry != nil {
		run.list(SectionClosed, *d.ClosedEntry)
	}
	if d.Err != nil {
		return d.Err
	}
	if run.r.deps.DryRun {
		return run.dryExecute(s, d)
	}
	if s.group != "" && d.Note {
		if err := run.ackGroupClosed(ctx, s, d); err != nil {
			return err
		}
	}
	switch d.Action {
	case ActIdle:
		run.idle[s.branch] = true
		return nil
	case ActLeave, ActHold:
		if d.Section == SectionOpen && d.Want != nil {
			// An open merge request left as it is: a run stopped between
			// opening it and asking for auto-merge asks now.
			if err := run.autoMerge(ctx, s, d.Want.Update, run.rec.MergeRequests[s.branch], false); err != nil {
				return err
			}
		}
		run.list(d.Section, d.Entry)
		return nil
	case ActClose:
		if s.group != "" {
			run.list(d.Section, d.Entry)
			return nil
		}
		if err := run.closed(ctx, s, d); err != nil {
			return err
		}
		run.list(d.Section, d.Entry)
		return nil
	case ActUpdate, ActRebase:
		if d.Recreated && s.group != "" {
			delete(run.rec.ClosedGroups, s.branch) // as for ActCreate below
		}
		rec, err := run.rebuild(ctx, s, d.Want.Update, run.rec.MergeRequests[s.branch], d.Action == ActUpdate)
		if errors.Is(err, mrbot.ErrEdited) {
			mr := run.rec.MergeRequests[s.branch]
			d.Entry.Title, d.Entry.MR = mr.Title, mrEntry(mr)
			run.list(d.Section, d.Entry)
			return nil
		}
		if err != nil {
			return err
		}
		d.Entry.MR = mrEntry(rec)
	case ActCreate:
		if d.Recreated && s.group == "" {
			if err := run.closed(ctx, s, d); err != nil {
				return err
			}
		}
		if d.Recreated && s.group != "" {
			// Forgotten before the merge request exists: once it is open,
			// the closed versions would be taken out of it again. A run
			// stopped in between leaves the recreate box ticked.
			delete(run.rec.ClosedGroups, s.branch)
		}
		rec, err := run.create(ctx, s, d.Want.Update)
		if err != nil {
			if d.FailSection != SectionNone {
				e := d.Entry
				e.Ticked = d.FailTicked
				run.list(d.FailSection, e)
			}
			return err
		}
		if d.Recreated {
			delete(run.rec.ClosedUpdates, s.branch)
		}
		d.Entry.MR = mrEntry(rec)
	}
	for _, k := range d.Consume {
		run.consume(k, s.branch)
	}
	run.list(d.Section, d.Entry)
	return nil
}

// list adds e to a section of the dashboard model.
func (run *projectRun) list(sec Section, e dashboard.Entry) {
	m := &run.model
	switch sec {
	case SectionAwaitingSchedule:
		m.AwaitingSchedule = append(m.AwaitingSchedule, e)
	case SectionRateLimited:
		m.RateLimited = append(m.RateLimited, e)
	case SectionOpen:
		m.Open = append(m.Open, e)
	case SectionClosed:
		m.Closed = append(m.Closed, e)
	}
}

// closed acknowledges a merge request closed without merging: the state
// remembers the version, and the first run that sees it says so on the
// merge request, once, and deletes its branch (like Renovate; a recreate
// tick builds it again).
func (run *projectRun) closed(ctx context.Context, s *slot, d Decision) error {
	if run.rec.ClosedUpdates == nil {
		run.rec.ClosedUpdates = map[string]string{}
	}
	if !run.r.deps.DryRun {
		run.rec.ClosedUpdates[s.branch] = d.Want.Update.To
	}
	if !d.Note {
		return nil
	}
	mr := run.rec.MergeRequests[s.branch]
	if err := run.bot.NoteClosed(ctx, mr.IID, s.name, d.Want.Update.To); err != nil {
		return err
	}
	if err := run.bot.RemoveBranch(ctx, s.branch, d.Title, mr.BuiltSHA); err != nil && !errors.Is(err, mrbot.ErrEdited) {
		return err
	}
	run.touched[s.branch] = true
	if !run.r.deps.DryRun {
		run.changeRecord(s.branch, func(r *state.MergeRequestRecord) { r.Noted = true })
	}
	return nil
}
