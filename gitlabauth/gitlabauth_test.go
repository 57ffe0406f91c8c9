package gitlabauth

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/internal/redact"
)

func TestFromEnv(t *testing.T) {
	t.Parallel()
	const gitlabCom = "https://gitlab.com"
	job := Credentials{Token: "j", Kind: JobToken, Source: "CI_JOB_TOKEN"}
	tests := []struct {
		name    string
		env     map[string]string
		base    string // gitlabCom when empty
		want    Credentials
		wantErr error
		wantMsg string
	}{
		{name: "pinwheel's own wins", env: map[string]string{"PINWHEEL_GITLAB_TOKEN": "p", "GITLAB_TOKEN": "g", "CI_JOB_TOKEN": "j"},
			want: Credentials{Token: "p", Kind: PersonalToken, Source: "PINWHEEL_GITLAB_TOKEN"}},
		{name: "GITLAB_TOKEN before the job token", env: map[string]string{"GITLAB_TOKEN": "g", "CI_JOB_TOKEN": "j"},
			want: Credentials{Token: "g", Kind: PersonalToken, Source: "GITLAB_TOKEN"}},
		{name: "job token last", env: map[string]string{"GITLAB_TOKEN": " ", "CI_JOB_TOKEN": "j", "CI_SERVER_URL": gitlabCom},
			want: job},
		{name: "job token for its own instance", env: map[string]string{"CI_JOB_TOKEN": "j", "CI_SERVER_URL": "https://GitLab.com"},
			want: job},
		{name: "default port written or not", env: map[string]string{"CI_JOB_TOKEN": "j", "CI_SERVER_URL": "https://gitlab.com:443"},
			want: job},
		{name: "default port in the base URL", env: map[string]string{"CI_JOB_TOKEN": "j", "CI_SERVER_URL": "https://gitlab.com/"},
			base: "https://gitlab.com:443/", want: job},
		{name: "an instance served over http, same origin", env: map[string]string{"CI_JOB_TOKEN": "j", "CI_SERVER_URL": "http://10.0.0.5:8080"},
			base: "http://10.0.0.5:8080", want: job},
		{name: "job token never sent to another instance", env: map[string]string{"CI_JOB_TOKEN": "j", "CI_SERVER_URL": "https://gitlab.example.com"},
			wantErr: ErrNoToken, wantMsg: "only sent to CI_SERVER_URL https://gitlab.example.com, not to https://gitlab.com"},
		{name: "job token not used without CI_SERVER_URL", env: map[string]string{"CI_JOB_TOKEN": "j"},
			wantErr: ErrNoToken, wantMsg: "CI_JOB_TOKEN is not used: CI_SERVER_URL, the instance that issued it, is not set"},
		{name: "job token never over plain http to an https instance", env: map[string]string{"CI_JOB_TOKEN": "j", "CI_SERVER_URL": gitlabCom},
			base: "http://gitlab.com", wantErr: ErrNoToken, wantMsg: "not to http://gitlab.com"},
		{name: "http instance, https base: another origin", env: map[string]string{"CI_JOB_TOKEN": "j", "CI_SERVER_URL": "http://gitlab.com"},
			wantErr: ErrNoToken, wantMsg: "CI_JOB_TOKEN is not used"},
		{name: "another port on the same host", env: map[string]string{"CI_JOB_TOKEN": "j", "CI_SERVER_URL": gitlabCom},
			base: "https://gitlab.com:8443", wantErr: ErrNoToken, wantMsg: "not to https://gitlab.com:8443"},
		{name: "user info is not an origin", env: map[string]string{"CI_JOB_TOKEN": "j", "CI_SERVER_URL": gitlabCom},
			base: "https://gitlab.com@evil.example", wantErr: ErrNoToken, wantMsg: "not to https://evil.example"},
		{name: "access tokens go where they are told", env: map[string]string{"GITLAB_TOKEN": "g", "CI_SERVER_URL": "https://gitlab.example.com"},
			want: Credentials{Token: "g", Kind: PersonalToken, Source: "GITLAB_TOKEN"}},
		{name: "none", env: map[string]string{}, wantErr: ErrNoToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := tt.base
			if base == "" {
				base = gitlabCom
			}
			got, err := FromEnv(func(k string) string { return tt.env[k] }, base)
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Errorf("got %+v, %v; want %+v, %v", got, err, tt.want, tt.wantErr)
			}
			if tt.wantMsg != "" && (err == nil || !strings.Contains(err.Error(), tt.wantMsg)) {
				t.Errorf("err = %v, want it to say %q", err, tt.wantMsg)
			}
			if strings.Contains(got.String(), got.Token) && got.Token != "" {
				t.Errorf("String() shows the token: %q", got.String())
			}
		})
	}
}

func TestNewClientPresentsTheTokenByKind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		creds      Credentials
		wantHeader string
	}{
		{Credentials{Token: "glpat-x", Source: "GITLAB_TOKEN"}, "PRIVATE-TOKEN"},
		{Credentials{Token: "glcbt-x", Kind: JobToken, Source: "CI_JOB_TOKEN"}, "JOB-TOKEN"},
		{Credentials{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.creds.String(), func(t *testing.T) {
			got := http.Header{}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = r.Header.Clone()
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"id": 1}`))
			}))
			defer srv.Close()
			gl, err := NewClient(srv.URL, tt.creds, gitlab.WithoutRetries())
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := gl.Projects.GetProject("g/p", nil); err != nil {
				t.Fatal(err)
			}
			for _, h := range []string{"PRIVATE-TOKEN", "JOB-TOKEN"} {
				want := ""
				if h == tt.wantHeader {
					want = tt.creds.Token
				}
				if got.Get(h) != want {
					t.Errorf("header %s = %q, want %q", h, got.Get(h), want)
				}
			}
		})
	}
}

func TestScrub(t *testing.T) {
	t.Parallel()
	c := Credentials{Token: "glpat-s3cret", Source: "GITLAB_TOKEN"}
	err := c.ScrubErr(errors.New("GET https://h/?private_token=glpat-s3cret: 401"))
	if strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "private_token="+redact.Mask+":") {
		t.Errorf("ScrubErr = %v", err)
	}
	plain := errors.New("no token here")
	if c.ScrubErr(plain) != plain {
		t.Errorf("ScrubErr rewrote an error without the token")
	}
}
