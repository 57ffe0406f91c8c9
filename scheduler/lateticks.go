package scheduler

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/dashboard"
)

// maxTickRecoveries bounds the re-tick writes after one dashboard write: a
// person ticking again during each of them is the only way to need more.
const maxTickRecoveries = 3

// recoverLateTicks puts back the boxes a person ticked between the run's
// re-read of the dashboard (which GitLab last changed at since) and its
// write, which overwrote them. No read-then-write on the issue description
// is atomic (GitLab has no compare-and-set for it), so the window cannot be
// closed; instead the run looks at what GitLab recorded: every edit that
// ticks a checklist item writes a system note, authored by the editor
// (dashboard.TaskNote). After the write, the notes created since the
// re-read tell which boxes people ticked; a box whose latest such note by
// someone other than pinwheel says "completed", which the run did not act
// on and which is now unticked, is ticked again with one more write (on a
// fresh read, so that edit is not lost either). pinwheel's own write makes
// notes too (its unticks); they are pinwheel's and are ignored.
func (run *projectRun) recoverLateTicks(ctx context.Context, iid int64, since time.Time) error {
	for range maxTickRecoveries {
		lost, err := run.lateTicks(ctx, iid, since)
		if err != nil || len(lost) == 0 {
			return err
		}
		cur, _, err := run.gl.Issues.GetIssue(run.p.Path, iid, gitlab.WithContext(ctx))
		if err != nil {
			return fmt.Errorf("re-read dashboard issue #%d for late ticks: %w", iid, err)
		}
		body, missing := dashboard.Tick(cur.Description, lost)
		for _, b := range missing {
			run.log.WithField("box", string(b.Kind)+" "+b.Branch).Info("box ticked during the write has no entry any more; dropped")
		}
		if dashboard.Equal(body, cur.Description) {
			return nil
		}
		var names []string
		for _, b := range lost {
			names = append(names, strings.TrimSpace(string(b.Kind)+" "+b.Branch))
		}
		run.action(fmt.Sprintf("re-tick on dashboard #%d what was ticked during the write (%s)", iid, strings.Join(names, ", ")))
		if _, _, err := run.gl.Issues.UpdateIssue(run.p.Path, iid, &gitlab.UpdateIssueOptions{Description: gitlab.Ptr(body)}, gitlab.WithContext(ctx)); err != nil {
			return fmt.Errorf("re-tick dashboard issue #%d: %w", iid, err)
		}
		if cur.UpdatedAt != nil {
			since = *cur.UpdatedAt
		}
	}
	return nil
}

// lateTicks returns the boxes people ticked (by their latest checklist
// note at or after since) that the run did not act on.
func (run *projectRun) lateTicks(ctx context.Context, iid int64, since time.Time) ([]dashboard.Box, error) {
	opts := &gitlab.ListIssueNotesOptions{
		ListOptions: gitlab.ListOptions{PerPage: 100},
		OrderBy:     gitlab.Ptr("created_at"),
		Sort:        gitlab.Ptr("desc"),
	}
	var recent []*gitlab.Note
	for {
		page, resp, err := run.gl.Notes.ListIssueNotes(run.p.Path, iid, opts, gitlab.WithContext(ctx))
		if err != nil {
			return nil, fmt.Errorf("read dashboard issue #%d notes for late ticks: %w", iid, err)
		}
		older := false
		for _, n := range page {
			if n.CreatedAt != nil && n.CreatedAt.Before(since) {
				older = true
				break
			}
			recent = append(recent, n)
		}
		if older || resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	// Note ids grow with time; the latest note per box says its state.
	slices.SortFunc(recent, func(a, b *gitlab.Note) int { return int(a.ID - b.ID) })
	state := map[dashboard.Box]bool{}
	var order []dashboard.Box
	for _, n := range recent {
		if !n.System || n.Author.ID == run.rec.UserID {
			continue
		}
		b, ticked, ok := dashboard.TaskNote(n.Body)
		if !ok || run.consumed[b] {
			continue
		}
		if _, seen := state[b]; !seen {
			order = append(order, b)
		}
		state[b] = ticked
	}
	var lost []dashboard.Box
	for _, b := range order {
		if state[b] {
			lost = append(lost, b)
		}
	}
	return lost, nil
}
