package gitlabsim

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Variable is a CI variable a pipeline was created with.
type Variable struct {
	Key   string
	Value string
	// Type is "env_var" or "file".
	Type string
}

// trigger is a pipeline trigger token of a project.
type trigger struct {
	project *Project
	owner   *User
	token   string
}

// selfAuthenticating lists the routes served without a user: the trigger
// token in the request is the credential.
var selfAuthenticating = map[string]bool{
	"POST /projects/:id/trigger/pipeline": true,
}

// AddPipelineTrigger creates a pipeline trigger token on p owned by owner
// and returns the token. The pipelines it starts act as owner.
// https://docs.gitlab.com/ci/triggers/
func (s *Server) AddPipelineTrigger(p *Project, owner User) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	token := "glptt-" + hex.EncodeToString(b)
	s.triggers = append(s.triggers, &trigger{project: p, owner: s.userByID(owner.ID), token: token})
	return token
}

// PipelineVariables returns the variables a pipeline was created with.
func (s *Server) PipelineVariables(p *Project, id int) []Variable {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, pl := range p.pipelines {
		if pl.ID == id {
			return slices.Clone(pl.Variables)
		}
	}
	return nil
}

// SetPipelineStatusByID sets the status of one pipeline, as its jobs
// would; see SetPipelineStatus.
func (s *Server) SetPipelineStatusByID(p *Project, id int, status string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, pl := range p.pipelines {
		if pl.ID == id {
			pl.Status, pl.UpdatedAt = status, s.now()
			s.pipelineChanged(p, pl)
			return true
		}
	}
	return false
}

// minimumOverrideLevel is the access level a project's
// ci_pipeline_variables_minimum_override_role asks for; above Owner for
// no_one_allowed.
func minimumOverrideLevel(p *Project) int {
	switch p.PipelineVariablesMinimumOverrideRole {
	case "maintainer":
		return MaintainerAccess
	case "owner":
		return OwnerAccess
	case "no_one_allowed":
		return OwnerAccess + 1
	}
	return DeveloperAccess
}

// baseError is a pipeline creation error, rendered as GitLab renders the
// pipeline's errors: {"message":{"base":["..."]}}.
func (c *call) baseError(msg string) {
	c.message(http.StatusBadRequest, map[string][]string{"base": {msg}})
}

// startPipeline creates a pipeline on ref for user with vars after the
// checks Ci::CreatePipelineService makes, answering an error and returning
// nil when one fails. userVars says whether vars were set by the caller
// (TRIGGER_PAYLOAD alone is not).
func (s *Server) startPipeline(c *call, user *User, ref, source string, vars []Variable, userVars bool) *Pipeline {
	p := c.project
	level := s.accessLevel(p, user)
	if level < DeveloperAccess {
		c.baseError("Insufficient permissions to create a new pipeline")
		return nil
	}
	sha, ok := p.repo.branches[strings.TrimPrefix(ref, "refs/heads/")]
	if !ok {
		c.baseError("Reference not found")
		return nil
	}
	if userVars && level < minimumOverrideLevel(p) {
		c.baseError("Insufficient permissions to set pipeline variables")
		return nil
	}
	seen := map[string]bool{}
	for _, v := range vars {
		if seen[v.Key] {
			c.baseError("Duplicate variable name: " + v.Key)
			return nil
		}
		seen[v.Key] = true
	}
	pl := s.newPipeline(p, strings.TrimPrefix(ref, "refs/heads/"), sha, user)
	pl.Source, pl.Variables = source, vars
	return pl
}

// POST /projects/:id/pipeline with ref and variables [{key, value,
// variable_type}]; https://docs.gitlab.com/api/pipelines/#create-a-new-pipeline
func (s *Server) createPipeline(c *call) {
	if c.missing("ref") {
		return
	}
	var vars []Variable
	if raw, ok := c.params.body["variables"].([]any); ok {
		for _, item := range raw {
			m, _ := item.(map[string]any)
			key, _ := m["key"].(string)
			value, _ := m["value"].(string)
			typ, _ := m["variable_type"].(string)
			if typ == "" {
				typ = "env_var"
			}
			if key == "" {
				c.json(http.StatusBadRequest, map[string]string{"error": "variables[key] is missing"})
				return
			}
			vars = append(vars, Variable{Key: key, Value: value, Type: typ})
		}
	}
	if pl := s.startPipeline(c, c.user, c.params.get("ref"), "api", vars, len(vars) > 0); pl != nil {
		c.json(http.StatusCreated, s.pipelineDetailJSON(c.project, pl))
	}
}

// POST /projects/:id/trigger/pipeline with token, ref and variables: form
// fields variables[KEY]=value (body or query) or a JSON object, as
// client-go sends it. https://docs.gitlab.com/api/pipeline_triggers/#trigger-a-pipeline-with-a-token
func (s *Server) triggerPipeline(c *call) {
	if c.missing("token", "ref") {
		return
	}
	var tr *trigger
	for _, t := range s.triggers {
		if t.token == c.params.get("token") && t.project == c.project {
			tr = t
		}
	}
	if tr == nil {
		// Another project's token is not found either.
		c.message(http.StatusNotFound, "404 Not Found")
		return
	}
	given := map[string]string{}
	if m, ok := c.params.body["variables"].(map[string]any); ok {
		for k, v := range m {
			given[k] = anyString(v)
		}
	}
	collect := func(k string, v string) {
		if name, ok := strings.CutPrefix(k, "variables["); ok && strings.HasSuffix(name, "]") {
			given[strings.TrimSuffix(name, "]")] = v
		}
	}
	for k, v := range c.params.body {
		collect(k, anyString(v))
	}
	for k, vs := range c.params.query {
		if len(vs) > 0 {
			collect(k, vs[0])
		}
	}
	keys := make([]string, 0, len(given))
	for k := range given {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var vars []Variable
	for _, k := range keys {
		vars = append(vars, Variable{Key: k, Value: given[k], Type: "env_var"})
	}
	// TRIGGER_PAYLOAD is the request without the token
	// (Ci::PipelineTriggerService#payload_variable).
	payload, _ := json.Marshal(map[string]any{"ref": c.params.get("ref"), "id": c.args["id"], "variables": given})
	vars = append(vars, Variable{Key: "TRIGGER_PAYLOAD", Value: string(payload), Type: "file"})
	if pl := s.startPipeline(c, tr.owner, c.params.get("ref"), "trigger", vars, len(given) > 0); pl != nil {
		c.json(http.StatusCreated, s.pipelineDetailJSON(c.project, pl))
	}
}

func anyString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// GET /projects/:id/pipelines/:pipeline_id/variables
// https://docs.gitlab.com/api/pipelines/#get-variables-for-a-pipeline
func (s *Server) getPipelineVariables(c *call) {
	id, _ := strconv.Atoi(c.args["pipeline_id"])
	for _, pl := range c.project.pipelines {
		if pl.ID != id {
			continue
		}
		type variable struct {
			Type  string `json:"variable_type"`
			Key   string `json:"key"`
			Value string `json:"value"`
			Raw   bool   `json:"raw"`
		}
		out := []variable{}
		for _, v := range pl.Variables {
			out = append(out, variable{v.Type, v.Key, v.Value, false})
		}
		c.json(http.StatusOK, out)
		return
	}
	c.message(http.StatusNotFound, "404 Not found")
}
