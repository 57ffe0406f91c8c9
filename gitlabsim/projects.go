package gitlabsim

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Project is a GitLab project and its repository. Its exported settings may
// be changed with Server.UpdateProject.
type Project struct {
	ID int
	// Path is path_with_namespace, e.g. "group/app".
	Path          string
	DefaultBranch string
	// MergeMethod is "merge" (always a merge commit, GitLab's default) or
	// "ff" (fast-forward only).
	MergeMethod string
	// OnlyAllowMergeIfPipelineSucceeds makes a pending or failed head
	// pipeline block merging.
	OnlyAllowMergeIfPipelineSucceeds bool
	// CI creates a pending pipeline for every new branch head. On by default.
	CI bool
	// PipelineVariablesMinimumOverrideRole is who may set pipeline
	// variables: "developer" ("" means this, GitLab's default before
	// 17.7), "maintainer", "owner" or "no_one_allowed" (gitlab.com's
	// default for new projects since 17.7).
	PipelineVariablesMinimumOverrideRole string
	CreatedAt                            time.Time
	// Topics are the project's topics (SetTopics changes them).
	Topics []string

	oldPaths     []string
	repo         *repo
	mrs          []*MergeRequest
	issues       []*Issue
	labels       []*Label
	pipelines    []*Pipeline
	deployments  []*Deployment
	environments []*Environment
	nextIID      struct{ mr, issue, pipeline, deployment int }
	registry     packageRegistry // generic packages, see packages.go
}

// Name is the last segment of the path.
func (p *Project) Name() string { return p.Path[strings.LastIndex(p.Path, "/")+1:] }

// Deleted as a value in the files given to Server.Commit deletes the file.
const Deleted = "\x00gitlabsim:deleted\x00"

// CreateProject creates a project with an empty repository; the first
// Commit to any branch creates it.
func (s *Server) CreateProject(path, defaultBranch string) *Project {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ids.project++
	p := &Project{
		ID: s.ids.project, Path: path, DefaultBranch: defaultBranch,
		MergeMethod: "merge", CI: true, CreatedAt: s.now(), repo: newRepo(),
	}
	s.projects = append(s.projects, p)
	return p
}

// UpdateProject changes a project's settings under the server's lock.
func (s *Server) UpdateProject(p *Project, edit func(*Project)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	edit(p)
}

// lookupProject finds a project by numeric id or by its full path, which
// GitLab matches case-insensitively. moved reports a match on a path the
// project had before RenameProject.
func (s *Server) lookupProject(id string) (p *Project, moved bool) {
	if n, err := strconv.Atoi(id); err == nil {
		for _, p := range s.projects {
			if p.ID == n {
				return p, false
			}
		}
		return nil, false
	}
	for _, p := range s.projects {
		if strings.EqualFold(p.Path, id) {
			return p, false
		}
	}
	for _, p := range s.projects {
		for _, old := range p.oldPaths {
			if strings.EqualFold(old, id) {
				return p, true
			}
		}
	}
	return nil, false
}

// Project finds a project by its full path.
func (s *Server) Project(path string) (*Project, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, moved := s.lookupProject(path)
	return p, p != nil && !moved
}

// RenameProject moves a project to a new path. GitLab keeps a redirect
// from the old path: GET /projects/:old answers 301 with a Location, other
// reads follow it, and writes to the old path are not found.
func (s *Server) RenameProject(p *Project, newPath string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p.oldPaths = append(p.oldPaths, p.Path)
	p.Path = newPath
}

func (s *Server) webURL(p *Project) string { return s.URL() + "/" + p.Path }

// Commit pushes a commit to branch as a human (user root) would: files
// maps a path to its new content, or to Deleted. A missing branch is
// created from the default branch (or as a root commit in an empty
// repository). It returns the new commit's SHA.
func (s *Server) Commit(p *Project, branch, message string, files map[string]string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var parents []string
	base := tree{}
	head, ok := p.repo.branches[branch]
	if !ok {
		head, ok = p.repo.branches[p.DefaultBranch]
	}
	if ok {
		parents = []string{head}
		base = p.repo.commits[head].tree
	}
	t := make(tree, len(base)+len(files))
	for k, v := range base {
		t[k] = v
	}
	for path, content := range files {
		if content == Deleted {
			delete(t, path)
			continue
		}
		t[path] = entry{data: []byte(content), exec: base[path].exec}
	}
	c := p.repo.write(parents, t, s.root(), message, s.now())
	s.setBranch(p, branch, c.ID, s.root())
	return c.ID
}

