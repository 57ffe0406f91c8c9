package gitlabsim

import (
	"encoding/base64"
	"net/http"
	"strings"
	"time"
)

type commitJSON struct {
	ID               string            `json:"id"`
	ShortID          string            `json:"short_id"`
	CreatedAt        apiTime           `json:"created_at"`
	ParentIDs        []string          `json:"parent_ids"`
	Title            string            `json:"title"`
	Message          string            `json:"message"`
	AuthorName       string            `json:"author_name"`
	AuthorEmail      string            `json:"author_email"`
	AuthoredDate     apiTime           `json:"authored_date"`
	CommitterName    string            `json:"committer_name"`
	CommitterEmail   string            `json:"committer_email"`
	CommittedDate    apiTime           `json:"committed_date"`
	Trailers         map[string]string `json:"trailers"`
	ExtendedTrailers map[string]any    `json:"extended_trailers"`
	WebURL           string            `json:"web_url"`
}

// commitDetailJSON is the single-commit entity (GET commits/:sha, POST
// commits) with stats, status and last_pipeline.
type commitDetailJSON struct {
	*commitJSON
	Stats        statsJSON     `json:"stats"`
	Status       *string       `json:"status"`
	ProjectID    int           `json:"project_id"`
	LastPipeline *pipelineJSON `json:"last_pipeline"`
}

type statsJSON struct {
	Additions int `json:"additions"`
	Deletions int `json:"deletions"`
	Total     int `json:"total"`
}

func (s *Server) commitJSON(p *Project, c *Commit) *commitJSON {
	if c == nil {
		return nil
	}
	return &commitJSON{
		ID: c.ID, ShortID: c.ID[:8], CreatedAt: apiTime(c.CommittedAt),
		ParentIDs: nonNil(c.Parents), Title: c.Title(), Message: c.Message,
		AuthorName: c.AuthorName, AuthorEmail: c.AuthorEmail, AuthoredDate: apiTime(c.AuthoredAt),
		CommitterName: c.AuthorName, CommitterEmail: c.AuthorEmail, CommittedDate: apiTime(c.CommittedAt),
		Trailers: map[string]string{}, ExtendedTrailers: map[string]any{},
		WebURL: s.webURL(p) + "/-/commit/" + c.ID,
	}
}

func (s *Server) commitDetailJSON(p *Project, c *Commit) commitDetailJSON {
	var st statsJSON
	for _, ch := range p.repo.commitChanges(c) {
		for _, op := range lineOps(splitLines(string(ch.Old)), splitLines(string(ch.New))) {
			switch op.kind {
			case '+':
				st.Additions++
			case '-':
				st.Deletions++
			}
		}
	}
	st.Total = st.Additions + st.Deletions
	out := commitDetailJSON{commitJSON: s.commitJSON(p, c), Stats: st, ProjectID: p.ID}
	if pl := latestPipeline(p, c.ID); pl != nil {
		j := s.pipelineJSON(p, pl)
		out.LastPipeline = &j
		out.Status = &pl.Status
	}
	return out
}

// GET /projects/:id/repository/commits?ref_name=&path=&since=&until=
// Newest first; GitLab never sends X-Total/X-Total-Pages here.
// https://docs.gitlab.com/api/commits/#list-repository-commits
func (s *Server) listCommits(c *call) {
	p := c.project
	ref := c.params.get("ref_name")
	if ref == "" {
		ref = p.DefaultBranch
	}
	head := p.repo.resolve(ref, p.DefaultBranch)
	if head == nil {
		c.json(http.StatusOK, paginate(c, []commitJSON{}, false))
		return
	}
	since, _ := time.Parse(time.RFC3339, c.params.get("since"))
	until, _ := time.Parse(time.RFC3339, c.params.get("until"))
	path := c.params.get("path")
	var out []*commitJSON
	for _, cm := range p.repo.log(head.ID) {
		if !since.IsZero() && cm.CommittedAt.Before(since) || !until.IsZero() && cm.CommittedAt.After(until) {
			continue
		}
		if path != "" && !touches(p.repo, cm, path) {
			continue
		}
		out = append(out, s.commitJSON(p, cm))
	}
	c.json(http.StatusOK, nonNil(paginate(c, out, false)))
}

// touches reports whether a commit changed path (or a file below it)
// against its first parent.
func touches(r *repo, c *Commit, path string) bool {
	for _, ch := range r.commitChanges(c) {
		for _, fp := range []string{ch.OldPath, ch.NewPath} {
			if fp == path || strings.HasPrefix(fp, strings.TrimSuffix(path, "/")+"/") {
				return true
			}
		}
	}
	return false
}

// GET /projects/:id/repository/commits/:sha; 404 when the SHA (or ref) is
// not in this project.
func (s *Server) getCommit(c *call) {
	cm := c.project.repo.resolve(c.args["sha"], c.project.DefaultBranch)
	if cm == nil {
		c.message(http.StatusNotFound, "404 Commit Not Found")
		return
	}
	c.json(http.StatusOK, s.commitDetailJSON(c.project, cm))
}

// GET /projects/:id/repository/commits/:sha/diff
func (s *Server) getCommitDiff(c *call) {
	cm := c.project.repo.resolve(c.args["sha"], c.project.DefaultBranch)
	if cm == nil {
		c.message(http.StatusNotFound, "404 Commit Not Found")
		return
	}
	c.json(http.StatusOK, paginate(c, diffsJSON(c.project.repo.commitChanges(cm)), true))
}

