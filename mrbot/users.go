package mrbot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

// ErrUnknownUser means GitLab has no user by a configured username.
var ErrUnknownUser = errors.New("no such GitLab user")

// Users resolves usernames (reviewers, assignees) to GitLab user ids with
// GET /users?username= (https://docs.gitlab.com/api/users/#list-users),
// asking once per username for its life (a process): found and unknown
// names are both remembered, failed requests are not. Safe for concurrent
// use.
type Users struct {
	gl *gitlab.Client

	mu  sync.Mutex
	ids map[string]int64 // lower-case username -> id; 0 = no such user
}

// NewUsers returns a Users that asks through gl.
func NewUsers(gl *gitlab.Client) *Users { return &Users{gl: gl, ids: map[string]int64{}} }

// IDs returns the ids of the named users that exist, in order. Unknown
// names are skipped and reported in an error wrapping ErrUnknownUser; a
// failed request is an error of its own (the ids are then nil), so a
// caller can tell "fix the config" from "try again".
func (u *Users) IDs(ctx context.Context, names []string) ([]int64, error) {
	var ids []int64
	var unknown []string
	for _, name := range names {
		id, err := u.id(ctx, name)
		if err != nil {
			return nil, err
		}
		if id == 0 {
			unknown = append(unknown, name)
			continue
		}
		ids = append(ids, id)
	}
	if len(unknown) > 0 {
		return ids, fmt.Errorf("%w: %s", ErrUnknownUser, strings.Join(unknown, ", "))
	}
	return ids, nil
}

func (u *Users) id(ctx context.Context, name string) (int64, error) {
	key := strings.ToLower(name)
	u.mu.Lock()
	id, ok := u.ids[key]
	u.mu.Unlock()
	if ok {
		return id, nil
	}
	// GitLab matches username exactly but without regard to case, and
	// answers an unknown one with an empty list (200), not 404.
	list, _, err := u.gl.Users.ListUsers(&gitlab.ListUsersOptions{Username: gitlab.Ptr(name)}, gitlab.WithContext(ctx))
	if err != nil {
		return 0, fmt.Errorf("look up GitLab user %s: %w", name, err)
	}
	for _, found := range list {
		if strings.EqualFold(found.Username, name) {
			id = found.ID
			break
		}
	}
	u.mu.Lock()
	u.ids[key] = id
	u.mu.Unlock()
	return id, nil
}
