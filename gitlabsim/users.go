package gitlabsim

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// GET /users, https://docs.gitlab.com/api/users/#list-users: for a
// regular user, username finds one user by exact username, matched
// without regard to case as GitLab does (User.by_username); an unknown
// one gives 200 and an empty array, never 404. search matches name or
// username substrings. The result is paginated.
func (s *Server) listUsers(c *call) {
	username, byName := c.params.str("username")
	search := strings.ToLower(c.params.get("search"))
	var hits []*User
	for _, u := range s.users {
		switch {
		case byName && !strings.EqualFold(u.Username, username),
			search != "" && !strings.Contains(strings.ToLower(u.Username), search) && !strings.Contains(strings.ToLower(u.Name), search):
			continue
		}
		hits = append(hits, u)
	}
	out := make([]*userJSON, 0, len(hits))
	for _, u := range paginate(c, hits, true) {
		out = append(out, s.userJSON(u))
	}
	c.json(http.StatusOK, out)
}

// GET /users/:id, https://docs.gitlab.com/api/users/#retrieve-a-single-user;
// an unknown id is 404 {"message":"404 User Not Found"}.
func (s *Server) getUser(c *call) {
	id, err := strconv.Atoi(c.args["user_id"])
	u := s.userByID(id)
	if err != nil || u == nil {
		c.message(http.StatusNotFound, "404 User Not Found")
		return
	}
	c.json(http.StatusOK, s.userJSON(u))
}

// userIDs reads an array of user ids (assignee_ids, reviewer_ids) and
// keeps those of existing users, in order and once each: GitLab drops ids
// it cannot assign instead of failing the request. ok is false when the
// parameter is absent.
func (s *Server) userIDs(c *call, key string) (ids []int, ok bool) {
	raw, ok := c.params.list(key)
	if !ok {
		return nil, false
	}
	ids = []int{}
	for _, r := range raw {
		id, err := strconv.Atoi(r)
		if err != nil || s.userByID(id) == nil || slices.Contains(ids, id) {
			continue
		}
		ids = append(ids, id)
	}
	return ids, true
}

// usersJSON renders users by id, for the assignees and reviewers fields.
func (s *Server) usersJSON(ids []int) []any {
	out := []any{}
	for _, id := range ids {
		if u := s.userByID(id); u != nil {
			out = append(out, s.userJSON(u))
		}
	}
	return out
}

// firstUserJSON is the deprecated single "assignee" field: the first one.
func (s *Server) firstUserJSON(ids []int) any {
	if len(ids) == 0 {
		return nil
	}
	if u := s.userByID(ids[0]); u != nil {
		return s.userJSON(u)
	}
	return nil
}
