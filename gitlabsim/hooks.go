package gitlabsim

import (
	"encoding/json"
	"fmt"
	"time"
)

// The simulator sends no webhooks; these render the bodies GitLab would
// send, so tests and the demo can deliver them to pinwheel's listener.
// https://docs.gitlab.com/user/project/integrations/webhook_events/

// hookTime is how note and pipeline hooks spell times:
// "2015-05-17 18:21:36 UTC".
func hookTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

func (s *Server) hookProject(p *Project) map[string]any {
	return map[string]any{
		"id": p.ID, "name": p.Name(), "path_with_namespace": p.Path, "web_url": s.webURL(p),
		"git_http_url": s.webURL(p) + ".git", "default_branch": p.DefaultBranch,
	}
}

func (s *Server) hookUser(u *User) map[string]any {
	return map[string]any{"id": u.ID, "name": u.Name, "username": u.Username, "avatar_url": "", "email": "[REDACTED]"}
}

// MRNoteHook renders the Note Hook body ("X-Gitlab-Event: Note Hook")
// GitLab sends when the note noteID is created on merge request iid of p.
func (s *Server) MRNoteHook(p *Project, iid, noteID int) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, mr := range p.mrs {
		if mr.IID != iid {
			continue
		}
		for _, n := range mr.notes {
			if n.ID != noteID {
				continue
			}
			src := sourceProject(p, mr)
			head := headSHA(p, mr)
			return json.Marshal(map[string]any{
				"object_kind": "note", "event_type": "note",
				"user":       s.hookUser(s.userByID(n.AuthorID)),
				"project_id": p.ID, "project": s.hookProject(p),
				"object_attributes": map[string]any{
					"id": n.ID, "note": n.Body, "noteable_type": "MergeRequest", "author_id": n.AuthorID,
					"created_at": hookTime(n.CreatedAt), "updated_at": hookTime(n.UpdatedAt),
					"project_id": p.ID, "noteable_id": mr.ID, "system": false, "action": "create",
					"url": fmt.Sprintf("%s/-/merge_requests/%d#note_%d", s.webURL(p), mr.IID, n.ID),
				},
				"merge_request": map[string]any{
					"id": mr.ID, "iid": mr.IID, "title": mr.Title, "state": mr.State,
					"source_branch": mr.SourceBranch, "target_branch": mr.TargetBranch,
					"source_project_id": src.ID, "target_project_id": p.ID,
					"last_commit": map[string]any{"id": head},
					"source":      s.hookProject(src), "target": s.hookProject(p),
				},
			})
		}
	}
	return nil, fmt.Errorf("note hook: no note %d on !%d of %s", noteID, iid, p.Path)
}

// PipelineHook renders the Pipeline Hook body ("X-Gitlab-Event: Pipeline
// Hook") GitLab sends when pipeline id of p changes status.
func (s *Server) PipelineHook(p *Project, id int) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, pl := range p.pipelines {
		if pl.ID != id {
			continue
		}
		vars := []map[string]string{}
		for _, v := range pl.Variables {
			vars = append(vars, map[string]string{"key": v.Key, "value": v.Value})
		}
		return json.Marshal(map[string]any{
			"object_kind": "pipeline",
			"object_attributes": map[string]any{
				"id": pl.ID, "iid": pl.IID, "ref": pl.Ref, "tag": false, "sha": pl.SHA,
				"source": pl.Source, "status": pl.Status, "detailed_status": pl.Status,
				"created_at": hookTime(pl.CreatedAt), "variables": vars,
				"url": fmt.Sprintf("%s/-/pipelines/%d", s.webURL(p), pl.ID),
			},
			"user":    s.hookUser(s.userByID(pl.UserID)),
			"project": s.hookProject(p),
		})
	}
	return nil, fmt.Errorf("pipeline hook: no pipeline %d in %s", id, p.Path)
}
