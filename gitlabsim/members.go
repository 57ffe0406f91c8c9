package gitlabsim

import (
	"net/http"
	"strconv"
)

// GitLab's access levels (https://docs.gitlab.com/api/members/#roles).
const (
	GuestAccess      = 10
	PlannerAccess    = 15
	ReporterAccess   = 20
	DeveloperAccess  = 30
	MaintainerAccess = 40
	OwnerAccess      = 50
)

type memberKey struct{ project, user int }

// AddMember gives user the access level on p (one of the *Access
// constants); 0 removes the membership.
func (s *Server) AddMember(p *Project, u User, level int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.members == nil {
		s.members = map[memberKey]int{}
	}
	if level == 0 {
		delete(s.members, memberKey{p.ID, u.ID})
		return
	}
	s.members[memberKey{p.ID, u.ID}] = level
}

// memberLevel is u's membership level on p, 0 for none. The simulator
// has no groups, so direct and inherited memberships are the same.
func (s *Server) memberLevel(p *Project, u *User) int {
	if u == nil {
		return 0
	}
	return s.members[memberKey{p.ID, u.ID}]
}

// accessLevel is what u may do on p: its membership, or Owner for the
// administrator (root), who may do everything without being a member.
func (s *Server) accessLevel(p *Project, u *User) int {
	if u != nil && u.ID == s.root().ID {
		return OwnerAccess
	}
	return s.memberLevel(p, u)
}

// GET /projects/:id/members/all/:user_id
// https://docs.gitlab.com/api/members/#get-a-member-of-a-group-or-project-including-inherited-and-invited-members
func (s *Server) getInheritedMember(c *call) {
	id, _ := strconv.Atoi(c.args["user_id"])
	u := s.userByID(id)
	level := s.memberLevel(c.project, u)
	if level == 0 {
		c.message(http.StatusNotFound, "404 Not found")
		return
	}
	c.json(http.StatusOK, struct {
		*userJSON
		AccessLevel int     `json:"access_level"`
		CreatedAt   apiTime `json:"created_at"`
		ExpiresAt   *string `json:"expires_at"`
	}{s.userJSON(u), level, apiTime(u.CreatedAt), nil})
}
