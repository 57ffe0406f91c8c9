package gitlabsim

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// Label is a project label.
type Label struct {
	ID          int
	Name        string
	Color       string
	Description string
}

// defaultLabelColor is what GitLab gives a label created implicitly by
// assigning it to an issue or merge request.
const defaultLabelColor = "#6699cc"

func findLabel(p *Project, name string) *Label {
	for _, l := range p.labels {
		if strings.EqualFold(l.Name, name) {
			return l
		}
	}
	return nil
}

// ensureLabels creates the labels that don't exist yet, as GitLab does when
// an issue or MR is given an unknown label, and returns them deduplicated
// under their existing spelling.
func (s *Server) ensureLabels(p *Project, names []string) []string {
	var out []string
	for _, n := range names {
		l := findLabel(p, n)
		if l == nil {
			s.ids.label++
			l = &Label{ID: s.ids.label, Name: n, Color: defaultLabelColor}
			p.labels = append(p.labels, l)
		}
		if !slices.Contains(out, l.Name) {
			out = append(out, l.Name)
		}
	}
	return out
}

// editLabels applies labels (replace), add_labels and remove_labels.
func (s *Server) editLabels(c *call, p *Project, cur []string) []string {
	out := slices.Clone(cur)
	if v, ok := c.params.list("labels"); ok {
		out = v
	}
	if v, ok := c.params.list("add_labels"); ok {
		out = append(out, v...)
	}
	if v, ok := c.params.list("remove_labels"); ok {
		out = slices.DeleteFunc(out, func(l string) bool {
			return slices.ContainsFunc(v, func(r string) bool { return strings.EqualFold(l, r) })
		})
	}
	return nonNil(s.ensureLabels(p, out))
}

var taskItem = regexp.MustCompile(`(?m)^\s*(?:[-*+]|\d+[.)])\s+\[([ xX])\]`)

// taskStatus counts markdown task list items, as task_completion_status.
func taskStatus(description string) map[string]int {
	all := taskItem.FindAllStringSubmatch(description, -1)
	done := 0
	for _, m := range all {
		if m[1] != " " {
			done++
		}
	}
	return map[string]int{"count": len(all), "completed_count": done}
}

func (s *Server) labelJSON(p *Project, l *Label) map[string]any {
	counts := map[string]int{}
	for _, is := range p.issues {
		if slices.Contains(is.Labels, l.Name) {
			counts[is.State+"_issues"]++
		}
	}
	for _, mr := range p.mrs {
		if mr.State == "opened" && slices.Contains(mr.Labels, l.Name) {
			counts["open_mrs"]++
		}
	}
	return map[string]any{
		"id": l.ID, "name": l.Name, "color": l.Color, "text_color": "#FFFFFF",
		"description": nilIfEmpty(l.Description), "description_html": "",
		"open_issues_count": counts["opened_issues"], "closed_issues_count": counts["closed_issues"],
		"open_merge_requests_count": counts["open_mrs"], "subscribed": false, "priority": nil,
		"is_project_label": true,
	}
}

// GET /projects/:id/labels, https://docs.gitlab.com/api/labels/
func (s *Server) listLabels(c *call) {
	p := c.project
	search := strings.ToLower(c.params.get("search"))
	var hits []*Label
	for _, l := range p.labels {
		if search == "" || strings.Contains(strings.ToLower(l.Name), search) {
			hits = append(hits, l)
		}
	}
	slices.SortFunc(hits, func(a, b *Label) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	out := []map[string]any{}
	for _, l := range paginate(c, hits, true) {
		out = append(out, s.labelJSON(p, l))
	}
	c.json(http.StatusOK, out)
}

// GitLab accepts hex codes and CSS color names.
var labelColor = regexp.MustCompile(`^(#[0-9A-Fa-f]{3}([0-9A-Fa-f]{3})?|[A-Za-z]+)$`)

// POST /projects/:id/labels with name and color.
func (s *Server) createLabel(c *call) {
	if c.missing("name", "color") {
		return
	}
	p := c.project
	name, color := c.params.get("name"), c.params.get("color")
	if findLabel(p, name) != nil {
		c.message(http.StatusConflict, "Label already exists")
		return
	}
	if !labelColor.MatchString(color) {
		c.message(http.StatusBadRequest, map[string][]string{"color": {"must be a valid color code"}})
		return
	}
	s.ids.label++
	l := &Label{ID: s.ids.label, Name: name, Color: color, Description: c.params.get("description")}
	p.labels = append(p.labels, l)
	c.json(http.StatusCreated, s.labelJSON(p, l))
}
