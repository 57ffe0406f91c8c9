package gitlabsim

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MergeRequest is a merge request within one project.
type MergeRequest struct {
	ID, IID                    int
	Title, Description         string
	SourceBranch, TargetBranch string
	// State is opened, closed, merged or locked.
	State    string
	Labels   []string
	AuthorID int
	// AutoMerge is set by PUT .../merge with auto_merge (or the deprecated
	// merge_when_pipeline_succeeds) while the head pipeline runs.
	AutoMerge bool
	// AutoMergeParams are the auto-merge parameters (auto_merge,
	// merge_when_pipeline_succeeds) the last PUT .../merge sent, whether
	// the simulated version read them or not.
	AutoMergeParams []string
	// AssigneeIDs and ReviewerIDs are the users assigned and asked to
	// review (assignee_ids, reviewer_ids), existing users only.
	AssigneeIDs, ReviewerIDs []int
	RemoveSourceBranch       bool
	Squash                   bool
	MergeCommitSHA           string
	MergedByID               int
	CreatedAt                time.Time
	UpdatedAt                time.Time
	MergedAt                 time.Time
	ClosedAt                 time.Time

	sha          string   // source head, remembered once the branch is gone
	source       *Project // the fork the source branch is in; nil = the MR's project (forks.go)
	autoMergeSHA string
	autoMergeBy  int // user who set auto-merge; the merge is theirs
	notes        []*Note
}

// maxDescription is GitLab's limit on issue and MR descriptions.
const maxDescription = 1_048_576

func (s *Server) findMR(c *call) *MergeRequest {
	iid, _ := strconv.Atoi(c.args["iid"])
	for _, mr := range c.project.mrs {
		if mr.IID == iid {
			return mr
		}
	}
	c.message(http.StatusNotFound, "404 Not found")
	return nil
}

// headSHA is the source branch head, live while the MR is open.
func headSHA(p *Project, mr *MergeRequest) string {
	if mr.source != nil {
		p = mr.source
	}
	if mr.State == "opened" {
		if sha, ok := p.repo.branches[mr.SourceBranch]; ok {
			return sha
		}
	}
	return mr.sha
}

func isDraft(title string) bool {
	t := strings.ToLower(title)
	for _, prefix := range []string{"draft:", "[draft]", "(draft)", "draft "} {
		if strings.HasPrefix(t, prefix) {
			return true
		}
	}
	return false
}

// conflicts lists the files both sides changed differently since their
// merge base, computed from the graph.
func conflicts(p *Project, mr *MergeRequest) []string {
	src := p.repo.commits[headSHA(p, mr)]
	tgtSHA, ok := p.repo.branches[mr.TargetBranch]
	if src == nil || !ok {
		return nil
	}
	tgt := p.repo.commits[tgtSHA]
	base := tree{}
	if b := p.repo.mergeBase(src.ID, tgt.ID); b != nil {
		base = b.tree
	}
	_, cs := merge3(base, tgt.tree, src.tree)
	return cs
}

// detailedMergeStatus follows the documented values of
// detailed_merge_status (https://docs.gitlab.com/api/merge_requests/#merge-status).
func detailedMergeStatus(p *Project, mr *MergeRequest) string {
	head := headSHA(p, mr)
	tgt, tgtOK := p.repo.branches[mr.TargetBranch]
	switch {
	case mr.State != "opened":
		return "not_open"
	case isDraft(mr.Title):
		return "draft_status"
	case head == "" || !tgtOK:
		return "broken_status"
	case len(conflicts(p, mr)) > 0:
		return "conflict"
	case p.MergeMethod == "ff" && !p.repo.isAncestor(tgt, head):
		return "need_rebase"
	}
	if p.OnlyAllowMergeIfPipelineSucceeds {
		pl := latestPipeline(p, head)
		switch {
		case pl == nil:
			return "ci_must_pass"
		case activePipeline(pl.Status):
			return "ci_still_running"
		case pl.Status != "success" && pl.Status != "skipped":
			return "ci_must_pass"
		}
	}
	return "mergeable"
}

