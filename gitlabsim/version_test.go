package gitlabsim_test

import (
	"slices"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/gitlabsim"
)

func TestVersionEndpoint(t *testing.T) {
	f := setup(t)
	v, _, err := f.client.Version.GetVersion()
	if err != nil || v.Version != gitlabsim.DefaultVersion || v.Revision == "" {
		t.Fatalf("GET /version = %+v, %v", v, err)
	}
	f.sim.SetVersion("17.10.3-ee")
	if v, _, err := f.client.Version.GetVersion(); err != nil || v.Version != "17.10.3-ee" {
		t.Errorf("after SetVersion: %+v, %v", v, err)
	}
	anon := newClient(t, f.sim, "")
	if _, resp, err := anon.Version.GetVersion(); err == nil || resp.StatusCode != 401 {
		t.Errorf("GET /version without a token: %v, want 401", err)
	}
}

// Before 17.11 the merge endpoint has no auto_merge parameter: sent alone
// it is ignored and the request merges at once, running pipeline or not.
// merge_when_pipeline_succeeds works on every version.
func TestAutoMergeParameterByVersion(t *testing.T) {
	tests := []struct {
		version, param string
		waits          bool // auto-merge set, not merged
	}{
		{"17.10.3-ee", "auto_merge", false},
		{"17.10.3-ee", "merge_when_pipeline_succeeds", true},
		{"17.11.0-ee", "auto_merge", true},
		{"18.2.1", "auto_merge", true},
		{"18.2.1", "merge_when_pipeline_succeeds", true},
	}
	for _, tt := range tests {
		t.Run(tt.version+" "+tt.param, func(t *testing.T) {
			f := setup(t)
			f.sim.SetVersion(tt.version)
			mr := openMR(t, f, "pinwheel/a", map[string]string{"a": "a"})
			src, _ := f.sim.Branch(f.proj, "pinwheel/a")
			if _, err := setStatus(f, src, "test", gitlab.Running); err != nil {
				t.Fatal(err)
			}
			opts := &gitlab.AcceptMergeRequestOptions{}
			if tt.param == "auto_merge" {
				opts.AutoMerge = gitlab.Ptr(true)
			} else {
				opts.MergeWhenPipelineSucceeds = gitlab.Ptr(true)
			}
			if _, _, err := f.client.MergeRequests.AcceptMergeRequest(f.proj.ID, mr.IID, opts); err != nil {
				t.Fatal(err)
			}
			got, _ := f.sim.MergeRequest(f.proj, int(mr.IID))
			if waits := got.AutoMerge && got.State == "opened"; waits != tt.waits {
				t.Errorf("state %s, auto-merge %v; want waiting %v", got.State, got.AutoMerge, tt.waits)
			}
			if !slices.Equal(got.AutoMergeParams, []string{tt.param}) {
				t.Errorf("recorded params %v, want [%s]", got.AutoMergeParams, tt.param)
			}
		})
	}
}
