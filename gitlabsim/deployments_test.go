package gitlabsim_test

import (
	"net/http"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

func deploy(t *testing.T, f *fixture, env, sha string, status gitlab.DeploymentStatusValue) *gitlab.Deployment {
	t.Helper()
	d, resp, err := f.client.Deployments.CreateProjectDeployment(f.proj.ID, &gitlab.CreateProjectDeploymentOptions{
		Environment: gitlab.Ptr(env), Ref: gitlab.Ptr("main"), SHA: gitlab.Ptr(sha), Tag: gitlab.Ptr(false), Status: gitlab.Ptr(status),
	})
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("status = %d", resp.StatusCode)
	}
	return d
}

func TestDeploymentsAndEnvironments(t *testing.T) {
	f := setup(t)
	v1, _ := f.sim.Branch(f.proj, "main")
	v2 := f.sim.Commit(f.proj, "main", "v2", map[string]string{"constraints.txt": "requests==2.32.4\n"})

	first := deploy(t, f, "production", v1, gitlab.DeploymentStatusSuccess)
	if first.Environment == nil || first.Environment.Name != "production" || first.Environment.Tier != "production" || first.SHA != v1 || first.IID != 1 {
		t.Fatalf("deployment = %+v env %+v", first, first.Environment)
	}
	second := deploy(t, f, "production", v2, gitlab.DeploymentStatusRunning)
	upd, _, err := f.client.Deployments.UpdateProjectDeployment(f.proj.ID, second.ID, &gitlab.UpdateProjectDeploymentOptions{Status: gitlab.Ptr(gitlab.DeploymentStatusFailed)})
	if err != nil || upd.Status != "failed" {
		t.Fatalf("update = %+v, %v", upd, err)
	}
	deploy(t, f, "staging", v2, gitlab.DeploymentStatusSuccess)

	list, resp, err := f.client.Deployments.ListProjectDeployments(f.proj.ID, &gitlab.ListProjectDeploymentsOptions{
		Environment: gitlab.Ptr("production"), OrderBy: gitlab.Ptr("id"), Sort: gitlab.Ptr("desc"),
	})
	if err != nil || len(list) != 2 || list[0].ID != second.ID || resp.TotalItems != 2 {
		t.Fatalf("list = %v, %v", list, err)
	}
	ok, _, err := f.client.Deployments.ListProjectDeployments(f.proj.ID, &gitlab.ListProjectDeploymentsOptions{
		Environment: gitlab.Ptr("production"), Status: gitlab.Ptr("success"),
	})
	if err != nil || len(ok) != 1 || ok[0].SHA != v1 {
		t.Fatalf("successful deployments = %v, %v", ok, err)
	}

	envs, _, err := f.client.Environments.ListEnvironments(f.proj.ID, &gitlab.ListEnvironmentsOptions{Name: gitlab.Ptr("production")})
	if err != nil || len(envs) != 1 {
		t.Fatalf("environments = %v, %v", envs, err)
	}
	env, _, err := f.client.Environments.GetEnvironment(f.proj.ID, envs[0].ID)
	if err != nil || env.LastDeployment == nil || env.LastDeployment.SHA != v1 {
		t.Fatalf("last_deployment = %+v, %v (want the last successful one)", env.LastDeployment, err)
	}
}

func TestCreateDeploymentErrors(t *testing.T) {
	f := setup(t)
	_, _, err := f.client.Deployments.CreateProjectDeployment(f.proj.ID, &gitlab.CreateProjectDeploymentOptions{
		Environment: gitlab.Ptr("production"), Ref: gitlab.Ptr("main"), Tag: gitlab.Ptr(false), Status: gitlab.Ptr(gitlab.DeploymentStatusSuccess),
	})
	wantAPIError(t, err, http.StatusBadRequest, "{error: sha is missing}")
	_, _, err = f.client.Deployments.CreateProjectDeployment(f.proj.ID, &gitlab.CreateProjectDeploymentOptions{
		Environment: gitlab.Ptr("production"), Ref: gitlab.Ptr("main"), SHA: gitlab.Ptr("abc"), Tag: gitlab.Ptr(false), Status: gitlab.Ptr(gitlab.DeploymentStatusValue("done")),
	})
	wantAPIError(t, err, http.StatusBadRequest, "status does not have a valid value")
}

func TestPipelines(t *testing.T) {
	f := setup(t)
	first, _ := f.sim.Branch(f.proj, "main")
	second := f.sim.Commit(f.proj, "main", "two", map[string]string{"x": "x"})
	f.sim.SetPipelineStatus(f.proj, first, "success")

	list, _, err := f.client.Pipelines.ListProjectPipelines(f.proj.ID, &gitlab.ListProjectPipelinesOptions{Ref: gitlab.Ptr("main")})
	if err != nil || len(list) != 2 || list[0].SHA != second || list[0].Status != "pending" || list[1].Status != "success" {
		t.Fatalf("pipelines = %+v, %v", list, err)
	}
	ok, _, err := f.client.Pipelines.ListProjectPipelines(f.proj.ID, &gitlab.ListProjectPipelinesOptions{Status: gitlab.Ptr(gitlab.Success)})
	if err != nil || len(ok) != 1 || ok[0].SHA != first {
		t.Fatalf("successful pipelines = %+v, %v", ok, err)
	}
	p, _, err := f.client.Pipelines.GetPipeline(f.proj.ID, list[1].ID)
	if err != nil || p.Status != "success" || p.SHA != first || p.FinishedAt == nil {
		t.Fatalf("pipeline = %+v, %v", p, err)
	}
	c, _, err := f.client.Commits.GetCommit(f.proj.ID, first, nil)
	if err != nil || c.LastPipeline == nil || c.LastPipeline.Status != "success" {
		t.Fatalf("commit last_pipeline = %+v, %v", c.LastPipeline, err)
	}
}

func TestListEnvironmentsErrors(t *testing.T) {
	f := setup(t)
	_, _, err := f.client.Environments.ListEnvironments(f.proj.ID, &gitlab.ListEnvironmentsOptions{Name: gitlab.Ptr("production"), Search: gitlab.Ptr("prod")})
	wantAPIError(t, err, http.StatusBadRequest, "{error: name, search are mutually exclusive}")
	_, _, err = f.client.Environments.ListEnvironments(f.proj.ID, &gitlab.ListEnvironmentsOptions{Search: gitlab.Ptr("pr")})
	wantAPIError(t, err, http.StatusBadRequest, "Search query is less than 3 characters")
}

func TestListPipelinesUpdatedAfter(t *testing.T) {
	f := setup(t)
	first, _ := f.sim.Branch(f.proj, "main")
	f.sim.Commit(f.proj, "main", "two", map[string]string{"x": "x"})
	// client-go sends whole seconds; the fake clock ticks a second per stamp.
	cut := f.clock.t.Add(time.Second)
	f.sim.SetPipelineStatus(f.proj, first, "success")
	list, _, err := f.client.Pipelines.ListProjectPipelines(f.proj.ID, &gitlab.ListProjectPipelinesOptions{UpdatedAfter: gitlab.Ptr(cut)})
	if err != nil || len(list) != 1 || list[0].SHA != first {
		t.Fatalf("pipelines updated after %v = %+v, %v", cut, list, err)
	}
}
