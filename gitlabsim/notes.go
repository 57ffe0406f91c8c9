package gitlabsim

import (
	"net/http"
	"slices"
	"time"
)

// Note is a comment on an issue or merge request.
type Note struct {
	ID        int
	Body      string
	AuthorID  int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// maxNote is GitLab's limit on a note body.
const maxNote = 1_000_000

func (s *Server) noteJSON(p *Project, n *Note, kind string, id, iid int) map[string]any {
	return map[string]any{
		"id": n.ID, "type": nil, "body": n.Body, "attachment": nil,
		"author":     s.userJSON(s.userByID(n.AuthorID)),
		"created_at": apiTime(n.CreatedAt), "updated_at": apiTime(n.UpdatedAt),
		"system": false, "noteable_id": id, "noteable_type": kind, "noteable_iid": iid,
		"project_id": p.ID, "resolvable": false, "confidential": false, "internal": false,
	}
}

// listNotes serves GET …/notes: sort desc by created_at unless told
// otherwise (https://docs.gitlab.com/api/notes/).
func (s *Server) listNotes(c *call, notes []*Note, kind string, id, iid int) {
	hits := slices.Clone(notes)
	sortByTime(c, hits, func(n *Note) (time.Time, time.Time, string, int) {
		return n.CreatedAt, n.UpdatedAt, "", n.ID
	})
	out := make([]map[string]any, 0, len(hits))
	for _, n := range paginate(c, hits, true) {
		out = append(out, s.noteJSON(c.project, n, kind, id, iid))
	}
	c.json(http.StatusOK, out)
}

// createNote serves POST …/notes with body. Like GitLab's Note model
// (belongs_to :noteable, touch: true), a new note bumps its issue's or
// merge request's updated_at, so updated_after listings see it.
func (s *Server) createNote(c *call, notes *[]*Note, touched *time.Time, kind string, id, iid int) {
	if c.missing("body") {
		return
	}
	body := c.params.get("body")
	if len([]rune(body)) > maxNote {
		c.message(http.StatusBadRequest, tooLong("note", maxNote))
		return
	}
	s.ids.note++
	now := s.now()
	n := &Note{ID: s.ids.note, Body: body, AuthorID: c.user.ID, CreatedAt: now, UpdatedAt: now}
	*notes = append(*notes, n)
	*touched = now
	c.json(http.StatusCreated, s.noteJSON(c.project, n, kind, id, iid))
}

func (s *Server) listIssueNotes(c *call) {
	if is := s.findIssue(c); is != nil {
		s.listNotes(c, is.notes, "Issue", is.ID, is.IID)
	}
}

func (s *Server) createIssueNote(c *call) {
	if is := s.findIssue(c); is != nil {
		s.createNote(c, &is.notes, &is.UpdatedAt, "Issue", is.ID, is.IID)
	}
}

func (s *Server) listMRNotes(c *call) {
	if mr := s.findMR(c); mr != nil {
		s.listNotes(c, mr.notes, "MergeRequest", mr.ID, mr.IID)
	}
}

func (s *Server) createMRNote(c *call) {
	if mr := s.findMR(c); mr != nil {
		s.createNote(c, &mr.notes, &mr.UpdatedAt, "MergeRequest", mr.ID, mr.IID)
	}
}

func copyNotes(notes []*Note) []Note {
	out := make([]Note, 0, len(notes))
	for _, n := range notes {
		out = append(out, *n)
	}
	return out
}

// IssueNotes returns the notes on an issue, oldest first.
func (s *Server) IssueNotes(p *Project, iid int) []Note {
	s.mu.Lock()
	defer s.mu.Unlock()
	if is := findIssue(p, iid); is != nil {
		return copyNotes(is.notes)
	}
	return nil
}

// MRNotes returns the notes on a merge request, oldest first.
func (s *Server) MRNotes(p *Project, iid int) []Note {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, mr := range p.mrs {
		if mr.IID == iid {
			return copyNotes(mr.notes)
		}
	}
	return nil
}
