package gitlabsim

import (
	"maps"
	"net/http"
	"slices"
	"strings"
)

type branchJSON struct {
	Name               string      `json:"name"`
	Merged             bool        `json:"merged"`
	Protected          bool        `json:"protected"`
	Default            bool        `json:"default"`
	DevelopersCanPush  bool        `json:"developers_can_push"`
	DevelopersCanMerge bool        `json:"developers_can_merge"`
	CanPush            bool        `json:"can_push"`
	WebURL             string      `json:"web_url"`
	Commit             *commitJSON `json:"commit"`
}

func (s *Server) branchJSON(p *Project, name string) branchJSON {
	sha := p.repo.branches[name]
	merged := false
	if def, ok := p.repo.branches[p.DefaultBranch]; ok && name != p.DefaultBranch {
		merged = p.repo.isAncestor(sha, def)
	}
	return branchJSON{
		Name: name, Merged: merged, Default: name == p.DefaultBranch, CanPush: true,
		WebURL: s.webURL(p) + "/-/tree/" + name,
		Commit: s.commitJSON(p, p.repo.commits[sha]),
	}
}

// GET /projects/:id/repository/branches?search=, sorted by name.
// https://docs.gitlab.com/api/branches/
func (s *Server) listBranches(c *call) {
	p := c.project
	search := c.params.get("search")
	var out []branchJSON
	for _, name := range slices.Sorted(maps.Keys(p.repo.branches)) {
		if search != "" && !matchBranchSearch(name, search) {
			continue
		}
		out = append(out, s.branchJSON(p, name))
	}
	c.json(http.StatusOK, nonNil(paginate(c, out, true)))
}

// matchBranchSearch follows the documented search: a substring, or an
// anchored match with ^prefix or suffix$.
func matchBranchSearch(name, q string) bool {
	switch {
	case strings.HasPrefix(q, "^"):
		return strings.HasPrefix(name, q[1:])
	case strings.HasSuffix(q, "$"):
		return strings.HasSuffix(name, q[:len(q)-1])
	}
	return strings.Contains(name, q)
}

func (s *Server) getBranch(c *call) {
	name := c.args["branch"]
	if _, ok := c.project.repo.branches[name]; !ok {
		c.message(http.StatusNotFound, "404 Branch Not Found")
		return
	}
	c.json(http.StatusOK, s.branchJSON(c.project, name))
}

// POST /projects/:id/repository/branches with branch and ref.
func (s *Server) createBranch(c *call) {
	if c.missing("branch", "ref") {
		return
	}
	p := c.project
	name, ref := c.params.get("branch"), c.params.get("ref")
	if _, ok := p.repo.branches[name]; ok {
		c.message(http.StatusBadRequest, "Branch already exists")
		return
	}
	if !validBranchName(name) {
		c.message(http.StatusBadRequest, "Branch name is invalid")
		return
	}
	commit := p.repo.resolve(ref, p.DefaultBranch)
	if commit == nil {
		c.message(http.StatusBadRequest, "Invalid reference name: "+ref)
		return
	}
	s.setBranch(p, name, commit.ID, c.user)
	c.json(http.StatusCreated, s.branchJSON(p, name))
}

// validBranchName is a subset of git check-ref-format.
func validBranchName(name string) bool {
	if name == "" || name == "HEAD" || strings.HasPrefix(name, "-") || strings.HasSuffix(name, "/") ||
		strings.HasSuffix(name, ".lock") || strings.Contains(name, "..") || strings.Contains(name, "//") {
		return false
	}
	return !strings.ContainsAny(name, " ~^:?*[\\\x7f")
}

// DELETE /projects/:id/repository/branches/:branch. GitLab's
// Branches::DeleteService refuses the default branch with 405.
func (s *Server) deleteBranch(c *call) {
	p := c.project
	name := c.args["branch"]
	if _, ok := p.repo.branches[name]; !ok {
		c.message(http.StatusNotFound, "404 Branch Not Found")
		return
	}
	if name == p.DefaultBranch {
		c.message(http.StatusMethodNotAllowed, "Cannot remove HEAD branch")
		return
	}
	delete(p.repo.branches, name)
	c.w.WriteHeader(http.StatusNoContent)
}

// nonNil makes an empty list render as [] rather than null.
func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}
