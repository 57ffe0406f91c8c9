// Package discover chooses the projects one pinwheel instance runs: the
// config's projects: entries and, with autodiscover, the projects GitLab
// lists in its groups or under its topics, less those another shard of
// the fleet owns (package shard).
//
// A found project qualifies when its target branch (project_defaults'
// branch, else its default branch) has the constraints file
// project_defaults names or, with repo_config enabled, a .pinwheel.yaml;
// it then runs with project_defaults. An entry under projects: for the
// same path wins over a found one. Archived and empty projects are left
// out, and so are those an exclude pattern matches.
//
// Listings page through GitLab: GET /projects?topic=… (only the projects
// pinwheel's user is a member of) with keyset pagination, which GitLab
// offers there, and GET /groups/:id/projects?include_subgroups=true by
// offset, the only kind GitLab offers for it. What was found is cached in
// the state file: a project's qualification is asked again only when its
// last_activity_at moves or a day has passed, and when a listing fails the last complete
// result stands in for it, so a GitLab outage neither adds nor drops a
// project. A project that is gone from the listings (deleted, moved out
// of the group, excluded, its file removed) is simply not returned: it is
// never touched again.
//
// In a fleet, a configured path costs one look-up of its id per process
// (package shard). The ids are cached too, and when GitLab fails to give
// one (other than with a 404), the cached one stands in, so a GitLab
// hiccup at a daemon's start does not drop a project until the next cron.
//
// The package reads GitLab and the state's cache; it runs nothing.
package discover

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/shard"
	"github.com/pinwheel-dev/pinwheel/state"
)

// cacheKey is the discovery cache's entry in the state's cache bucket.
const cacheKey = "discover:projects"

// idsKey is the cache entry of the configured paths' ids: when GitLab
// fails to give one, the last one it gave stands in (an id never
// changes), so a GitLab hiccup at a start does not drop the project.
const idsKey = "discover:ids"

// perPage is the largest page GitLab serves.
const perPage = 100

// Finder chooses the projects of one instance. Config and GitLab are
// required; the zero Shard is treated as shard.All.
type Finder struct {
	Config *config.Config
	GitLab *gitlab.Client
	// Cache keeps what was found between runs; nil keeps nothing.
	Cache *state.Cache
	Shard shard.Shard
	Log   logrus.FieldLogger
	// Clock is the time cached answers age by; nil: time.Now.
	Clock func() time.Time

	filter *shard.Filter
	// ids are the configured paths' ids GitLab gave (this process, or
	// the cache's idsKey).
	mu  sync.Mutex
	ids map[string]int64
}

// recheck is how old a cached qualification may grow even when
// last_activity_at stands still: GitLab throttles its updates, so a push
// may not move it.
const recheck = 24 * time.Hour

// Result is one round of discovery.
type Result struct {
	// Projects are the instance's projects: configured ones first, in the
	// config's order, then found ones by id.
	Projects []config.Project
	// Found counts the projects discovery found for the whole fleet.
	Found int
	// Problems are what could not be read: a configured path whose id
	// GitLab did not give (the id it gave last time stood in; without
	// one, or when GitLab says there is no such project, that project is
	// left out this time), a listing that failed (the cached result stood
	// in). The rest went on.
	Problems []error
}

// found is one discovered project as cached.
type found struct {
	ID       int64     `json:"id"`
	Path     string    `json:"path"`
	Activity time.Time `json:"activity"`
	// Qualifies is whether the target branch had the files; File is
	// which one answered ("" when none did).
	Qualifies bool   `json:"qualifies"`
	File      string `json:"file,omitempty"`
	// Checked is when the files were looked for.
	Checked time.Time `json:"checked,omitzero"`
}

// Find returns the instance's projects now.
func (f *Finder) Find(ctx context.Context) Result {
	if f.Shard.Count == 0 {
		f.Shard = shard.All
	}
	if f.filter == nil {
		f.filter = &shard.Filter{Shard: f.Shard, Lookup: f.projectID}
		f.loadIDs()
	}
	var res Result
	for _, p := range f.Config.Projects {
		owns, err := f.filter.Owns(ctx, p.Path)
		if err != nil {
			id, ok := f.lastID(p.Path)
			if !ok || errors.Is(err, gitlab.ErrNotFound) {
				res.Problems = append(res.Problems, err)
				continue
			}
			res.Problems = append(res.Problems, fmt.Errorf("%w; the id GitLab gave last time (%d) stands in", err, id))
			owns = f.Shard.Owns(id)
		}
		if owns {
			res.Projects = append(res.Projects, p)
		}
	}
	f.storeIDs()
	if f.Config.Autodiscover == nil {
		return res
	}
	list, err := f.discover(ctx)
	if err != nil {
		res.Problems = append(res.Problems, err)
	}
	for _, fp := range list {
		if !fp.Qualifies || f.configured(fp) {
			continue
		}
		res.Found++
		if !f.Shard.Owns(fp.ID) {
			continue
		}
		p := f.Config.ProjectDefaults
		p.Path = fp.Path
		res.Projects = append(res.Projects, p)
	}
	return res
}

