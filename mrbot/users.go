package mrbot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

// ErrUnknownUser means GitLab has no user by a configured username.
var ErrUnknownUser = errors.New("no such GitLab user")

// Users resolves usernames (reviewers, assignees) to GitLab user ids with
// GET /users?username= (https://docs.gitlab.com/api/users/#list-users),
// asking once per username for its life (a process): found names are
// remembered for good, unknown ones for a day (unknownRecheck: the user
// may be created, and a daemon runs for months), failed requests not at
// all. Safe for concurrent use.
type Users struct {
	gl    *gitlab.Client
	clock func() time.Time

	mu  sync.Mutex
	ids map[string]userID // lower-case username ->
}

// userID is a look-up's answer: id 0 is no such user, as of at.
type userID struct {
	id int64
	at time.Time
}

// unknownRecheck is how long an unknown username is believed unknown.
const unknownRecheck = 24 * time.Hour

// NewUsers returns a Users that asks through gl; clock (nil: time.Now)
// dates the unknown names.
func NewUsers(gl *gitlab.Client, clock func() time.Time) *Users {
	if clock == nil {
		clock = time.Now
	}
	return &Users{gl: gl, clock: clock, ids: map[string]userID{}}
}

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
	now := u.clock()
	u.mu.Lock()
	known, ok := u.ids[key]
	u.mu.Unlock()
	if ok && (known.id != 0 || now.Sub(known.at) < unknownRecheck) {
		return known.id, nil
	}
	// GitLab matches username exactly but without regard to case, and
	// answers an unknown one with an empty list (200), not 404.
	list, _, err := u.gl.Users.ListUsers(&gitlab.ListUsersOptions{Username: gitlab.Ptr(name)}, gitlab.WithContext(ctx))
	if err != nil {
		return 0, fmt.Errorf("look up GitLab user %s: %w", name, err)
	}
	var id int64
	for _, found := range list {
		if strings.EqualFold(found.Username, name) {
			id = found.ID
			break
		}
	}
	u.mu.Lock()
	u.ids[key] = userID{id: id, at: now}
	u.mu.Unlock()
	return id, nil
}
