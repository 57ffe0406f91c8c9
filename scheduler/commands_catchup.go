package scheduler

import (
	"context"
	"fmt"
	"strings"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/mrbot"
	"github.com/pinwheel-dev/pinwheel/mrcmd"
	"github.com/pinwheel-dev/pinwheel/state"
)

// The webhook is not the only way a command arrives: with the daemon
// down, the hook disabled or a forward lost, GitLab never delivers it
// again. A note touches its merge request's updated_at, so the run's
// merge request listing (updated since the last run, which it does
// anyway) names the merge requests that may hold a missed command; the
// run reads the notes of those only, newest first down to the last time
// it saw the merge request, records each command not answered yet (the
// answer's marker says which are) and answers it. A run with no merge
// request changed makes no request for this.
//
// pinwheel's own pushes and retitles move updated_at too, so a merge
// request counts as moved only when the listing's user_notes_count (notes
// by people; GitLab leaves system notes out) changed as well. The record
// keeps the count of the last listing only, never of a GET or of
// pinwheel's own writes, plus one for each note pinwheel posted since
// (notedOwn): its own answers do not make the next run read again.

// movedMR is one of pinwheel's merge requests updated since the last
// run: its notes since are read.
type movedMR struct {
	projectID, iid int64
	since          time.Time
}

// moved reports whether the listing shows rec updated since the record
// old (had: there was one) was taken.
func moved(old state.MergeRequestRecord, had bool, rec state.MergeRequestRecord) bool {
	if !had || old.IID != rec.IID {
		return true
	}
	return rec.UpdatedAt.After(old.UpdatedAt) && rec.UserNotes != old.UserNotes
}

// rememberListed is remember for a merge request as the listing gives
// it: the only place the record takes GitLab's notes count from.
func (run *projectRun) rememberListed(branch string, mr mrbot.MergeRequest) state.MergeRequestRecord {
	rec := run.remember(branch, mr)
	if rec.IID == mr.IID {
		rec.UserNotes = mr.UserNotes
		run.rec.MergeRequests[branch] = rec
	}
	return rec
}

// notedOwn counts a note pinwheel posted on merge request iid into its
// record, so the next listing's count, which includes it, is no change.
func (run *projectRun) notedOwn(iid int64) {
	for branch, rec := range run.rec.MergeRequests {
		if rec.IID == iid {
			rec.UserNotes++
			run.rec.MergeRequests[branch] = rec
			return
		}
	}
}

// changeRecord changes the record of branch's merge request after a bot
// call. It reads the record afresh rather than writing back a copy taken
// before the call: the call's note was counted into it (notedOwn), and
// the copy would undo that and make the next run read the notes again.
func (run *projectRun) changeRecord(branch string, change func(*state.MergeRequestRecord)) {
	rec := run.rec.MergeRequests[branch]
	change(&rec)
	run.rec.MergeRequests[branch] = rec
}

// catchUpCommands records and answers the commands on the merge requests
// updated since the last run that no webhook brought.
func (run *projectRun) catchUpCommands(ctx context.Context) error {
	moved := run.moved
	run.moved = nil
	if run.r.deps.DryRun || len(moved) == 0 {
		return nil
	}
	self, err := run.r.BotUsername(ctx)
	if err != nil {
		return err
	}
	var found []state.MRCommand
	for _, m := range moved {
		recs, err := run.missedCommands(ctx, m, self)
		if err != nil {
			return err
		}
		found = append(found, recs...)
	}
	return run.handleCommands(ctx, found, true)
}

// missedCommands reads m's notes since it was last seen and records the
// commands among them that have neither a record marked done nor an
// answer.
func (run *projectRun) missedCommands(ctx context.Context, m movedMR, self string) ([]state.MRCommand, error) {
	since := run.rec.MRsSeenUntil
	if !m.since.IsZero() && m.since.Before(since) {
		since = m.since
	}
	since = since.Add(-listMargin)
	opts := &gitlab.ListMergeRequestNotesOptions{
		ListOptions: gitlab.ListOptions{PerPage: 100},
		OrderBy:     gitlab.Ptr("created_at"), Sort: gitlab.Ptr("desc"),
	}
	var candidates []*gitlab.Note
	answered := map[string]bool{}
pages:
	for {
		notes, resp, err := run.gl.Notes.ListMergeRequestNotes(run.p.Path, m.iid, opts, gitlab.WithContext(ctx))
		if err != nil {
			return nil, fmt.Errorf("read the notes of !%d for commands: %w", m.iid, err)
		}
		for _, n := range notes {
			if n.CreatedAt != nil && n.CreatedAt.Before(since) {
				break pages
			}
			switch {
			case n.System:
			case n.Author.ID == run.rec.UserID:
				if id, ok := answeredID(n.Body); ok {
					answered[id] = true
				}
			default:
				if _, err := mrcmd.Parse(n.Body, self); err == nil {
					candidates = append(candidates, n)
				}
			}
		}
		if resp == nil || resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	var out []state.MRCommand
	db := run.r.deps.State
	// Oldest first, as they were given.
	for i := len(candidates) - 1; i >= 0; i-- {
		n := candidates[i]
		rec := state.MRCommand{
			ID: state.CommandID(m.projectID, m.iid, n.ID), Project: run.p.Path, ProjectID: m.projectID,
			MRIID: m.iid, NoteID: n.ID, Received: run.r.deps.Clock(),
		}
		if answered[rec.ID] {
			continue
		}
		found, err := db.ReceiveCommand(rec)
		if err != nil {
			return nil, err
		}
		if found != nil {
			// Known already: a webhook brought it, and this run's
			// commands step handled it or left it for the next run.
			continue
		}
		run.log.WithField("command", rec.ID).Info("merge request command found without its webhook")
		out = append(out, rec)
	}
	return out, nil
}

// answeredID is the command ID an answer of pinwheel's carries.
func answeredID(body string) (string, bool) {
	const prefix = "<!-- pinwheel-command:"
	i := strings.Index(body, prefix)
	if i < 0 {
		return "", false
	}
	rest := body[i+len(prefix):]
	j := strings.Index(rest, " -->")
	if j < 0 {
		return "", false
	}
	return rest[:j], true
}
