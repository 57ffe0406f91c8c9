package gitlabsim

import (
	"maps"
	"net/http"
	"slices"
	"time"
)

// commitStatus is an external job: a status another CI system posted to a
// commit. The simulator runs no jobs of its own, so statuses are how a
// client finishes a pipeline over HTTP.
type commitStatus struct {
	ID                    int
	Name, Status          string
	TargetURL, Desc       string
	UserID                int
	Created, Started, End time.Time
}

// statusEvents are the state-machine events a state is reached by, and the
// states each may leave (Ci::HasStatus / CommitStatus in GitLab).
var statusEvents = map[string]struct {
	event string
	from  []string
}{
	"pending":  {"enqueue", []string{"created", "skipped", "manual", "scheduled"}},
	"running":  {"run", []string{"created", "pending"}},
	"success":  {"success", []string{"created", "pending", "running"}},
	"failed":   {"drop", []string{"created", "pending", "running"}},
	"canceled": {"cancel", []string{"created", "pending", "running"}},
	"skipped":  {"skip", []string{"created", "pending"}},
}

// POST /projects/:id/statuses/:sha (state, ref, name or context,
// target_url, description, pipeline_id)
// https://docs.gitlab.com/api/commits/#set-the-pipeline-status-of-a-commit
// The status is a job of the newest pipeline for the SHA (and ref), or of
// pipeline_id, or of a new pipeline (source "external") when there is
// none. Posting a name again moves that job along GitLab's state machine;
// an impossible move is a 400. The pipeline's status follows its jobs,
// and a finished pipeline runs auto-merge as SetPipelineStatus does.
func (s *Server) postCommitStatus(c *call) {
	p := c.project
	if c.missing("state") {
		return
	}
	state := c.params.get("state")
	ev, ok := statusEvents[state]
	if !ok {
		c.json(http.StatusBadRequest, map[string]string{"error": "state does not have a valid value"})
		return
	}
	sha := c.args["sha"]
	if cm := p.repo.commits[sha]; cm == nil {
		c.message(http.StatusNotFound, "404 Commit Not Found")
		return
	}
	ref := c.params.get("ref")
	var pl *Pipeline
	if id, ok := c.params.integer("pipeline_id"); ok {
		i := slices.IndexFunc(p.pipelines, func(pl *Pipeline) bool { return pl.ID == id && pl.SHA == sha })
		if i < 0 {
			c.message(http.StatusNotFound, "404 Pipeline Not Found")
			return
		}
		pl = p.pipelines[i]
	} else {
		for _, cand := range slices.Backward(p.pipelines) {
			if cand.SHA == sha && (ref == "" || cand.Ref == ref) {
				pl = cand
				break
			}
		}
	}
	if pl == nil {
		if ref == "" {
			ref = p.DefaultBranch
			for _, name := range slices.Sorted(maps.Keys(p.repo.branches)) {
				if p.repo.branches[name] == sha {
					ref = name
					break
				}
			}
		}
		pl = s.newPipeline(p, ref, sha, c.user)
		pl.Source, pl.Status = "external", "created"
	}
	name := c.params.get("name")
	if name == "" {
		name = c.params.get("context")
	}
	if name == "" {
		name = "default"
	}
	now := s.now()
	var job *commitStatus
	for _, j := range pl.statuses {
		if j.Name == name {
			job = j
		}
	}
	if job == nil {
		s.ids.status++
		job = &commitStatus{ID: s.ids.status, Name: name, Status: "created", UserID: c.user.ID, Created: now}
		pl.statuses = append(pl.statuses, job)
	}
	if !slices.Contains(ev.from, job.Status) {
		c.message(http.StatusBadRequest, "Cannot transition status via :"+ev.event+" from :"+job.Status)
		return
	}
	job.Status = state
	if c.params.has("target_url") {
		job.TargetURL = c.params.get("target_url")
	}
	if c.params.has("description") {
		job.Desc = c.params.get("description")
	}
	if state == "running" || !activePipeline(state) && job.Started.IsZero() {
		job.Started = now
	}
	if !activePipeline(state) {
		job.End = now
	}
	was := pl.Status
	pl.Status, pl.UpdatedAt = compositeStatus(pl.statuses), now
	if pl.Status != was && !activePipeline(pl.Status) {
		s.pipelineChanged(p, pl)
	}
	c.json(http.StatusCreated, s.commitStatusJSON(pl, job))
}

// compositeStatus is a pipeline's status from its jobs' (Gitlab::Ci::
// Status::Composite, without allow_failure): running while any job is
// unfinished, then failed, canceled, success or, when every job was
// skipped, skipped.
func compositeStatus(jobs []*commitStatus) string {
	has := map[string]bool{}
	for _, j := range jobs {
		has[j.Status] = true
	}
	switch {
	case len(jobs) == 0 || len(has) == 1 && has["created"]:
		return "created"
	case has["running"] || (has["pending"] || has["created"]) && (has["success"] || has["failed"] || has["canceled"]):
		return "running"
	case has["pending"] || has["created"]:
		return "pending"
	case has["failed"]:
		return "failed"
	case has["canceled"]:
		return "canceled"
	case has["success"]:
		return "success"
	}
	return "skipped"
}

func (s *Server) commitStatusJSON(pl *Pipeline, j *commitStatus) map[string]any {
	var target, desc *string
	if j.TargetURL != "" {
		target = &j.TargetURL
	}
	if j.Desc != "" {
		desc = &j.Desc
	}
	return map[string]any{
		"id": j.ID, "sha": pl.SHA, "ref": pl.Ref, "status": j.Status, "name": j.Name,
		"target_url": target, "description": desc, "created_at": apiTime(j.Created),
		"started_at": timePtr(j.Started), "finished_at": timePtr(j.End),
		"allow_failure": false, "coverage": nil, "pipeline_id": pl.ID,
		"author": s.userJSON(s.userByID(j.UserID)),
	}
}
