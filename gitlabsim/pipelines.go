package gitlabsim

import (
	"net/http"
	"slices"
	"strconv"
	"time"
)

// Pipeline is a CI pipeline; the simulator runs no jobs: tests set the
// status with SetPipelineStatus, clients over HTTP with commit statuses
// (POST /projects/:id/statuses/:sha).
type Pipeline struct {
	ID, IID   int
	SHA, Ref  string
	Status    string
	Source    string
	UserID    int
	CreatedAt time.Time
	UpdatedAt time.Time

	statuses []*commitStatus // external jobs, see postCommitStatus
	// Variables are the pipeline variables it was created with
	// (triggers.go), TRIGGER_PAYLOAD included for triggered ones.
	Variables []Variable
}

// activePipeline reports whether a pipeline has yet to finish.
func activePipeline(status string) bool {
	switch status {
	case "created", "waiting_for_resource", "preparing", "pending", "running", "scheduled", "waiting_for_callback", "canceling":
		return true
	}
	return false
}

func (s *Server) newPipeline(p *Project, ref, sha string, user *User) *Pipeline {
	s.ids.pipeline++
	p.nextIID.pipeline++
	now := s.now()
	pl := &Pipeline{
		ID: s.ids.pipeline, IID: p.nextIID.pipeline, SHA: sha, Ref: ref,
		Status: "pending", Source: "push", UserID: user.ID, CreatedAt: now, UpdatedAt: now,
	}
	p.pipelines = append(p.pipelines, pl)
	return pl
}

// latestPipeline is the newest pipeline for a SHA, or nil.
func latestPipeline(p *Project, sha string) *Pipeline {
	for _, pl := range slices.Backward(p.pipelines) {
		if pl.SHA == sha {
			return pl
		}
	}
	return nil
}

// SetPipelineStatus sets the status of the newest pipeline for sha,
// creating one if the commit has none. A success merges the open merge
// requests that have auto-merge set and this SHA as head; after a failure
// they keep waiting, as in GitLab, for a retry to succeed.
func (s *Server) SetPipelineStatus(p *Project, sha, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pl := latestPipeline(p, sha)
	if pl == nil {
		ref := p.DefaultBranch
		for name, head := range p.repo.branches {
			if head == sha {
				ref = name
				break
			}
		}
		pl = s.newPipeline(p, ref, sha, s.root())
	}
	pl.Status = status
	pl.UpdatedAt = s.now()
	s.pipelineChanged(p, pl)
}

// Pipelines returns copies of a project's pipelines, oldest first.
func (s *Server) Pipelines(p *Project) []Pipeline {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Pipeline, 0, len(p.pipelines))
	for _, pl := range p.pipelines {
		cp := *pl
		cp.statuses = nil
		out = append(out, cp)
	}
	return out
}

type pipelineJSON struct {
	ID        int     `json:"id"`
	IID       int     `json:"iid"`
	ProjectID int     `json:"project_id"`
	SHA       string  `json:"sha"`
	Ref       string  `json:"ref"`
	Status    string  `json:"status"`
	Source    string  `json:"source"`
	CreatedAt apiTime `json:"created_at"`
	UpdatedAt apiTime `json:"updated_at"`
	WebURL    string  `json:"web_url"`
	Name      *string `json:"name"`
}

func (s *Server) pipelineJSON(p *Project, pl *Pipeline) pipelineJSON {
	return pipelineJSON{
		ID: pl.ID, IID: pl.IID, ProjectID: p.ID, SHA: pl.SHA, Ref: pl.Ref, Status: pl.Status,
		Source: pl.Source, CreatedAt: apiTime(pl.CreatedAt), UpdatedAt: apiTime(pl.UpdatedAt),
		WebURL: s.webURL(p) + "/-/pipelines/" + strconv.Itoa(pl.ID),
	}
}

// pipelineDetailJSON is the single-pipeline entity.
func (s *Server) pipelineDetailJSON(p *Project, pl *Pipeline) map[string]any {
	var finished *apiTime
	if !activePipeline(pl.Status) {
		finished = timePtr(pl.UpdatedAt)
	}
	return map[string]any{
		"id": pl.ID, "iid": pl.IID, "project_id": p.ID, "sha": pl.SHA, "ref": pl.Ref,
		"status": pl.Status, "source": pl.Source, "before_sha": "0000000000000000000000000000000000000000",
		"tag": false, "yaml_errors": nil, "user": s.userJSON(s.userByID(pl.UserID)),
		"created_at": apiTime(pl.CreatedAt), "updated_at": apiTime(pl.UpdatedAt),
		"started_at": nil, "finished_at": finished, "committed_at": nil, "duration": nil,
		"queued_duration": nil, "coverage": nil, "name": nil,
		"web_url":         s.webURL(p) + "/-/pipelines/" + strconv.Itoa(pl.ID),
		"detailed_status": map[string]any{"text": pl.Status, "label": pl.Status, "group": pl.Status},
	}
}

// GET /projects/:id/pipelines?ref&sha&status&source&updated_after&updated_before&sort
// https://docs.gitlab.com/api/pipelines/#list-project-pipelines
func (s *Server) listPipelines(c *call) {
	p := c.project
	updated, ok := c.window("updated")
	if !ok {
		return
	}
	var out []pipelineJSON
	for _, pl := range slices.Backward(p.pipelines) {
		if !updated.contains(pl.UpdatedAt) {
			continue
		}
		if v := c.params.get("ref"); v != "" && pl.Ref != v {
			continue
		}
		if v := c.params.get("sha"); v != "" && pl.SHA != v {
			continue
		}
		if v := c.params.get("status"); v != "" && pl.Status != v {
			continue
		}
		if v := c.params.get("source"); v != "" && pl.Source != v {
			continue
		}
		out = append(out, s.pipelineJSON(p, pl))
	}
	// Creation order is id order; only the direction is honoured.
	if c.params.get("sort") == "asc" {
		slices.Reverse(out)
	}
	c.json(http.StatusOK, nonNil(paginate(c, out, true)))
}

func (s *Server) getPipeline(c *call) {
	id, _ := strconv.Atoi(c.args["pipeline_id"])
	for _, pl := range c.project.pipelines {
		if pl.ID == id {
			c.json(http.StatusOK, s.pipelineDetailJSON(c.project, pl))
			return
		}
	}
	c.message(http.StatusNotFound, "404 Not found")
}
