package gitlabsim

import (
	"net/http"
	"slices"
)

// GET /projects/:id/repository/commits/:sha/refs?type=branch|tag|all: the
// branches whose history holds the commit (the simulator has no tags).
// https://docs.gitlab.com/api/commits/#get-references-a-commit-is-pushed-to
func (s *Server) getCommitRefs(c *call) {
	p := c.project
	commit := p.repo.resolve(c.args["sha"], p.DefaultBranch)
	if commit == nil {
		c.message(http.StatusNotFound, "404 Commit Not Found")
		return
	}
	typ := c.params.get("type")
	if typ == "" {
		typ = "branch"
	}
	switch typ {
	case "branch", "tag", "all":
	default:
		c.json(http.StatusBadRequest, map[string]string{"error": "type does not have a valid value"})
		return
	}
	type ref struct {
		Type string `json:"type"`
		Name string `json:"name"`
	}
	out := []ref{}
	if typ != "tag" {
		var names []string
		for name, head := range p.repo.branches {
			if p.repo.isAncestor(commit.ID, head) {
				names = append(names, name)
			}
		}
		slices.Sort(names)
		for _, n := range names {
			out = append(out, ref{"branch", n})
		}
	}
	c.json(http.StatusOK, nonNil(paginate(c, out, true)))
}
