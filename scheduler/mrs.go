package scheduler

import (
	"context"
	"fmt"
	"strings"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/mrbot"
	"github.com/pinwheel-dev/pinwheel/state"
)

// listMargin is subtracted from the listing cursors: GitLab's clock, its
// replicas and the transaction that bumps updated_at may lag, and a
// listing that repeats a few items costs nothing.
const listMargin = 10 * time.Minute

// syncMergeRequests refreshes the record of each update branch's latest
// merge request from GitLab: pinwheel's merge requests into the target
// updated since the cursor, or all of them when the state has none (a new
// or lost state file: GitLab is the source of truth).
//
// The listing runs newest first and moves the cursor only once it is
// complete. Offset pages shift when an item is updated during the
// listing; newest first, an item can then only be listed twice (it moved
// to a page already read, and the next run lists it again), never
// skipped, which oldest first would do to the item at a page boundary.
func (run *projectRun) syncMergeRequests(ctx context.Context) error {
	opts := &gitlab.ListProjectMergeRequestsOptions{
		ListOptions:  gitlab.ListOptions{PerPage: 100},
		State:        gitlab.Ptr("all"),
		AuthorID:     gitlab.Ptr(run.rec.UserID),
		TargetBranch: gitlab.Ptr(run.target),
		OrderBy:      gitlab.Ptr("updated_at"),
		Sort:         gitlab.Ptr("desc"),
	}
	if run.rec.MergeRequests == nil {
		run.rec.MergeRequests = map[string]state.MergeRequestRecord{}
	}
	if !run.rec.MRsSeenUntil.IsZero() {
		opts.UpdatedAfter = gitlab.Ptr(run.rec.MRsSeenUntil.Add(-listMargin))
	}
	seenUntil := run.rec.MRsSeenUntil
	for {
		list, resp, err := run.gl.MergeRequests.ListProjectMergeRequests(run.p.Path, opts, gitlab.WithContext(ctx))
		if err != nil {
			return fmt.Errorf("list merge requests: %w", err)
		}
		for _, mr := range list {
			if mr.UpdatedAt != nil && mr.UpdatedAt.After(seenUntil) {
				seenUntil = *mr.UpdatedAt
			}
			if strings.HasPrefix(mr.SourceBranch, run.p.BranchPrefix) {
				old, had := run.rec.MergeRequests[mr.SourceBranch]
				rec := run.rememberListed(mr.SourceBranch, mrbot.FromGitLab(mr))
				if moved(old, had, rec) && !run.rec.MRsSeenUntil.IsZero() {
					// A new note touches its merge request: read its
					// notes for missed commands (catchUpCommands).
					run.moved = append(run.moved, movedMR{projectID: mr.ProjectID, iid: rec.IID, since: old.UpdatedAt})
				}
			}
		}
		if resp == nil || resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	run.rec.MRsSeenUntil = seenUntil
	return nil
}

// remember stores mr as the branch's latest merge request, unless the
// record already holds a newer one. What pinwheel knows of its own build
// (and its note) stays with the same merge request.
func (run *projectRun) remember(branch string, mr mrbot.MergeRequest) state.MergeRequestRecord {
	old, ok := run.rec.MergeRequests[branch]
	if ok && old.IID > mr.IID {
		return old
	}
	rec := state.MergeRequestRecord{
		IID: mr.IID, Title: mr.Title, State: mr.State, SHA: mr.SHA, WebURL: mr.WebURL, UpdatedAt: mr.UpdatedAt,
	}
	if ok && old.IID == mr.IID {
		rec.Noted, rec.Versions, rec.UserNotes = old.Noted, old.Versions, old.UserNotes
		rec.BuiltSHA, rec.Parent, rec.Blob = old.BuiltSHA, old.Parent, old.Blob
		rec.AutoMergeSHA, rec.Refused = old.AutoMergeSHA, old.Refused
		if old.SHA == mr.SHA || mr.SHA == "" {
			rec.SHA, rec.PipelineID, rec.Pipeline = old.SHA, old.PipelineID, old.Pipeline
			rec.PipelineChecked = old.PipelineChecked
		}
		if rec.WebURL == "" {
			rec.WebURL = old.WebURL
		}
	}
	run.rec.MergeRequests[branch] = rec
	return rec
}

// recordOf finds the record of merge request iid and its branch.
func (run *projectRun) recordOf(iid int64) (string, state.MergeRequestRecord, bool) {
	for branch, mr := range run.rec.MergeRequests {
		if mr.IID == iid {
			return branch, mr, true
		}
	}
	return "", state.MergeRequestRecord{}, false
}

// syncPipelines learns the pipeline status of open update merge requests'
// heads from the pipelines updated since the cursor; it asks nothing when
// no update merge request is open.
func (run *projectRun) syncPipelines(ctx context.Context) error {
	heads := map[string]string{} // sha -> branch
	for branch, mr := range run.rec.MergeRequests {
		if mr.State == "opened" && mr.SHA != "" {
			heads[mr.SHA] = branch
		}
	}
	if len(heads) == 0 || run.pipelinesSettled() {
		return nil
	}
	opts := &gitlab.ListProjectPipelinesOptions{
		ListOptions: gitlab.ListOptions{PerPage: 100},
		OrderBy:     gitlab.Ptr("id"),
		Sort:        gitlab.Ptr("desc"),
	}
	full := run.rec.PipelinesSeenUntil.IsZero()
	if !full {
		opts.UpdatedAfter = gitlab.Ptr(run.rec.PipelinesSeenUntil.Add(-listMargin))
	}
	// As with merge requests, the cursor moves once the listing is done.
	seenUntil := run.rec.PipelinesSeenUntil
	for {
		list, resp, err := run.gl.Pipelines.ListProjectPipelines(run.p.Path, opts, gitlab.WithContext(ctx))
		if err != nil {
			return fmt.Errorf("list pipelines: %w", err)
		}
		for _, pl := range list {
			if pl.UpdatedAt != nil && pl.UpdatedAt.After(seenUntil) {
				seenUntil = *pl.UpdatedAt
			}
			branch, ok := heads[pl.SHA]
			if !ok {
				continue
			}
			mr := run.rec.MergeRequests[branch]
			if pl.ID >= mr.PipelineID {
				mr.PipelineID, mr.Pipeline = pl.ID, pl.Status
				run.rec.MergeRequests[branch] = mr
			}
		}
		// Without a cursor the newest page is enough: older pipelines
		// belong to heads long gone.
		if full || resp == nil || resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	run.rec.PipelinesSeenUntil = seenUntil
	run.rec.PipelinesCheckedAt = run.now
	for _, branch := range heads {
		mr := run.rec.MergeRequests[branch]
		mr.PipelineChecked = true
		run.rec.MergeRequests[branch] = mr
	}
	return nil
}

// pipelineRecheck is how long a run trusts the finished pipelines it
// knows: a person re-running a pipeline on the same head changes its
// status without touching the merge request.
const pipelineRecheck = 6 * time.Hour

// pipelinesSettled reports whether the pipeline listing can be skipped:
// every open update merge request's head was there at the last listing
// and had a finished pipeline or none (a project without CI), and that
// listing is younger than pipelineRecheck. A quiet project then costs one
// request less per run.
func (run *projectRun) pipelinesSettled() bool {
	checked := run.rec.PipelinesCheckedAt
	if checked.IsZero() || run.now.Sub(checked) >= pipelineRecheck || run.now.Before(checked) {
		return false
	}
	for _, mr := range run.rec.MergeRequests {
		if mr.State != "opened" || mr.SHA == "" {
			continue
		}
		if !mr.PipelineChecked {
			return false
		}
		switch mr.Pipeline {
		case "", "success", "failed", "canceled", "skipped":
		default:
			return false
		}
	}
	return true
}