// commitError is a Commits::CreateService failure: 400 {"message": ...}.
type commitError string

func (e commitError) Error() string { return string(e) }

// POST /projects/:id/repository/commits
// https://docs.gitlab.com/api/commits/#create-a-commit-with-multiple-files-and-actions
// Checks follow app/services/commits/create_service.rb and
// files/multi_service.rb; messages are GitLab's.
func (s *Server) createCommit(c *call) {
	if c.missing("branch", "commit_message") {
		return
	}
	rawActions, ok := c.params.body["actions"].([]any)
	if !ok || len(rawActions) == 0 {
		c.json(http.StatusBadRequest, map[string]string{"error": "actions is missing"})
		return
	}
	p := c.project
	branch := c.params.get("branch")
	startBranch, startSHA := c.params.get("start_branch"), c.params.get("start_sha")
	force := c.params.boolean("force")

	parent, err := s.commitStart(p, branch, startBranch, startSHA, force)
	if err != nil {
		c.message(http.StatusBadRequest, err.Error())
		return
	}
	base := tree{}
	var parents []string
	if parent != nil {
		base = parent.tree
		parents = []string{parent.ID}
	}
	t, err := applyActions(p.repo, parent, base, rawActions)
	if err != nil {
		c.message(http.StatusBadRequest, err.Error())
		return
	}
	author := &User{Name: c.user.Name, Email: c.user.Email}
	if n := c.params.get("author_name"); n != "" {
		author.Name = n
	}
	if e := c.params.get("author_email"); e != "" {
		author.Email = e
	}
	cm := p.repo.write(parents, t, author, c.params.get("commit_message"), s.now())
	s.setBranch(p, branch, cm.ID, c.user)
	c.json(http.StatusCreated, s.commitDetailJSON(p, cm))
}

// commitStart decides the new commit's parent, or nil for a root commit in
// an empty repository.
func (s *Server) commitStart(p *Project, branch, startBranch, startSHA string, force bool) (*Commit, error) {
	if startBranch != "" && startSHA != "" {
		return nil, commitError("You can't pass both start_branch and start_sha")
	}
	if startBranch == "" && startSHA == "" {
		startBranch = branch
	}
	different := startBranch != branch || startSHA != ""
	r := p.repo
	if r.empty() {
		return nil, nil
	}
	var start *Commit
	if startSHA != "" {
		start = r.commits[startSHA]
		if start == nil {
			return nil, commitError("Invalid start_sha")
		}
	} else {
		sha, ok := r.branches[startBranch]
		if !ok {
			return nil, commitError("You can only create or edit files when you are on a branch")
		}
		start = r.commits[sha]
	}
	if _, exists := r.branches[branch]; exists && different && !force {
		return nil, commitError("A branch called '" + branch + "' already exists. Switch to that branch in order to make changes")
	}
	if !validBranchName(branch) {
		return nil, commitError("Branch name is invalid")
	}
	return start, nil
}

// applyActions runs the actions against a copy of base, in order.
func applyActions(r *repo, parent *Commit, base tree, raw []any) (tree, error) {
	t := make(tree, len(base))
	for k, v := range base {
		t[k] = v
	}
	for _, ra := range raw {
		a, _ := ra.(map[string]any)
		str := func(k string) string { v, _ := a[k].(string); return v }
		action, path := str("action"), strings.TrimPrefix(str("file_path"), "/")
		if path == "" {
			return nil, commitError("You must provide a file path")
		}
		if strings.Contains("/"+path+"/", "/../") {
			return nil, commitError("Path cannot include directory traversal")
		}
		content := []byte(str("content"))
		if str("encoding") == "base64" {
			dec, err := base64.StdEncoding.DecodeString(str("content"))
			if err != nil {
				return nil, commitError("Invalid base64")
			}
			content = dec
		}
		if lc := str("last_commit_id"); lc != "" && action != "create" && parent != nil {
			check := path
			if action == "move" && str("previous_path") != "" {
				check = str("previous_path")
			}
			if last := r.lastCommitFor(parent.ID, check); last != nil && last.ID != lc {
				return nil, commitError("The file has changed since you started editing it: " + check)
			}
		}
		cur, exists := t[path]
		switch action {
		case "create":
			if exists {
				return nil, commitError("A file with this name already exists")
			}
			t[path] = entry{data: content, exec: boolField(a, "execute_filemode")}
		case "update":
			if !exists {
				return nil, commitError("A file with this name doesn't exist")
			}
			t[path] = entry{data: content, exec: cur.exec}
		case "delete":
			if !exists {
				return nil, commitError("A file with this name doesn't exist")
			}
			delete(t, path)
		case "move":
			prev := strings.TrimPrefix(str("previous_path"), "/")
			old, ok := t[prev]
			if !ok {
				return nil, commitError("A file with this name doesn't exist")
			}
			if exists && prev != path {
				return nil, commitError("A file with this name already exists")
			}
			delete(t, prev)
			if _, given := a["content"]; given {
				old = entry{data: content, exec: old.exec}
			}
			t[path] = old
		case "chmod":
			if !exists {
				return nil, commitError("A file with this name doesn't exist")
			}
			t[path] = entry{data: cur.data, exec: boolField(a, "execute_filemode")}
		default:
			return nil, commitError("Unknown action '" + action + "'")
		}
	}
	return t, nil
}

func boolField(m map[string]any, k string) bool {
	switch v := m[k].(type) {
	case bool:
		return v
	case string:
		return v == "true" || v == "1"
	}
	return false
}