// setBranch moves (or creates) a branch and runs what a push triggers:
// a pipeline for the new head.
func (s *Server) setBranch(p *Project, branch, sha string, user *User) {
	if p.repo.branches[branch] == sha {
		return
	}
	p.repo.branches[branch] = sha
	s.sourcePushed(p, branch, sha)
	if p.CI {
		s.newPipeline(p, branch, sha, user)
	}
}

// File reads a file at a ref (branch, SHA or "HEAD").
func (s *Server) File(p *Project, ref, path string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := p.repo.resolve(ref, p.DefaultBranch)
	if c == nil {
		return nil, false
	}
	e, ok := c.tree[path]
	return append([]byte(nil), e.data...), ok
}

// Branch returns a branch's head SHA.
func (s *Server) Branch(p *Project, name string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sha, ok := p.repo.branches[name]
	return sha, ok
}

// Commits lists the history of ref, newest first.
func (s *Server) Commits(p *Project, ref string) []Commit {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := p.repo.resolve(ref, p.DefaultBranch)
	if c == nil {
		return nil
	}
	var out []Commit
	for _, c := range p.repo.log(c.ID) {
		out = append(out, *c)
	}
	return out
}

// CommitDiff is what a commit changed against its first parent.
func (s *Server) CommitDiff(p *Project, sha string) []FileChange {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := p.repo.resolve(sha, p.DefaultBranch)
	if c == nil {
		return nil
	}
	return p.repo.commitChanges(c)
}

func (r *repo) commitChanges(c *Commit) []FileChange {
	parent := tree{}
	if len(c.Parents) > 0 {
		parent = r.commits[c.Parents[0]].tree
	}
	return diffTrees(parent, c.tree)
}

// GET /projects/:id, https://docs.gitlab.com/api/projects/#retrieve-a-project
func (s *Server) getProject(c *call) {
	c.json(http.StatusOK, s.projectJSON(c.project))
}

func (s *Server) projectJSON(p *Project) map[string]any {
	ns := "root"
	if i := strings.LastIndex(p.Path, "/"); i >= 0 {
		ns = p.Path[:i]
	}
	var lastActivity time.Time = p.CreatedAt
	for _, c := range p.repo.commits {
		if c.CommittedAt.After(lastActivity) {
			lastActivity = c.CommittedAt
		}
	}
	open := 0
	for _, is := range p.issues {
		if is.State == "opened" {
			open++
		}
	}
	var defaultBranch any = p.DefaultBranch
	if p.repo.empty() {
		defaultBranch = nil
	}
	return map[string]any{
		"id":                                    p.ID,
		"description":                           "",
		"name":                                  p.Name(),
		"name_with_namespace":                   strings.ReplaceAll(p.Path, "/", " / "),
		"path":                                  p.Name(),
		"path_with_namespace":                   p.Path,
		"created_at":                            apiTime(p.CreatedAt),
		"last_activity_at":                      apiTime(lastActivity),
		"default_branch":                        defaultBranch,
		"visibility":                            "private",
		"archived":                              false,
		"empty_repo":                            p.repo.empty(),
		"topics":                                nonNil(slices.Clone(p.Topics)),
		"ssh_url_to_repo":                       "git@127.0.0.1:" + p.Path + ".git",
		"http_url_to_repo":                      s.webURL(p) + ".git",
		"web_url":                               s.webURL(p),
		"readme_url":                            nil,
		"namespace":                             map[string]any{"id": 1, "name": ns, "path": ns, "kind": "group", "full_path": ns},
		"issues_enabled":                        true,
		"merge_requests_enabled":                true,
		"jobs_enabled":                          p.CI,
		"open_issues_count":                     open,
		"merge_method":                          p.MergeMethod,
		"only_allow_merge_if_pipeline_succeeds": p.OnlyAllowMergeIfPipelineSucceeds,
		"remove_source_branch_after_merge":      true,
		"_links": map[string]string{
			"self":           s.URL() + apiPrefix + "/projects/" + itoa(p.ID),
			"issues":         s.URL() + apiPrefix + "/projects/" + itoa(p.ID) + "/issues",
			"merge_requests": s.URL() + apiPrefix + "/projects/" + itoa(p.ID) + "/merge_requests",
			"repo_branches":  s.URL() + apiPrefix + "/projects/" + itoa(p.ID) + "/repository/branches",
		},
	}
}
