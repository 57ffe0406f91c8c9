package gitlabsim

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Project listings, as documented in
// https://docs.gitlab.com/api/projects/#list-all-projects and
// https://docs.gitlab.com/api/groups/#list-projects: GET /projects and
// GET /groups/:id/projects, filtered by topic (every listed topic must
// match), the group's listing with include_subgroups. GET /projects
// offers keyset pagination (pagination=keyset), only with order_by=id, as
// https://docs.gitlab.com/api/rest/#keyset-based-pagination says: the next
// page is a Link rel="next" carrying id_after (or id_before when sorting
// desc), absent on the last page; any other order is refused with 405.
// The group listing pages by offset. A group is a path prefix of its
// projects' paths; one that no project is in is 404 "404 Group Not Found".
// Archived projects and visibility are not modelled: every project is
// listed.

// SetTopics sets a project's topics.
func (s *Server) SetTopics(p *Project, topics ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p.Topics = slices.Clone(topics)
}

// DeleteProject removes a project: later requests for it are 404 and
// listings leave it out.
func (s *Server) DeleteProject(p *Project) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.projects = slices.DeleteFunc(s.projects, func(q *Project) bool { return q == p })
}

func (s *Server) listProjects(c *call) {
	s.listProjectsOf(c, s.projects)
}

func (s *Server) listGroupProjects(c *call) {
	group := c.args["id"]
	subgroups := c.params.get("include_subgroups") == "true"
	var in []*Project
	found := false
	for _, p := range s.projects {
		ns := namespaceOf(p.Path)
		switch {
		case strings.EqualFold(ns, group):
			found = true
			in = append(in, p)
		case len(ns) > len(group) && strings.EqualFold(ns[:len(group)+1], group+"/"):
			found = true
			if subgroups {
				in = append(in, p)
			}
		}
	}
	if !found {
		c.message(http.StatusNotFound, "404 Group Not Found")
		return
	}
	if c.params.get("pagination") == "keyset" {
		// Not among the endpoints the REST docs list for keyset pagination.
		c.json(http.StatusMethodNotAllowed, map[string]string{"error": "Keyset pagination is not yet available for this type of request"})
		return
	}
	s.listProjectsOf(c, in)
}

func namespaceOf(path string) string {
	if i := strings.LastIndex(path, "/"); i >= 0 {
		return path[:i]
	}
	return ""
}

func (s *Server) listProjectsOf(c *call, all []*Project) {
	var topics []string
	if t := c.params.get("topic"); t != "" {
		topics = strings.Split(t, ",")
	}
	var ps []*Project
	for _, p := range all {
		if hasTopics(p, topics) {
			ps = append(ps, p)
		}
	}
	orderBy, sortDir := c.params.get("order_by"), c.params.get("sort")
	if orderBy == "" {
		orderBy = "created_at"
	}
	if sortDir == "" {
		sortDir = "desc"
	}
	if orderBy != "id" && orderBy != "created_at" && orderBy != "path" {
		c.json(http.StatusBadRequest, map[string]string{"error": "order_by does not have a valid value"})
		return
	}
	if sortDir != "asc" && sortDir != "desc" {
		c.json(http.StatusBadRequest, map[string]string{"error": "sort does not have a valid value"})
		return
	}
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		less := a.ID < b.ID
		if orderBy == "path" && a.Path != b.Path {
			less = a.Path < b.Path
		}
		if sortDir == "desc" {
			return !less
		}
		return less
	})
	if after, ok := c.params.integer("id_after"); ok {
		ps = slices.DeleteFunc(ps, func(p *Project) bool { return p.ID <= after })
	}
	if before, ok := c.params.integer("id_before"); ok {
		ps = slices.DeleteFunc(ps, func(p *Project) bool { return p.ID >= before })
	}
	if c.params.get("pagination") == "keyset" {
		if orderBy != "id" {
			c.json(http.StatusMethodNotAllowed, map[string]string{"error": "Keyset pagination is not yet available for this type of request"})
			return
		}
		ps = keysetPage(c, ps, sortDir)
	} else {
		ps = paginate(c, ps, true)
	}
	out := make([]map[string]any, 0, len(ps))
	for _, p := range ps {
		out = append(out, s.projectJSON(p))
	}
	c.json(http.StatusOK, out)
}

func hasTopics(p *Project, topics []string) bool {
	for _, t := range topics {
		if !slices.ContainsFunc(p.Topics, func(pt string) bool { return strings.EqualFold(pt, t) }) {
			return false
		}
	}
	return true
}

// keysetPage cuts the first page of ps (already past the cursor) and links
// the next one by the last id shown.
func keysetPage(c *call, ps []*Project, sortDir string) []*Project {
	perPage, ok := c.params.integer("per_page")
	if !ok || perPage < 1 {
		perPage = defaultPerPage
	}
	perPage = min(perPage, maxPerPage)
	if len(ps) <= perPage {
		return ps
	}
	page := ps[:perPage]
	q := url.Values{}
	for k, vs := range c.r.URL.Query() {
		q[k] = vs
	}
	q.Del("id_after")
	q.Del("id_before")
	cursor := "id_after"
	if sortDir == "desc" {
		cursor = "id_before"
	}
	q.Set(cursor, strconv.Itoa(page[len(page)-1].ID))
	q.Set("per_page", itoa(perPage))
	c.w.Header().Set("Link", "<http://"+c.r.Host+c.r.URL.EscapedPath()+"?"+q.Encode()+`>; rel="next"`)
	return page
}
