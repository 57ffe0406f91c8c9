package gitlabsim

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// Issue is a project issue.
type Issue struct {
	ID, IID     int
	Title       string
	Description string
	// State is opened or closed.
	State     string
	Labels    []string
	AuthorID  int
	CreatedAt time.Time
	UpdatedAt time.Time
	ClosedAt  time.Time

	notes []*Note
}

func (s *Server) findIssue(c *call) *Issue {
	iid, _ := strconv.Atoi(c.args["iid"])
	for _, is := range c.project.issues {
		if is.IID == iid {
			return is
		}
	}
	c.message(http.StatusNotFound, "404 Not found")
	return nil
}

func (s *Server) issueJSON(p *Project, is *Issue) map[string]any {
	ref := "#" + itoa(is.IID)
	return map[string]any{
		"id": is.ID, "iid": is.IID, "project_id": p.ID,
		"title": is.Title, "description": is.Description, "state": is.State,
		"created_at": apiTime(is.CreatedAt), "updated_at": apiTime(is.UpdatedAt),
		"closed_at": timePtr(is.ClosedAt), "closed_by": nil,
		"labels": nonNil(slices.Clone(is.Labels)), "milestone": nil,
		"author": s.userJSON(s.userByID(is.AuthorID)), "assignee": nil, "assignees": []any{},
		"type": "ISSUE", "issue_type": "issue", "user_notes_count": userNotes(is.notes),
		"merge_requests_count": 0, "upvotes": 0, "downvotes": 0, "due_date": nil,
		"confidential": false, "discussion_locked": nil,
		"web_url":                s.webURL(p) + "/-/issues/" + itoa(is.IID),
		"references":             map[string]string{"short": ref, "relative": ref, "full": p.Path + ref},
		"time_stats":             map[string]any{"time_estimate": 0, "total_time_spent": 0},
		"has_tasks":              taskStatus(is.Description)["count"] > 0,
		"task_completion_status": taskStatus(is.Description),
	}
}

// GET /projects/:id/issues
// https://docs.gitlab.com/api/issues/#list-project-issues
func (s *Server) listIssues(c *call) {
	p := c.project
	state := c.params.get("state")
	labels, _ := c.params.list("labels")
	iids, _ := c.params.list("iids")
	authorID, hasAuthor := c.params.integer("author_id")
	scopeMine := c.params.get("scope") == "created_by_me"
	created, updated, ok := c.windows()
	if !ok {
		return
	}
	var hits []*Issue
	for _, is := range p.issues {
		switch {
		case !created.contains(is.CreatedAt) || !updated.contains(is.UpdatedAt),
			state != "" && state != "all" && is.State != state,
			hasAuthor && is.AuthorID != authorID,
			scopeMine && is.AuthorID != c.user.ID,
			len(iids) > 0 && !slices.Contains(iids, itoa(is.IID)),
			!labelsMatch(is.Labels, labels),
			!searchMatch(c, is.Title, is.Description):
			continue
		}
		hits = append(hits, is)
	}
	sortByTime(c, hits, func(is *Issue) (time.Time, time.Time, string, int) {
		return is.CreatedAt, is.UpdatedAt, is.Title, is.ID
	})
	out := make([]map[string]any, 0, len(hits))
	for _, is := range paginate(c, hits, true) {
		out = append(out, s.issueJSON(p, is))
	}
	c.json(http.StatusOK, out)
}

// POST /projects/:id/issues
func (s *Server) createIssue(c *call) {
	if c.missing("title") {
		return
	}
	p := c.project
	title, desc := c.params.get("title"), c.params.get("description")
	if !c.validText(title, desc) {
		return
	}
	labels, _ := c.params.list("labels")
	s.ids.issue++
	p.nextIID.issue++
	now := s.now()
	is := &Issue{
		ID: s.ids.issue, IID: p.nextIID.issue, Title: title, Description: desc,
		State: "opened", Labels: nonNil(s.ensureLabels(p, labels)), AuthorID: c.user.ID,
		CreatedAt: now, UpdatedAt: now,
	}
	p.issues = append(p.issues, is)
	c.json(http.StatusCreated, s.issueJSON(p, is))
}

func (s *Server) getIssue(c *call) {
	if is := s.findIssue(c); is != nil {
		c.json(http.StatusOK, s.issueJSON(c.project, is))
	}
}

// PUT /projects/:id/issues/:iid
func (s *Server) updateIssue(c *call) {
	is := s.findIssue(c)
	if is == nil {
		return
	}
	p := c.project
	old := is.Description
	if !c.editText(&is.Title, &is.Description) {
		return
	}
	s.noteTaskChanges(&is.notes, &is.UpdatedAt, old, is.Description, c.user.ID)
	is.Labels = s.editLabels(c, p, is.Labels)
	switch c.params.get("state_event") {
	case "close":
		s.setIssueState(is, "closed")
	case "reopen":
		s.setIssueState(is, "opened")
	}
	is.UpdatedAt = s.now()
	c.json(http.StatusOK, s.issueJSON(p, is))
}

func (s *Server) setIssueState(is *Issue, state string) {
	if is.State == state {
		return
	}
	is.State = state
	is.ClosedAt = time.Time{}
	if state == "closed" {
		is.ClosedAt = s.now()
	}
	is.UpdatedAt = s.now()
}

func findIssue(p *Project, iid int) *Issue {
	for _, is := range p.issues {
		if is.IID == iid {
			return is
		}
	}
	return nil
}

// EditIssue changes an issue as a human would in the UI (e.g. ticks a box
// in its description), as root; updated_at moves, and a changed checklist
// item gets its system note, as on GitLab.
func (s *Server) EditIssue(p *Project, iid int, edit func(*Issue)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := findIssue(p, iid)
	if is == nil {
		return fmt.Errorf("edit issue #%d: no such issue", iid)
	}
	old := is.Description
	edit(is)
	s.noteTaskChanges(&is.notes, &is.UpdatedAt, old, is.Description, s.root().ID)
	is.Labels = nonNil(s.ensureLabels(p, is.Labels))
	is.UpdatedAt = s.now()
	return nil
}

// CloseIssue closes an issue as a human would.
func (s *Server) CloseIssue(p *Project, iid int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := findIssue(p, iid)
	if is == nil {
		return fmt.Errorf("close issue #%d: no such issue", iid)
	}
	s.setIssueState(is, "closed")
	return nil
}

// Issue returns a copy of an issue.
func (s *Server) Issue(p *Project, iid int) (Issue, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := findIssue(p, iid)
	if is == nil {
		return Issue{}, false
	}
	cp := *is
	cp.Labels = slices.Clone(is.Labels)
	cp.notes = nil
	return cp, true
}

// Issues returns copies of all of a project's issues, oldest first.
func (s *Server) Issues(p *Project) []Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Issue, 0, len(p.issues))
	for _, is := range p.issues {
		cp := *is
		cp.Labels = slices.Clone(is.Labels)
		cp.notes = nil
		out = append(out, cp)
	}
	return out
}
