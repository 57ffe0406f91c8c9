package gitlabsim

import (
	"net/http"
	"strconv"
)

// findMRNote finds :note_id on the merge request :iid, answering 404.
func (s *Server) findMRNote(c *call) (*MergeRequest, *Note) {
	mr := s.findMR(c)
	if mr == nil {
		return nil, nil
	}
	id, _ := strconv.Atoi(c.args["note_id"])
	for _, n := range mr.notes {
		if n.ID == id {
			return mr, n
		}
	}
	c.message(http.StatusNotFound, "404 Not found")
	return nil, nil
}

// GET /projects/:id/merge_requests/:iid/notes/:note_id
// https://docs.gitlab.com/api/notes/#get-single-merge-request-note
func (s *Server) getMRNote(c *call) {
	if mr, n := s.findMRNote(c); n != nil {
		c.json(http.StatusOK, s.noteJSON(c.project, n, "MergeRequest", mr.ID, mr.IID))
	}
}

// PUT /projects/:id/merge_requests/:iid/notes/:note_id with body. Only the
// note's author may edit it (403 otherwise); an empty body is refused.
// https://docs.gitlab.com/api/notes/#modify-existing-merge-request-note
func (s *Server) updateMRNote(c *call) {
	mr, n := s.findMRNote(c)
	if n == nil {
		return
	}
	body, ok := c.params.str("body")
	switch {
	case !ok:
		c.json(http.StatusBadRequest, map[string]string{"error": "body is missing"})
		return
	case body == "":
		c.json(http.StatusBadRequest, map[string]string{"error": "body is empty"})
		return
	case len([]rune(body)) > maxNote:
		c.message(http.StatusBadRequest, tooLong("note", maxNote))
		return
	case n.AuthorID != c.user.ID:
		c.message(http.StatusForbidden, "403 Forbidden")
		return
	}
	n.Body, n.UpdatedAt = body, s.now()
	c.json(http.StatusOK, s.noteJSON(c.project, n, "MergeRequest", mr.ID, mr.IID))
}

// PostMRNote comments on a merge request as the user author, as a person
// does in the UI, and returns the note's id.
func (s *Server) PostMRNote(p *Project, iid int, author User, body string) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, mr := range p.mrs {
		if mr.IID != iid {
			continue
		}
		s.ids.note++
		now := s.now()
		mr.notes = append(mr.notes, &Note{ID: s.ids.note, Body: body, AuthorID: author.ID, CreatedAt: now, UpdatedAt: now})
		mr.UpdatedAt = now
		return s.ids.note, true
	}
	return 0, false
}
