package scheduler

import (
	"slices"
	"strings"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/state"
)

// SetProjects replaces the projects the Runner runs: at first the
// config's, then whatever discovery and sharding chose (package discover).
// A run in flight keeps the entry it started with.
func (r *Runner) SetProjects(projects []config.Project) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.projects = slices.Clone(projects)
}

// Projects returns the projects the Runner runs.
func (r *Runner) Projects() []config.Project {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.projects)
}

// project finds a project by path (GitLab paths are case-insensitive).
func (r *Runner) project(path string) (config.Project, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range r.projects {
		if strings.EqualFold(p.Path, path) {
			return p, true
		}
	}
	return config.Project{}, false
}

// GitLab returns the Runner's GitLab client, for the parts that choose
// the projects (package discover) to share it.
func (r *Runner) GitLab() *gitlab.Client { return r.deps.GitLab }

// State returns the Runner's state file, for the parts that choose the
// projects to keep their cache in.
func (r *Runner) State() *state.DB { return r.deps.State }

// Clock returns the Runner's clock.
func (r *Runner) Clock() func() time.Time { return r.deps.Clock }
