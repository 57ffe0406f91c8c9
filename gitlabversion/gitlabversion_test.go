package gitlabversion_test

import (
	"context"
	"errors"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/gitlabauth"
	"github.com/pinwheel-dev/pinwheel/gitlabsim"
	"github.com/pinwheel-dev/pinwheel/gitlabversion"
)

func TestParseAndAutoMergeParam(t *testing.T) {
	tests := []struct {
		raw, want, param string
	}{
		{"17.10.3-ee", "17.10.3", gitlabversion.ParamMergeWhenPipelineSucceeds},
		{"17.10.3", "17.10.3", gitlabversion.ParamMergeWhenPipelineSucceeds},
		{"17.11.0-ee", "17.11.0", gitlabversion.ParamAutoMerge}, // -ee is no pre-release
		{"17.11.0-ce", "17.11.0", gitlabversion.ParamAutoMerge},
		{"17.11.0-pre", "17.11.0-pre", gitlabversion.ParamMergeWhenPipelineSucceeds}, // a dev build before 17.11.0
		{"17.11.0-rc42-ee", "17.11.0-rc42", gitlabversion.ParamMergeWhenPipelineSucceeds},
		{"17.11.2-jh", "17.11.2", gitlabversion.ParamAutoMerge},
		{"18.0.0-rc1", "18.0.0-rc1", gitlabversion.ParamAutoMerge},
		{"18.6.1-ee", "18.6.1", gitlabversion.ParamAutoMerge},
		{"15.2-pre", "15.2.0-pre", gitlabversion.ParamMergeWhenPipelineSucceeds},
		{"8.13.0-pre", "8.13.0-pre", gitlabversion.ParamMergeWhenPipelineSucceeds},
	}
	for _, tt := range tests {
		v, err := gitlabversion.Parse(tt.raw)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.raw, err)
			continue
		}
		if v.String() != tt.want {
			t.Errorf("Parse(%q) = %s, want %s", tt.raw, v, tt.want)
		}
		if got := gitlabversion.AutoMergeParam(v); got != tt.param {
			t.Errorf("AutoMergeParam(%s) = %s, want %s", tt.raw, got, tt.param)
		}
	}
	for _, bad := range []string{"", "latest", "seventeen.11"} {
		if _, err := gitlabversion.Parse(bad); err == nil {
			t.Errorf("Parse(%q) succeeded", bad)
		}
	}
}

func TestInstanceAsksOnce(t *testing.T) {
	sim := gitlabsim.New(gitlabsim.Options{Version: "17.10.1-ee"})
	t.Cleanup(sim.Close)
	_, token := sim.AddUser("pinwheel")
	gl, err := gitlabauth.NewClient(sim.URL(), gitlabauth.Credentials{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	inst := gitlabversion.New(gl)
	ctx := context.Background()
	for range 3 {
		v, err := inst.Version(ctx)
		if err != nil || v.String() != "17.10.1" {
			t.Fatalf("Version = %v, %v", v, err)
		}
	}
	if n := sim.Stats().ByEndpoint["GET /version"]; n != 1 {
		t.Errorf("GET /version sent %d times, want 1", n)
	}

	// A failure is not remembered: the next call asks again.
	bad, err := gitlabauth.NewClient(sim.URL(), gitlabauth.Credentials{Token: "wrong"}, gitlab.WithoutRetries())
	if err != nil {
		t.Fatal(err)
	}
	inst = gitlabversion.New(bad)
	for range 2 {
		if _, err := inst.Version(ctx); err == nil {
			t.Fatal("Version with a bad token succeeded")
		} else if er := (*gitlab.ErrorResponse)(nil); !errors.As(err, &er) || !er.HasStatusCode(401) {
			t.Errorf("error %v does not wrap GitLab's 401", err)
		}
	}
	if n := sim.Stats().ByEndpoint["GET /version"]; n != 3 {
		t.Errorf("GET /version sent %d times in all, want 3 (1 + 2 failures)", n)
	}
}
