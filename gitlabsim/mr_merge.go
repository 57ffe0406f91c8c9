package gitlabsim

import (
	"errors"
	"fmt"
	"net/http"
)

// ErrNotMergeable is returned by MergeMR when the merge request is not open
// or its branches conflict.
var ErrNotMergeable = errors.New("merge request cannot be merged")

// PUT /projects/:id/merge_requests/:iid/merge
// https://docs.gitlab.com/api/merge_requests/#merge-a-merge-request
// Checks in the order of lib/api/merge_requests.rb: 405 when not mergeable
// now or automatically, 422 "Branch cannot be merged" on conflicts, 409
// when sha is not the source head. auto_merge (or the deprecated
// merge_when_pipeline_succeeds) waits for a running head pipeline and
// merges at once when there is none (gitlab-org/gitlab!228142).
func (s *Server) acceptMR(c *call) {
	mr := s.findMR(c)
	if mr == nil {
		return
	}
	p := c.project
	head := headSHA(p, mr)
	// merge_when_pipeline_succeeds is deprecated since 17.11 but still
	// read; auto_merge before 17.11 is an unknown parameter, ignored.
	mr.AutoMergeParams = nil
	for _, k := range []string{"auto_merge", "merge_when_pipeline_succeeds"} {
		if c.params.has(k) {
			mr.AutoMergeParams = append(mr.AutoMergeParams, k)
		}
	}
	auto := c.params.boolean("merge_when_pipeline_succeeds") || s.knowsAutoMerge() && c.params.boolean("auto_merge")
	pl := latestPipeline(p, head)
	running := pl != nil && activePipeline(pl.Status)
	failed := pl != nil && !running && pl.Status != "success" && pl.Status != "skipped"
	tgt, tgtOK := p.repo.branches[mr.TargetBranch]

	notAllowed := mr.State != "opened" || isDraft(mr.Title) || head == "" || !tgtOK ||
		(p.MergeMethod == "ff" && !p.repo.isAncestor(tgt, head))
	if auto {
		notAllowed = notAllowed || failed
	} else if p.OnlyAllowMergeIfPipelineSucceeds {
		notAllowed = notAllowed || pl == nil || running || failed
	}
	if notAllowed {
		c.message(http.StatusMethodNotAllowed, "405 Method Not Allowed")
		return
	}
	if len(conflicts(p, mr)) > 0 {
		c.message(http.StatusUnprocessableEntity, "Branch cannot be merged")
		return
	}
	if sha := c.params.get("sha"); sha != "" && sha != head {
		c.message(http.StatusConflict, "SHA does not match HEAD of source branch: "+head)
		return
	}
	if c.params.has("should_remove_source_branch") {
		mr.RemoveSourceBranch = c.params.boolean("should_remove_source_branch")
	}
	if c.params.has("squash") {
		mr.Squash = c.params.boolean("squash")
	}
	if auto && running {
		mr.AutoMerge, mr.autoMergeSHA, mr.autoMergeBy = true, head, c.user.ID
		mr.UpdatedAt = s.now()
		c.json(http.StatusOK, s.mrJSON(p, mr, true))
		return
	}
	if err := s.merge(p, mr, c.user); err != nil {
		c.message(http.StatusUnprocessableEntity, "Branch cannot be merged")
		return
	}
	c.json(http.StatusOK, s.mrJSON(p, mr, true))
}

