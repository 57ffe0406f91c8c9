package gitlabsim

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Deployment records a ref and SHA deployed to an environment.
type Deployment struct {
	ID, IID     int
	Environment string
	Ref, SHA    string
	Tag         bool
	// Status is running, success, failed or canceled (or created, blocked).
	Status    string
	UserID    int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Environment is a deployment target, created on its first deployment.
type Environment struct {
	ID          int
	Name        string
	Slug        string
	ExternalURL string
	State       string
	Tier        string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

var deploymentStatuses = []string{"running", "success", "failed", "canceled"}

var slugInvalid = regexp.MustCompile(`[^a-z0-9]+`)

// slugify approximates Gitlab::Slug::Environment: lowercase, runs of other
// characters become "-", at most 24 characters.
func slugify(name string) string {
	s := strings.Trim(slugInvalid.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if len(s) > 24 {
		s = strings.TrimRight(s[:24], "-")
	}
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		s = "env-" + s
	}
	return s
}

// tierPatterns follow GitLab's tier guessing from the environment name
// (Environment#guess_tier), checked in this order.
var tierPatterns = []struct {
	tier string
	re   *regexp.Regexp
}{
	{"development", regexp.MustCompile(`(dev|review|trunk)`)},
	{"testing", regexp.MustCompile(`(test|tst|int|ac(ce|)pt|qa|qc|control|quality)`)},
	{"staging", regexp.MustCompile(`(st(a|)g|mod(e|)l|pre|demo|non)`)},
	{"production", regexp.MustCompile(`(pr(o|)d|live)`)},
}

func guessTier(name string) string {
	n := strings.ToLower(name)
	for _, t := range tierPatterns {
		if t.re.MatchString(n) {
			return t.tier
		}
	}
	return "other"
}

func (s *Server) environment(p *Project, name string) *Environment {
	for _, e := range p.environments {
		if e.Name == name {
			return e
		}
	}
	return nil
}

func (s *Server) environmentJSON(e *Environment) map[string]any {
	return map[string]any{
		"id": e.ID, "name": e.Name, "slug": e.Slug, "external_url": nilIfEmpty(e.ExternalURL),
		"state": e.State, "tier": e.Tier, "created_at": apiTime(e.CreatedAt), "updated_at": apiTime(e.UpdatedAt),
		"description": nil, "auto_stop_at": nil,
	}
}

func (s *Server) deploymentJSON(p *Project, d *Deployment) map[string]any {
	return map[string]any{
		"id": d.ID, "iid": d.IID, "ref": d.Ref, "sha": d.SHA, "status": d.Status,
		"created_at": apiTime(d.CreatedAt), "updated_at": apiTime(d.UpdatedAt),
		"finished_at": finishedAt(d),
		"user":        s.userJSON(s.userByID(d.UserID)),
		"environment": s.environmentJSON(s.environment(p, d.Environment)),
		"deployable":  nil,
	}
}

func finishedAt(d *Deployment) *apiTime {
	if d.Status == "running" || d.Status == "created" {
		return nil
	}
	return timePtr(d.UpdatedAt)
}

// POST /projects/:id/deployments
// https://docs.gitlab.com/api/deployments/#create-a-deployment
func (s *Server) createDeployment(c *call) {
	if c.missing("environment", "sha", "ref", "tag", "status") {
		return
	}
	status := c.params.get("status")
	if !slices.Contains(deploymentStatuses, status) {
		c.json(http.StatusBadRequest, map[string]string{"error": "status does not have a valid value"})
		return
	}
	p := c.project
	name := c.params.get("environment")
	now := s.now()
	env := s.environment(p, name)
	if env == nil {
		s.ids.environment++
		env = &Environment{ID: s.ids.environment, Name: name, Slug: slugify(name), State: "available",
			Tier: guessTier(name), CreatedAt: now, UpdatedAt: now}
		p.environments = append(p.environments, env)
	}
	s.ids.deployment++
	p.nextIID.deployment++
	d := &Deployment{
		ID: s.ids.deployment, IID: p.nextIID.deployment, Environment: name,
		Ref: c.params.get("ref"), SHA: c.params.get("sha"), Tag: c.params.boolean("tag"),
		Status: status, UserID: c.user.ID, CreatedAt: now, UpdatedAt: now,
	}
	p.deployments = append(p.deployments, d)
	env.UpdatedAt = now
	c.json(http.StatusCreated, s.deploymentJSON(p, d))
}

func (s *Server) findDeployment(c *call) *Deployment {
	id, _ := strconv.Atoi(c.args["deployment_id"])
	for _, d := range c.project.deployments {
		if d.ID == id {
			return d
		}
	}
	c.message(http.StatusNotFound, "404 Not found")
	return nil
}

func (s *Server) getDeployment(c *call) {
	if d := s.findDeployment(c); d != nil {
		c.json(http.StatusOK, s.deploymentJSON(c.project, d))
	}
}

// PUT /projects/:id/deployments/:deployment_id with status.
func (s *Server) updateDeployment(c *call) {
	d := s.findDeployment(c)
	if d == nil || c.missing("status") {
		return
	}
	status := c.params.get("status")
	if !slices.Contains(deploymentStatuses, status) {
		c.json(http.StatusBadRequest, map[string]string{"error": "status does not have a valid value"})
		return
	}
	d.Status, d.UpdatedAt = status, s.now()
	c.json(http.StatusOK, s.deploymentJSON(c.project, d))
}

// GET /projects/:id/deployments?environment&status&order_by&sort
// order_by id (default), iid, created_at, updated_at, finished_at or ref;
// sort asc by default.
func (s *Server) listDeployments(c *call) {
	p := c.project
	updated, ok := c.window("updated")
	if !ok {
		return
	}
	var hits []*Deployment
	for _, d := range p.deployments {
		if !updated.contains(d.UpdatedAt) {
			continue
		}
		if v := c.params.get("environment"); v != "" && d.Environment != v {
			continue
		}
		if v := c.params.get("status"); v != "" && d.Status != v {
			continue
		}
		hits = append(hits, d)
	}
	orderBy := c.params.get("order_by")
	desc := c.params.get("sort") == "desc"
	slices.SortStableFunc(hits, func(a, b *Deployment) int {
		var cmp int
		switch orderBy {
		case "iid":
			cmp = a.IID - b.IID
		case "created_at":
			cmp = a.CreatedAt.Compare(b.CreatedAt)
		case "updated_at", "finished_at":
			cmp = a.UpdatedAt.Compare(b.UpdatedAt)
		case "ref":
			cmp = strings.Compare(a.Ref, b.Ref)
		}
		if cmp == 0 {
			cmp = a.ID - b.ID
		}
		if desc {
			return -cmp
		}
		return cmp
	})
	out := make([]map[string]any, 0, len(hits))
	for _, d := range paginate(c, hits, true) {
		out = append(out, s.deploymentJSON(p, d))
	}
	c.json(http.StatusOK, out)
}

// GET /projects/:id/environments?name&search&states
// https://docs.gitlab.com/api/environments/ — the list omits
// last_deployment; only GET of one environment carries it.
func (s *Server) listEnvironments(c *call) {
	p := c.project
	name, search := c.params.get("name"), c.params.get("search")
	switch {
	case name != "" && search != "":
		c.json(http.StatusBadRequest, map[string]string{"error": "name, search are mutually exclusive"})
		return
	case search != "" && len(search) < 3:
		c.message(http.StatusBadRequest, "Search query is less than 3 characters")
		return
	}
	var hits []*Environment
	for _, e := range p.environments {
		if name != "" && e.Name != name {
			continue
		}
		if search != "" && !strings.Contains(e.Name, search) {
			continue
		}
		if v := c.params.get("states"); v != "" && e.State != v {
			continue
		}
		hits = append(hits, e)
	}
	out := make([]map[string]any, 0, len(hits))
	for _, e := range paginate(c, hits, true) {
		out = append(out, s.environmentJSON(e))
	}
	c.json(http.StatusOK, out)
}

// GET /projects/:id/environments/:environment_id; last_deployment is the
// newest successful deployment, as Environment#last_deployment.
func (s *Server) getEnvironment(c *call) {
	id, _ := strconv.Atoi(c.args["environment_id"])
	p := c.project
	for _, e := range p.environments {
		if e.ID != id {
			continue
		}
		out := s.environmentJSON(e)
		out["last_deployment"] = nil
		for _, d := range slices.Backward(p.deployments) {
			if d.Environment == e.Name && d.Status == "success" {
				out["last_deployment"] = s.deploymentJSON(p, d)
				break
			}
		}
		out["project"] = s.projectJSON(p)
		c.json(http.StatusOK, out)
		return
	}
	c.message(http.StatusNotFound, "404 Not found")
}

// Deployments returns copies of a project's deployments, oldest first.
func (s *Server) Deployments(p *Project) []Deployment {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Deployment, 0, len(p.deployments))
	for _, d := range p.deployments {
		out = append(out, *d)
	}
	return out
}
