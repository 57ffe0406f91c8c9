package gitlabsim

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Note is a comment on an issue or merge request.
type Note struct {
	ID        int
	Body      string
	AuthorID  int
	CreatedAt time.Time
	UpdatedAt time.Time
	// System marks a note GitLab writes itself, such as a checklist
	// item's "marked ... as completed".
	System bool
}

// maxNote is GitLab's limit on a note body.
const maxNote = 1_000_000

func (s *Server) noteJSON(p *Project, n *Note, kind string, id, iid int) map[string]any {
	return map[string]any{
		"id": n.ID, "type": nil, "body": n.Body, "attachment": nil,
		"author":     s.userJSON(s.userByID(n.AuthorID)),
		"created_at": apiTime(n.CreatedAt), "updated_at": apiTime(n.UpdatedAt),
		"system": n.System, "noteable_id": id, "noteable_type": kind, "noteable_iid": iid,
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

// taskLine is one markdown task list item: group 1 the box content, group
// 2 the item's source after the box.
var taskLine = regexp.MustCompile(`^\s*(?:[-*+]|\d+[.)])\s+\[([ xX])\][ \t]?(.*?)\s*$`)

type task struct {
	done   bool
	source string
}

func tasks(description string) []task {
	var out []task
	for _, line := range strings.Split(strings.ReplaceAll(description, "\r\n", "\n"), "\n") {
		if m := taskLine.FindStringSubmatch(line); m != nil {
			out = append(out, task{done: m[1] != " ", source: m[2]})
		}
	}
	return out
}

// noteTaskChanges adds the system notes GitLab writes when an edit of a
// description changes checklist items, authored by the editor
// (Taskable.get_updated_tasks and SystemNotes::IssuablesService#
// change_task_status): items are paired by position, and an item whose
// text is the same in both but whose box changed gets
// "marked the checklist item **<text>** as completed" (or "incomplete").
// The text keeps an HTML comment's words without its delimiters and has
// markdown characters backslash-escaped, as notes read live on gitlab.com
// show (`\#`, `\.`, `\=`, `\-`, `\"`; ":" and "/" are left alone).
func (s *Server) noteTaskChanges(notes *[]*Note, touched *time.Time, old, new string, authorID int) {
	before, after := tasks(old), tasks(new)
	for i, t := range after {
		if i >= len(before) || before[i].source != t.source || before[i].done == t.done {
			continue
		}
		status := "incomplete"
		if t.done {
			status = "completed"
		}
		s.ids.note++
		now := s.now()
		*notes = append(*notes, &Note{
			ID: s.ids.note, AuthorID: authorID, CreatedAt: now, UpdatedAt: now, System: true,
			Body: "marked the checklist item **" + taskText(t.source) + "** as " + status,
		})
		*touched = now
	}
}

func taskText(source string) string {
	text := strings.TrimSpace(strings.NewReplacer("<!--", "", "-->", "").Replace(source))
	var b strings.Builder
	for _, r := range text {
		if strings.ContainsRune("\\`*_{}[]()#+-.!=<>|~\"&", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func userNotes(notes []*Note) int {
	n := 0
	for _, note := range notes {
		if !note.System {
			n++
		}
	}
	return n
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
