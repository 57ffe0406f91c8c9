package gitlabsim

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
)

// User is a GitLab account.
type User struct {
	ID        int
	Username  string
	Name      string
	Email     string
	CreatedAt time.Time
}

// AddUser creates a user and a personal access token for it. The token is
// accepted as PRIVATE-TOKEN or as "Authorization: Bearer".
func (s *Server) AddUser(username string) (User, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, token := s.addUserLocked(username, username)
	return *u, token
}

func (s *Server) addUserLocked(username, name string) (*User, string) {
	s.ids.user++
	u := &User{
		ID:        s.ids.user,
		Username:  username,
		Name:      name,
		Email:     username + "@example.com",
		CreatedAt: s.now(),
	}
	s.users = append(s.users, u)
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	token := "glpat-" + hex.EncodeToString(b)
	s.tokens[token] = u
	return u, token
}

// root is the user the human hooks act as.
func (s *Server) root() *User { return s.users[0] }

func (s *Server) userByID(id int) *User {
	for _, u := range s.users {
		if u.ID == id {
			return u
		}
	}
	return nil
}

func (s *Server) authenticate(r *http.Request) *User {
	token := r.Header.Get("PRIVATE-TOKEN")
	if token == "" {
		token, _ = strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	}
	if jt := r.Header.Get("JOB-TOKEN"); token == "" && strings.HasPrefix(jt, "glcbt-") {
		token = jt // a CI job token (AddJobToken)
	}
	if token == "" {
		return nil
	}
	return s.tokens[token]
}

// userJSON is GitLab's UserBasic entity, embedded as author, user, etc.
type userJSON struct {
	ID        int    `json:"id"`
	Username  string `json:"username"`
	Name      string `json:"name"`
	State     string `json:"state"`
	Locked    bool   `json:"locked"`
	AvatarURL string `json:"avatar_url"`
	WebURL    string `json:"web_url"`
}

func (s *Server) userJSON(u *User) *userJSON {
	if u == nil {
		return nil
	}
	return &userJSON{
		ID:        u.ID,
		Username:  u.Username,
		Name:      u.Name,
		State:     "active",
		AvatarURL: "",
		WebURL:    s.URL() + "/" + u.Username,
	}
}

// GET /user, https://docs.gitlab.com/api/users/#retrieve-the-current-user
func (s *Server) getCurrentUser(c *call) {
	u := c.user
	c.json(http.StatusOK, struct {
		*userJSON
		Email     string   `json:"email"`
		CreatedAt *apiTime `json:"created_at"`
		Bot       bool     `json:"bot"`
		IsAdmin   bool     `json:"is_admin"`
	}{s.userJSON(u), u.Email, timePtr(u.CreatedAt), false, u.ID == 1})
}