// merge performs the merge into the target branch: a fast-forward for
// merge method "ff", otherwise a merge commit (after squashing the source
// into one commit on the merge base if squash is set).
func (s *Server) merge(p *Project, mr *MergeRequest, user *User) error {
	r := p.repo
	head := headSHA(p, mr)
	tgt, ok := r.branches[mr.TargetBranch]
	if mr.State != "opened" && mr.State != "locked" || head == "" || !ok {
		return fmt.Errorf("merge !%d: %w", mr.IID, ErrNotMergeable)
	}
	if cs := conflicts(p, mr); len(cs) > 0 {
		return fmt.Errorf("merge !%d: conflicts in %v: %w", mr.IID, cs, ErrNotMergeable)
	}
	now := s.now()
	result := tgt
	switch {
	case p.MergeMethod == "ff":
		if !r.isAncestor(tgt, head) {
			return fmt.Errorf("merge !%d: needs rebase: %w", mr.IID, ErrNotMergeable)
		}
		result = head
	case r.isAncestor(head, tgt):
		// Already contained in the target: nothing to merge.
	default:
		src := r.commits[head]
		base := r.mergeBase(head, tgt)
		baseTree := tree{}
		if base != nil {
			baseTree = base.tree
		}
		if mr.Squash {
			var parents []string
			if base != nil {
				parents = []string{base.ID}
			}
			src = r.write(parents, src.tree, user, mr.Title, now)
		}
		merged, _ := merge3(baseTree, r.commits[tgt].tree, src.tree)
		msg := fmt.Sprintf("Merge branch '%s' into '%s'\n\n%s\n\nSee merge request %s!%d", mr.SourceBranch, mr.TargetBranch, mr.Title, p.Path, mr.IID)
		result = r.write([]string{tgt, src.ID}, merged, user, msg, now).ID
	}
	mr.sha = head
	mr.State, mr.MergedAt, mr.UpdatedAt = "merged", now, now
	mr.MergedByID, mr.MergeCommitSHA, mr.AutoMerge = user.ID, result, false
	s.setBranch(p, mr.TargetBranch, result, user)
	if mr.RemoveSourceBranch && mr.SourceBranch != p.DefaultBranch {
		delete(r.branches, mr.SourceBranch)
	}
	return nil
}

// MergeMR merges a merge request as a human would from the UI, ignoring
// pipelines. It returns the new head of the target branch.
func (s *Server) MergeMR(p *Project, iid int) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, mr := range p.mrs {
		if mr.IID == iid {
			if err := s.merge(p, mr, s.root()); err != nil {
				return "", err
			}
			return mr.MergeCommitSHA, nil
		}
	}
	return "", fmt.Errorf("merge !%d: no such merge request", iid)
}

// pipelineChanged runs auto-merge: a successful head pipeline merges the
// MR. A failed one leaves auto-merge set, as GitLab documents it ("When
// the pipeline fails, the author gets a chance to retry any failed jobs
// ... When the jobs are retried and succeed on the second try, the merge
// request will automatically be merged after all"); only a push to the
// source branch cancels it (sourcePushed).
func (s *Server) pipelineChanged(p *Project, pl *Pipeline) {
	for _, mr := range p.mrs {
		if !mr.AutoMerge || mr.State != "opened" || headSHA(p, mr) != pl.SHA {
			continue
		}
		if pl.Status == "success" || pl.Status == "skipped" {
			if err := s.merge(p, mr, s.userByID(mr.autoMergeBy)); err != nil {
				mr.AutoMerge = false
			}
		}
	}
}

// sourcePushed aborts auto-merge on MRs whose source moved past the SHA
// auto-merge was set for, as MergeRequests::RefreshService does.
func (s *Server) sourcePushed(p *Project, branch, sha string) {
	for _, mr := range s.mrsFrom(p) {
		if mr.State != "opened" || mr.SourceBranch != branch {
			continue
		}
		// GitLab's MergeRequests::RefreshService reloads the diff and adds
		// an "added N commits" system note, which touches the merge request:
		// an updated_after listing shows the new head.
		mr.sha, mr.UpdatedAt = sha, s.now()
		if mr.AutoMerge && mr.autoMergeSHA != sha {
			mr.AutoMerge = false
		}
	}
}

// LockMR puts an open merge request in the state "locked", which GitLab
// holds while it merges one; MergeMR (or a merge by the API) ends it.
func (s *Server) LockMR(p *Project, iid int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, mr := range p.mrs {
		if mr.IID == iid && mr.State == "opened" {
			mr.sha = headSHA(p, mr)
			mr.State, mr.UpdatedAt = "locked", s.now()
			return nil
		}
	}
	return fmt.Errorf("lock !%d: no such open merge request", iid)
}
