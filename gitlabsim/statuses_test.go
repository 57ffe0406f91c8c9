package gitlabsim_test

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

func setStatus(f *fixture, sha, name string, state gitlab.BuildStateValue) (*gitlab.CommitStatus, error) {
	st, _, err := f.client.Commits.SetCommitStatus(f.proj.ID, sha, &gitlab.SetCommitStatusOptions{
		State: state, Name: gitlab.Ptr(name), TargetURL: gitlab.Ptr("https://ci.example/jobs/1"),
	})
	return st, err
}

// TestCommitStatusesFinishThePipeline: statuses posted to a branch head
// are jobs of its push pipeline; the pipeline follows them (running while
// one is unfinished, failed when one failed) and a success runs
// auto-merge.
func TestCommitStatusesFinishThePipeline(t *testing.T) {
	f := setup(t)
	mr := openMR(t, f, "pinwheel/a", map[string]string{"a": "a"})
	src, _ := f.sim.Branch(f.proj, "pinwheel/a")
	if _, _, err := f.client.MergeRequests.AcceptMergeRequest(f.proj.ID, mr.IID, &gitlab.AcceptMergeRequestOptions{AutoMerge: gitlab.Ptr(true)}); err != nil {
		t.Fatal(err)
	}
	pipeline := func() string {
		t.Helper()
		var status string
		for _, pl := range f.sim.Pipelines(f.proj) {
			if pl.SHA == src {
				status = pl.Status
			}
		}
		return status
	}
	steps := []struct {
		name   string
		state  gitlab.BuildStateValue
		want   string // pipeline status after
		merged bool
	}{
		{"test", gitlab.Running, "running", false},
		{"lint", gitlab.Success, "running", false},
		{"test", gitlab.Failed, "failed", false},
		{"test-retry", gitlab.Pending, "running", false},
		{"test-retry", gitlab.Success, "failed", false}, // "test" still failed
	}
	for _, s := range steps {
		st, err := setStatus(f, src, s.name, s.state)
		if err != nil {
			t.Fatalf("%s %s: %v", s.name, s.state, err)
		}
		if st.Status != string(s.state) || st.Name != s.name || st.SHA != src || st.Ref != "pinwheel/a" || st.PipelineID == 0 {
			t.Errorf("%s %s: status = %+v", s.name, s.state, st)
		}
		if got := pipeline(); got != s.want {
			t.Errorf("after %s %s: pipeline %s, want %s", s.name, s.state, got, s.want)
		}
	}
	if got, _ := f.sim.MergeRequest(f.proj, int(mr.IID)); got.State != "opened" || !got.AutoMerge {
		t.Fatalf("after a failed pipeline: %s, auto-merge %v; want opened and waiting", got.State, got.AutoMerge)
	}

	// A new pipeline on the same commit whose one job passes: merged.
	_, _, err := f.client.Commits.SetCommitStatus(f.proj.ID, src, &gitlab.SetCommitStatusOptions{
		State: gitlab.Success, Name: gitlab.Ptr("test"), Ref: gitlab.Ptr("elsewhere"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := f.sim.MergeRequest(f.proj, int(mr.IID)); got.State != "merged" {
		t.Fatalf("after a green pipeline: %s, want merged", got.State)
	}
}

func TestCommitStatusErrors(t *testing.T) {
	f := setup(t)
	head, _ := f.sim.Branch(f.proj, "main")
	if _, err := setStatus(f, head, "test", gitlab.Success); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, sha string
		state     gitlab.BuildStateValue
		status    int
		msg       string
	}{
		{"test", head, gitlab.Running, http.StatusBadRequest, "Cannot transition status via :run from :success"},
		{"test", head, "bogus", http.StatusBadRequest, "state does not have a valid value"},
		{"test", head, "", http.StatusBadRequest, "state is missing"},
	}
	for _, tt := range tests {
		_, err := setStatus(f, tt.sha, tt.name, tt.state)
		wantAPIError(t, err, tt.status, tt.msg)
	}
	// client-go reports every 404 as ErrNotFound: read the bodies raw.
	for _, tt := range []struct{ path, want string }{
		{"/statuses/0123456789012345678901234567890123456789?state=success", `{"message":"404 Commit Not Found"}`},
		{"/statuses/" + head + "?state=success&pipeline_id=999", `{"message":"404 Pipeline Not Found"}`},
	} {
		req, _ := http.NewRequest(http.MethodPost, f.sim.URL()+"/api/v4/projects/"+strconv.Itoa(int(f.proj.ID))+tt.path, nil)
		req.Header.Set("PRIVATE-TOKEN", f.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound || strings.TrimSpace(string(body)) != tt.want {
			t.Errorf("POST %s = %d %s, want 404 %s", tt.path, resp.StatusCode, body, tt.want)
		}
	}
}
