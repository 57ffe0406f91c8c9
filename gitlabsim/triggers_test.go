package gitlabsim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/gitlabsim"
)

func TestTriggerPipelineJSON(t *testing.T) {
	f := setup(t)
	f.sim.AddMember(f.proj, f.user, gitlabsim.DeveloperAccess)
	token := f.sim.AddPipelineTrigger(f.proj, f.user)
	// client-go sends JSON and its own PRIVATE-TOKEN; the trigger token
	// is what counts.
	pl, _, err := f.client.PipelineTriggers.RunPipelineTrigger(f.proj.ID, &gitlab.RunPipelineTriggerOptions{
		Ref: gitlab.Ptr("main"), Token: gitlab.Ptr(token), Variables: map[string]string{"B": "2", "A": "1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if pl.Source != "trigger" || pl.Ref != "main" || pl.Status != "pending" {
		t.Errorf("pipeline = %+v", pl)
	}
	vars, _, err := f.client.Pipelines.GetPipelineVariables(f.proj.ID, pl.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(vars) != 3 || vars[0].Key != "A" || vars[1].Key != "B" || vars[1].Value != "2" || vars[2].Key != "TRIGGER_PAYLOAD" || vars[2].VariableType != "file" {
		t.Fatalf("variables = %+v", vars)
	}
	if strings.Contains(vars[2].Value, token) || !strings.Contains(vars[2].Value, `"A":"1"`) {
		t.Errorf("TRIGGER_PAYLOAD = %s; want the request without the token", vars[2].Value)
	}
}

// postForm sends a trigger request as curl would, without any user token.
func postForm(t *testing.T, sim *gitlabsim.Server, project int, form url.Values) (int, string) {
	t.Helper()
	resp, err := http.PostForm(sim.URL()+"/api/v4/projects/"+itoa64(int64(project))+"/trigger/pipeline", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

func TestTriggerPipelineForm(t *testing.T) {
	f := setup(t)
	f.sim.AddMember(f.proj, f.user, gitlabsim.MaintainerAccess)
	token := f.sim.AddPipelineTrigger(f.proj, f.user)
	other := f.sim.CreateProject("pinwheel/other", "main")
	f.sim.Commit(other, "main", "init", map[string]string{"a": "b"})
	otherToken := f.sim.AddPipelineTrigger(other, f.user)

	tests := []struct {
		name       string
		form       url.Values
		status     int
		body, vars string
	}{
		{"form variables", url.Values{"token": {token}, "ref": {"main"}, "variables[cki_lib_pip_url]": {"git+https://x@abc"}}, 201, `"source":"trigger"`, "cki_lib_pip_url=git+https://x@abc"},
		{"no token", url.Values{"ref": {"main"}}, 400, `{"error":"token is missing"}`, ""},
		{"wrong token", url.Values{"token": {"glptt-nope"}, "ref": {"main"}}, 404, `{"message":"404 Not Found"}`, ""},
		{"another project's token", url.Values{"token": {otherToken}, "ref": {"main"}}, 404, `{"message":"404 Not Found"}`, ""},
		{"unknown ref", url.Values{"token": {token}, "ref": {"nope"}}, 400, `{"message":{"base":["Reference not found"]}}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(f.sim.Pipelines(f.proj))
			status, body := postForm(t, f.sim, f.proj.ID, tt.form)
			if status != tt.status || !strings.Contains(body, tt.body) {
				t.Fatalf("got %d %s; want %d %s", status, body, tt.status, tt.body)
			}
			pls := f.sim.Pipelines(f.proj)
			if tt.vars == "" {
				if len(pls) != before {
					t.Errorf("a refused trigger created a pipeline")
				}
				return
			}
			var got struct{ ID int }
			_ = json.Unmarshal([]byte(body), &got)
			vars := f.sim.PipelineVariables(f.proj, got.ID)
			if k, v, _ := strings.Cut(tt.vars, "="); len(vars) != 2 || vars[0].Key != k || vars[0].Value != v {
				t.Errorf("variables = %+v; want %s and TRIGGER_PAYLOAD", vars, tt.vars)
			}
		})
	}
}

func TestCreatePipelinePermissions(t *testing.T) {
	f := setup(t)
	vars := &[]*gitlab.PipelineVariableOptions{{Key: gitlab.Ptr("X"), Value: gitlab.Ptr("1"), VariableType: gitlab.Ptr(gitlab.EnvVariableType)}}
	create := func(v *[]*gitlab.PipelineVariableOptions, ref string) (*gitlab.Pipeline, error) {
		pl, _, err := f.client.Pipelines.CreatePipeline(f.proj.ID, &gitlab.CreatePipelineOptions{Ref: gitlab.Ptr(ref), Variables: v})
		return pl, err
	}
	tests := []struct {
		name  string
		level int
		role  string
		vars  *[]*gitlab.PipelineVariableOptions
		ref   string
		msg   string
	}{
		{"reporter", gitlabsim.ReporterAccess, "", nil, "main", "Insufficient permissions to create a new pipeline"},
		{"developer sets variables", gitlabsim.DeveloperAccess, "", vars, "main", ""},
		{"variables need maintainer", gitlabsim.DeveloperAccess, "maintainer", vars, "main", "Insufficient permissions to set pipeline variables"},
		{"no one may set variables", gitlabsim.OwnerAccess, "no_one_allowed", vars, "main", "Insufficient permissions to set pipeline variables"},
		{"no variables under no_one_allowed", gitlabsim.DeveloperAccess, "no_one_allowed", nil, "main", ""},
		{"unknown ref", gitlabsim.DeveloperAccess, "", nil, "nope", "Reference not found"},
		{"duplicate variable", gitlabsim.DeveloperAccess, "", &[]*gitlab.PipelineVariableOptions{(*vars)[0], (*vars)[0]}, "main", "Duplicate variable name: X"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.sim.AddMember(f.proj, f.user, tt.level)
			f.sim.UpdateProject(f.proj, func(p *gitlabsim.Project) { p.PipelineVariablesMinimumOverrideRole = tt.role })
			pl, err := create(tt.vars, tt.ref)
			if tt.msg != "" {
				wantAPIError(t, err, http.StatusBadRequest, tt.msg)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if pl.Source != "api" {
				t.Errorf("source = %q", pl.Source)
			}
			got := f.sim.PipelineVariables(f.proj, int(pl.ID))
			if tt.vars != nil && (len(got) != 1 || got[0] != (gitlabsim.Variable{Key: "X", Value: "1", Type: "env_var"})) {
				t.Errorf("variables = %+v", got)
			}
		})
	}
}

func TestInheritedMember(t *testing.T) {
	f := setup(t)
	dev, _ := f.sim.AddUser("dev")
	f.sim.AddMember(f.proj, dev, gitlabsim.DeveloperAccess)
	m, _, err := f.client.ProjectMembers.GetInheritedProjectMember(f.proj.ID, int64(dev.ID))
	if err != nil {
		t.Fatal(err)
	}
	if m.AccessLevel != gitlab.DeveloperPermissions || m.Username != "dev" {
		t.Errorf("member = %+v", m)
	}
	_, _, err = f.client.ProjectMembers.GetInheritedProjectMember(f.proj.ID, int64(f.user.ID))
	if !gitlab.HasStatusCode(err, http.StatusNotFound) {
		t.Errorf("a non-member: %v; want 404", err)
	}
}

func TestEditMRNote(t *testing.T) {
	f := setup(t)
	f.sim.Commit(f.proj, "feature", "change", map[string]string{"a": "1"})
	other, otherToken := f.sim.AddUser("other")
	iid, err := f.sim.OpenMR(f.proj, f.proj, "feature", "main", "Feature", other)
	if err != nil {
		t.Fatal(err)
	}
	n, _, err := f.client.Notes.CreateMergeRequestNote(f.proj.ID, int64(iid), &gitlab.CreateMergeRequestNoteOptions{Body: gitlab.Ptr("first")})
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := f.client.Notes.UpdateMergeRequestNote(f.proj.ID, int64(iid), n.ID, &gitlab.UpdateMergeRequestNoteOptions{Body: gitlab.Ptr("second")})
	if err != nil || got.Body != "second" {
		t.Fatalf("edit: %+v %v", got, err)
	}
	if read, _, err := f.client.Notes.GetMergeRequestNote(f.proj.ID, int64(iid), n.ID); err != nil || read.Body != "second" || read.Author.Username != "bot" {
		t.Errorf("read back: %+v %v", read, err)
	}
	_, _, err = newClient(t, f.sim, otherToken).Notes.UpdateMergeRequestNote(f.proj.ID, int64(iid), n.ID, &gitlab.UpdateMergeRequestNoteOptions{Body: gitlab.Ptr("mine")})
	wantAPIError(t, err, http.StatusForbidden, "403 Forbidden")
	_, _, err = f.client.Notes.UpdateMergeRequestNote(f.proj.ID, int64(iid), n.ID, &gitlab.UpdateMergeRequestNoteOptions{Body: gitlab.Ptr("")})
	wantAPIError(t, err, http.StatusBadRequest, "body is empty")
	_, _, err = f.client.Notes.UpdateMergeRequestNote(f.proj.ID, int64(iid), 9999, &gitlab.UpdateMergeRequestNoteOptions{Body: gitlab.Ptr("x")})
	if !gitlab.HasStatusCode(err, http.StatusNotFound) {
		t.Errorf("unknown note: %v", err)
	}
	if notes := f.sim.MRNotes(f.proj, iid); len(notes) != 1 || notes[0].Body != "second" {
		t.Errorf("notes = %+v", notes)
	}
}

func TestForkMR(t *testing.T) {
	f := setup(t)
	dev, _ := f.sim.AddUser("dev")
	fork := f.sim.ForkProject(f.proj, "dev/app")
	sha := f.sim.Commit(fork, "fix", "Fix in the fork", map[string]string{"a": "1"})
	iid, err := f.sim.OpenMR(f.proj, fork, "fix", "main", "Fix", dev)
	if err != nil {
		t.Fatal(err)
	}
	mr, _, err := f.client.MergeRequests.GetMergeRequest(f.proj.ID, int64(iid), nil)
	if err != nil {
		t.Fatal(err)
	}
	if mr.SourceProjectID != int64(fork.ID) || mr.TargetProjectID != int64(f.proj.ID) || mr.SHA != sha {
		t.Errorf("MR source %d target %d sha %s; want %d %d %s", mr.SourceProjectID, mr.TargetProjectID, mr.SHA, fork.ID, f.proj.ID, sha)
	}
	// A push to the fork moves the MR's head.
	sha2 := f.sim.Commit(fork, "fix", "More", map[string]string{"a": "2"})
	if mr, _, _ := f.client.MergeRequests.GetMergeRequest(f.proj.ID, int64(iid), nil); mr.SHA != sha2 {
		t.Errorf("after a push to the fork, sha = %s; want %s", mr.SHA, sha2)
	}
	p, _, err := f.client.Projects.GetProject(fork.ID, nil)
	if err != nil || p.HTTPURLToRepo != f.sim.URL()+"/dev/app.git" {
		t.Errorf("fork http_url_to_repo = %q, %v", p.HTTPURLToRepo, err)
	}
	// The fork's branch is not on any branch of the target.
	refs, _, err := f.client.Commits.GetCommitRefs(f.proj.ID, sha2, &gitlab.GetCommitRefsOptions{Type: gitlab.Ptr("branch")})
	if err != nil || len(refs) != 0 {
		t.Errorf("refs of the fork's commit in the target = %+v, %v", refs, err)
	}
}

func TestCommitRefs(t *testing.T) {
	f := setup(t)
	main, _ := f.sim.Branch(f.proj, "main")
	f.sim.Commit(f.proj, "feature", "change", map[string]string{"a": "1"})
	refs, _, err := f.client.Commits.GetCommitRefs(f.proj.ID, main, &gitlab.GetCommitRefsOptions{Type: gitlab.Ptr("branch")})
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) != 2 || refs[0].Name != "feature" || refs[1].Name != "main" || refs[0].Type != "branch" {
		t.Errorf("refs = %+v; want feature and main", refs)
	}
	_, _, err = f.client.Commits.GetCommitRefs(f.proj.ID, strings.Repeat("0", 40), nil)
	if !gitlab.HasStatusCode(err, http.StatusNotFound) {
		t.Errorf("unknown commit: %v", err)
	}
}

func TestNoteHookBody(t *testing.T) {
	f := setup(t)
	dev, _ := f.sim.AddUser("dev")
	sha := f.sim.Commit(f.proj, "feature", "change", map[string]string{"a": "1"})
	iid, _ := f.sim.OpenMR(f.proj, f.proj, "feature", "main", "Feature", dev)
	id, _ := f.sim.PostMRNote(f.proj, iid, dev, "@bot test")
	body, err := f.sim.MRNoteHook(f.proj, iid, id)
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		ObjectKind string `json:"object_kind"`
		User       struct{ Username string }
		Attrs      struct {
			ID           int
			Note         string
			NoteableType string `json:"noteable_type"`
			System       bool
		} `json:"object_attributes"`
		MR struct {
			IID        int
			LastCommit struct{ ID string } `json:"last_commit"`
		} `json:"merge_request"`
	}
	if err := json.Unmarshal(body, &h); err != nil {
		t.Fatal(err)
	}
	if h.ObjectKind != "note" || h.User.Username != "dev" || h.Attrs.ID != id || h.Attrs.Note != "@bot test" ||
		h.Attrs.NoteableType != "MergeRequest" || h.MR.IID != iid || h.MR.LastCommit.ID != sha {
		t.Errorf("hook = %+v", h)
	}
}