func (f *Finder) configured(fp found) bool {
	id := strconv.FormatInt(fp.ID, 10)
	for _, p := range f.Config.Projects {
		if strings.EqualFold(p.Path, fp.Path) || p.Path == id {
			return true
		}
	}
	return false
}

func (f *Finder) projectID(ctx context.Context, path string) (int64, error) {
	p, _, err := f.GitLab.Projects.GetProject(path, nil, gitlab.WithContext(ctx))
	if err != nil {
		return 0, err
	}
	f.mu.Lock()
	if f.ids == nil {
		f.ids = map[string]int64{}
	}
	f.ids[path] = p.ID
	f.mu.Unlock()
	return p.ID, nil
}

// lastID is the id GitLab gave for path before, in this process or one
// whose state file this is.
func (f *Finder) lastID(path string) (int64, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id, ok := f.ids[path]
	return id, ok && id > 0
}

func (f *Finder) loadIDs() {
	if f.Cache == nil || f.Shard.Count <= 1 {
		return // a single instance never looks an id up
	}
	data, ok, err := f.Cache.Get(idsKey)
	if err != nil || !ok {
		if err != nil {
			f.log().WithError(err).Warn("shard: the cached project ids could not be read")
		}
		return
	}
	var ids map[string]int64
	if err := json.Unmarshal(data, &ids); err != nil {
		f.log().WithError(err).Warn("shard: the cached project ids are unreadable; looking them up afresh")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, v := range ids {
		if _, ok := f.ids[k]; !ok {
			if f.ids == nil {
				f.ids = map[string]int64{}
			}
			f.ids[k] = v
		}
	}
}

// storeIDs writes the configured paths' ids every round, so the cache's
// pruning by age never drops them from a daemon that learned them long
// ago.
func (f *Finder) storeIDs() {
	f.mu.Lock()
	ids := map[string]int64{}
	for _, p := range f.Config.Projects {
		if id, ok := f.ids[p.Path]; ok {
			ids[p.Path] = id
		}
	}
	f.mu.Unlock()
	if f.Cache == nil || len(ids) == 0 {
		return
	}
	data, err := json.Marshal(ids)
	if err == nil {
		err = f.Cache.Put(idsKey, data)
	}
	if err != nil {
		f.log().WithError(err).Warn("shard: the project ids could not be cached")
	}
}

// discover lists, filters and qualifies. On a failed listing it returns
// the cached result and the error.
func (f *Finder) discover(ctx context.Context) ([]found, error) {
	cached := f.cached()
	listed, err := f.list(ctx)
	if err != nil {
		return cached, fmt.Errorf("autodiscover: %w; the projects found last time stand in", err)
	}
	now := time.Now()
	if f.Clock != nil {
		now = f.Clock()
	}
	prev := map[int64]found{}
	for _, c := range cached {
		prev[c.ID] = c
	}
	var out []found
	var errs []error
	for _, p := range listed {
		fp := found{ID: p.ID, Path: p.PathWithNamespace}
		if p.LastActivityAt != nil {
			fp.Activity = *p.LastActivityAt
		}
		if c, ok := prev[p.ID]; ok && c.Path == fp.Path && c.Activity.Equal(fp.Activity) && !fp.Activity.IsZero() && now.Sub(c.Checked) < recheck {
			out = append(out, c)
			continue
		}
		file, err := f.qualify(ctx, p)
		if err != nil {
			errs = append(errs, err)
			if c, ok := prev[p.ID]; ok {
				out = append(out, c) // as it was, rather than dropped
			}
			continue
		}
		fp.Qualifies, fp.File, fp.Checked = file != "", file, now
		out = append(out, fp)
	}
	slices.SortFunc(out, func(a, b found) int { return cmp.Compare(a.ID, b.ID) })
	f.store(out)
	return out, errors.Join(errs...)
}

// list returns the projects the groups and topics name, each once, less
// the excluded, archived and empty ones.
func (f *Finder) list(ctx context.Context) ([]*gitlab.Project, error) {
	ad := f.Config.Autodiscover
	seen := map[int64]bool{}
	var out []*gitlab.Project
	add := func(p *gitlab.Project) {
		if seen[p.ID] || p.Archived || p.EmptyRepo || p.DefaultBranch == "" && f.Config.ProjectDefaults.Branch == "" || ad.Excluded(p.PathWithNamespace) {
			return
		}
		seen[p.ID] = true
		out = append(out, p)
	}
	topics := ad.Topics
	if len(topics) == 0 {
		topics = []string{""}
	}
	for _, topic := range topics {
		if len(ad.Groups) == 0 {
			if err := f.scanProjects(ctx, topic, add); err != nil {
				return nil, err
			}
			continue
		}
		for _, g := range ad.Groups {
			if err := f.scanGroup(ctx, g, topic, add); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// scanProjects pages through GET /projects with keyset pagination.
func (f *Finder) scanProjects(ctx context.Context, topic string, add func(*gitlab.Project)) error {
	opts := &gitlab.ListProjectsOptions{
		ListOptions: gitlab.ListOptions{Pagination: "keyset", OrderBy: "id", Sort: "asc", PerPage: perPage},
		Membership:  gitlab.Ptr(true),
		Archived:    gitlab.Ptr(false),
		Topic:       gitlab.Ptr(topic),
	}
	for p, err := range gitlab.Scan2(func(po gitlab.PaginationOptionFunc) ([]*gitlab.Project, *gitlab.Response, error) {
		return f.GitLab.Projects.ListProjects(opts, po, gitlab.WithContext(ctx))
	}) {
		if err != nil {
			return fmt.Errorf("list the projects with topic %q: %w", topic, err)
		}
		add(p)
	}
	return nil
}

// scanGroup pages through GET /groups/:id/projects by offset.
func (f *Finder) scanGroup(ctx context.Context, group, topic string, add func(*gitlab.Project)) error {
	opts := &gitlab.ListGroupProjectsOptions{
		ListOptions:      gitlab.ListOptions{OrderBy: "id", Sort: "asc", PerPage: perPage},
		IncludeSubGroups: gitlab.Ptr(true),
		Archived:         gitlab.Ptr(false),
	}
	if topic != "" {
		opts.Topic = gitlab.Ptr(topic)
	}
	for p, err := range gitlab.Scan2(func(po gitlab.PaginationOptionFunc) ([]*gitlab.Project, *gitlab.Response, error) {
		return f.GitLab.Groups.ListGroupProjects(group, opts, po, gitlab.WithContext(ctx))
	}) {
		if err != nil {
			what := "group " + group
			if topic != "" {
				what += fmt.Sprintf(" with topic %q", topic)
			}
			return fmt.Errorf("list the projects of %s: %w", what, err)
		}
		add(p)
	}
	return nil
}

// qualify returns the file that makes p a pinwheel project ("" for none):
// the constraints file, else (repo_config enabled) .pinwheel.yaml, on the
// target branch. Each is one HEAD request.
func (f *Finder) qualify(ctx context.Context, p *gitlab.Project) (string, error) {
	ref := f.Config.ProjectDefaults.Branch
	if ref == "" {
		ref = p.DefaultBranch
	}
	files := []string{f.Config.ProjectDefaults.Constraints}
	if f.Config.RepoConfig.Enabled {
		files = append(files, config.RepoConfigFile)
	}
	for _, file := range files {
		_, _, err := f.GitLab.RepositoryFiles.GetFileMetaData(p.ID, file,
			&gitlab.GetFileMetaDataOptions{Ref: gitlab.Ptr(ref)}, gitlab.WithContext(ctx))
		switch {
		case err == nil:
			return file, nil
		case !errors.Is(err, gitlab.ErrNotFound):
			return "", fmt.Errorf("autodiscover: look for %s on %s of %s: %w", file, ref, p.PathWithNamespace, err)
		}
	}
	return "", nil
}

func (f *Finder) cached() []found {
	if f.Cache == nil {
		return nil
	}
	data, ok, err := f.Cache.Get(cacheKey)
	if err != nil || !ok {
		if err != nil {
			f.log().WithError(err).Warn("autodiscover: the cache could not be read")
		}
		return nil
	}
	var list []found
	if err := json.Unmarshal(data, &list); err != nil {
		f.log().WithError(err).Warn("autodiscover: the cache is unreadable; listing afresh")
		return nil
	}
	return list
}

func (f *Finder) store(list []found) {
	if f.Cache == nil {
		return
	}
	data, err := json.Marshal(list)
	if err == nil {
		err = f.Cache.Put(cacheKey, data)
	}
	if err != nil {
		f.log().WithError(err).Warn("autodiscover: the cache could not be written")
	}
}

func (f *Finder) log() logrus.FieldLogger {
	if f.Log != nil {
		return f.Log
	}
	return logrus.NewEntry(logrus.StandardLogger())
}