func (s *Server) mrJSON(p *Project, mr *MergeRequest, detail bool) map[string]any {
	head := headSHA(p, mr)
	hasConflicts := mr.State == "opened" && len(conflicts(p, mr)) > 0
	mergeStatus := "can_be_merged"
	if hasConflicts {
		mergeStatus = "cannot_be_merged"
	}
	ref := "!" + itoa(mr.IID)
	var mergedBy any
	if mr.MergedByID != 0 {
		mergedBy = s.userJSON(s.userByID(mr.MergedByID))
	}
	out := map[string]any{
		"id": mr.ID, "iid": mr.IID, "project_id": p.ID,
		"title": mr.Title, "description": mr.Description, "state": mr.State,
		"created_at": apiTime(mr.CreatedAt), "updated_at": apiTime(mr.UpdatedAt),
		"merged_at": timePtr(mr.MergedAt), "closed_at": timePtr(mr.ClosedAt),
		"merged_by": mergedBy, "merge_user": mergedBy, "closed_by": nil,
		"target_branch": mr.TargetBranch, "source_branch": mr.SourceBranch,
		"source_project_id": sourceProject(p, mr).ID, "target_project_id": p.ID,
		"author": s.userJSON(s.userByID(mr.AuthorID)), "assignee": s.firstUserJSON(mr.AssigneeIDs), "assignees": s.usersJSON(mr.AssigneeIDs), "reviewers": s.usersJSON(mr.ReviewerIDs),
		"labels": nonNil(slices.Clone(mr.Labels)), "draft": isDraft(mr.Title), "work_in_progress": isDraft(mr.Title),
		"milestone": nil, "merge_when_pipeline_succeeds": mr.AutoMerge,
		"merge_status": mergeStatus, "detailed_merge_status": detailedMergeStatus(p, mr),
		"has_conflicts": hasConflicts, "sha": head, "merge_commit_sha": nilIfEmpty(mr.MergeCommitSHA),
		"squash_commit_sha": nil, "squash": mr.Squash, "squash_on_merge": mr.Squash,
		"should_remove_source_branch": nil, "force_remove_source_branch": mr.RemoveSourceBranch,
		"user_notes_count": userNotes(mr.notes), "upvotes": 0, "downvotes": 0, "discussion_locked": nil,
		"reference": ref, "references": map[string]string{"short": ref, "relative": ref, "full": p.Path + ref},
		"web_url":                       s.webURL(p) + "/-/merge_requests/" + itoa(mr.IID),
		"blocking_discussions_resolved": true, "task_completion_status": taskStatus(mr.Description),
	}
	if detail {
		var hp any
		if pl := latestPipeline(p, head); pl != nil {
			hp = s.pipelineDetailJSON(p, pl)
		}
		out["head_pipeline"] = hp
		out["pipeline"] = hp
		out["subscribed"] = false
		out["changes_count"] = ""
		out["merge_error"] = nil
		out["user"] = map[string]bool{"can_merge": true}
		base := ""
		if tgt, ok := p.repo.branches[mr.TargetBranch]; ok && head != "" {
			if b := p.repo.mergeBase(head, tgt); b != nil {
				base = b.ID
			}
		}
		out["diff_refs"] = map[string]string{"base_sha": base, "head_sha": head, "start_sha": p.repo.branches[mr.TargetBranch]}
	}
	return out
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// GET /projects/:id/merge_requests
// https://docs.gitlab.com/api/merge_requests/#list-project-merge-requests
func (s *Server) listMRs(c *call) {
	p := c.project
	state := c.params.get("state")
	labels, _ := c.params.list("labels")
	iids, _ := c.params.list("iids")
	authorID, hasAuthor := c.params.integer("author_id")
	created, updated, ok := c.windows()
	if !ok {
		return
	}
	var hits []*MergeRequest
	for _, mr := range p.mrs {
		switch {
		case !created.contains(mr.CreatedAt) || !updated.contains(mr.UpdatedAt),
			state != "" && state != "all" && mr.State != state,
			c.params.get("source_branch") != "" && mr.SourceBranch != c.params.get("source_branch"),
			c.params.get("target_branch") != "" && mr.TargetBranch != c.params.get("target_branch"),
			hasAuthor && mr.AuthorID != authorID,
			len(iids) > 0 && !slices.Contains(iids, itoa(mr.IID)),
			!labelsMatch(mr.Labels, labels),
			!searchMatch(c, mr.Title, mr.Description):
			continue
		}
		hits = append(hits, mr)
	}
	sortByTime(c, hits, func(mr *MergeRequest) (time.Time, time.Time, string, int) {
		return mr.CreatedAt, mr.UpdatedAt, mr.Title, mr.ID
	})
	out := make([]map[string]any, 0, len(hits))
	for _, mr := range paginate(c, hits, true) {
		out = append(out, s.mrJSON(p, mr, false))
	}
	c.json(http.StatusOK, out)
}

// POST /projects/:id/merge_requests
// https://docs.gitlab.com/api/merge_requests/#create-mr; errors follow
// MergeRequest#validate_branches and the API's handle_merge_request_errors!.
func (s *Server) createMR(c *call) {
	if c.missing("source_branch", "target_branch", "title") {
		return
	}
	p := c.project
	src, tgt, title := c.params.get("source_branch"), c.params.get("target_branch"), c.params.get("title")
	desc := c.params.get("description")
	if !c.validText(title, desc) {
		return
	}
	if src == tgt {
		c.message(http.StatusUnprocessableEntity, []string{"You can't use same project/branch for source and target"})
		return
	}
	// A missing branch is a model validation error (400), as seen from
	// gitlab.com: {"message":{"source_branch":["does not exist"]}}.
	for _, b := range []struct{ name, attr string }{{src, "source_branch"}, {tgt, "target_branch"}} {
		if _, ok := p.repo.branches[b.name]; !ok {
			c.message(http.StatusBadRequest, map[string][]string{b.attr: {"does not exist"}})
			return
		}
	}
	for _, mr := range p.mrs {
		if mr.State == "opened" && mr.SourceBranch == src && mr.TargetBranch == tgt {
			c.message(http.StatusConflict, []string{"Another open merge request already exists for this source branch: !" + itoa(mr.IID)})
			return
		}
	}
	labels, _ := c.params.list("labels")
	s.ids.mr++
	p.nextIID.mr++
	now := s.now()
	mr := &MergeRequest{
		ID: s.ids.mr, IID: p.nextIID.mr, Title: title, Description: desc,
		SourceBranch: src, TargetBranch: tgt, State: "opened", Labels: s.ensureLabels(p, labels),
		AuthorID: c.user.ID, RemoveSourceBranch: c.params.boolean("remove_source_branch"),
		Squash: c.params.boolean("squash"), CreatedAt: now, UpdatedAt: now,
		sha: p.repo.branches[src],
	}
	mr.AssigneeIDs, _ = s.userIDs(c, "assignee_ids")
	if id, ok := c.params.integer("assignee_id"); ok && len(mr.AssigneeIDs) == 0 && s.userByID(id) != nil {
		mr.AssigneeIDs = []int{id}
	}
	mr.ReviewerIDs, _ = s.userIDs(c, "reviewer_ids")
	p.mrs = append(p.mrs, mr)
	c.json(http.StatusCreated, s.mrJSON(p, mr, true))
}

// validText applies GitLab's length validations to a title and description.
func (c *call) validText(title, desc string) bool {
	switch {
	case len([]rune(title)) > 255:
		c.message(http.StatusBadRequest, tooLong("title", 255))
		return false
	case len([]rune(desc)) > maxDescription:
		c.message(http.StatusBadRequest, tooLong("description", maxDescription))
		return false
	}
	return true
}

// editText applies the title and description an edit sends to the
// current ones, answering 400 (and returning false) when either is too
// long. Issues and merge requests share the rule.
func (c *call) editText(title, desc *string) bool {
	t, d := *title, *desc
	if v, ok := c.params.str("title"); ok {
		t = v
	}
	if v, ok := c.params.str("description"); ok {
		d = v
	}
	if !c.validText(t, d) {
		return false
	}
	*title, *desc = t, d
	return true
}

func (s *Server) getMR(c *call) {
	if mr := s.findMR(c); mr != nil {
		c.json(http.StatusOK, s.mrJSON(c.project, mr, true))
	}
}

// PUT /projects/:id/merge_requests/:iid
func (s *Server) updateMR(c *call) {
	mr := s.findMR(c)
	if mr == nil {
		return
	}
	p := c.project
	old := mr.Description
	if !c.editText(&mr.Title, &mr.Description) {
		return
	}
	// A merge request is Taskable too: ticking a box writes a system
	// note, which user_notes_count leaves out.
	s.noteTaskChanges(&mr.notes, &mr.UpdatedAt, old, mr.Description, c.user.ID)
	if v, ok := c.params.str("target_branch"); ok && v != "" {
		mr.TargetBranch = v
	}
	if c.params.has("remove_source_branch") {
		mr.RemoveSourceBranch = c.params.boolean("remove_source_branch")
	}
	if c.params.has("squash") {
		mr.Squash = c.params.boolean("squash")
	}
	mr.Labels = s.editLabels(c, p, mr.Labels)
	if ids, ok := s.userIDs(c, "assignee_ids"); ok {
		mr.AssigneeIDs = ids
	}
	if ids, ok := s.userIDs(c, "reviewer_ids"); ok {
		mr.ReviewerIDs = ids
	}
	switch c.params.get("state_event") {
	case "close":
		s.closeMR(p, mr)
	case "reopen":
		if mr.State == "closed" {
			mr.State, mr.ClosedAt = "opened", time.Time{}
		}
	}
	mr.UpdatedAt = s.now()
	c.json(http.StatusOK, s.mrJSON(p, mr, true))
}

func (s *Server) closeMR(p *Project, mr *MergeRequest) {
	if mr.State != "opened" {
		return
	}
	mr.sha = headSHA(p, mr)
	mr.State, mr.ClosedAt, mr.AutoMerge = "closed", s.now(), false
	mr.UpdatedAt = s.now()
}

// MergeRequest returns a copy of a merge request.
func (s *Server) MergeRequest(p *Project, iid int) (MergeRequest, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, mr := range p.mrs {
		if mr.IID == iid {
			cp := *mr
			cp.Labels = slices.Clone(mr.Labels)
			cp.AssigneeIDs, cp.ReviewerIDs = slices.Clone(mr.AssigneeIDs), slices.Clone(mr.ReviewerIDs)
			cp.AutoMergeParams = slices.Clone(mr.AutoMergeParams)
			cp.sha = headSHA(p, mr)
			return cp, true
		}
	}
	return MergeRequest{}, false
}

// MergeRequests returns copies of all of a project's merge requests.
func (s *Server) MergeRequests(p *Project) []MergeRequest {
	s.mu.Lock()
	iids := make([]int, 0, len(p.mrs))
	for _, mr := range p.mrs {
		iids = append(iids, mr.IID)
	}
	s.mu.Unlock()
	var out []MergeRequest
	for _, iid := range iids {
		if mr, ok := s.MergeRequest(p, iid); ok {
			out = append(out, mr)
		}
	}
	return out
}

// SHA is the merge request's source head.
func (mr MergeRequest) SHA() string { return mr.sha }

// CloseMR closes a merge request as a human would in the UI.
func (s *Server) CloseMR(p *Project, iid int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, mr := range p.mrs {
		if mr.IID == iid {
			s.closeMR(p, mr)
			return nil
		}
	}
	return fmt.Errorf("close !%d: no such merge request", iid)
}
