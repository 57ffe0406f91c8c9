package gitlabauth

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

func TestFromVar(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, env string
		set       bool
		want      string // token, or a piece of the error
	}{
		{name: "set", env: "glpat-x", set: true, want: "glpat-x"},
		{name: "unset", want: "GL_TOKEN is not set"},
		{name: "empty", set: true, want: "GL_TOKEN is empty"},
		{name: "blank", env: "  ", set: true, want: "GL_TOKEN is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lookup := func(k string) (string, bool) {
				if k == "GL_TOKEN" {
					return tt.env, tt.set
				}
				return "", false
			}
			c, err := FromVar(lookup, "GL_TOKEN")
			got := c.Token
			if err != nil {
				got = err.Error()
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFromLookupEnvSaysWhichIsEmpty(t *testing.T) {
	t.Parallel()
	lookup := func(k string) (string, bool) {
		if k == "GITLAB_TOKEN" {
			return "", true
		}
		return "", false
	}
	_, err := FromLookupEnv(lookup, "https://gitlab.com")
	if !errors.Is(err, ErrNoToken) || !strings.Contains(err.Error(), "GITLAB_TOKEN is empty") {
		t.Errorf("err = %v, want ErrNoToken saying GITLAB_TOKEN is empty", err)
	}
}

// A bad address is refused by NewClient with our message, and client-go's
// own warning (slog's default logger, stderr) is not printed beside it.
func TestNewClientRefusesBadURLs(t *testing.T) {
	var logged bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logged, nil)))
	defer slog.SetDefault(old)
	for _, u := range []string{"not-a-url", "gitlab.example.com", "ftp://h/", "https://", "http://[::1"} {
		if _, err := NewClient(u, Credentials{}); !errors.Is(err, ErrBadURL) {
			t.Errorf("NewClient(%q): err = %v, want ErrBadURL", u, err)
		}
	}
	if _, err := NewClient("https://gitlab.example.com/", Credentials{}); err != nil {
		t.Errorf("good URL: %v", err)
	}
	if logged.Len() > 0 {
		t.Errorf("library logged: %s", logged.String())
	}
}

// Every client sends pinwheel's User-Agent and does not retry a POST that
// got a 5xx, but does retry a GET.
func TestNewClientRules(t *testing.T) {
	t.Parallel()
	var agents []string
	count := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		agents = append(agents, r.UserAgent())
		count[r.Method]++
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadGateway)
		w.Write([]byte(`{"message":"502 Bad Gateway"}`))
	}))
	defer srv.Close()
	gl, err := NewClient(srv.URL, Credentials{Token: "t"}, gitlab.WithCustomRetryMax(2),
		gitlab.WithCustomBackoff(func(_, _ time.Duration, _ int, _ *http.Response) time.Duration { return 0 }))
	if err != nil {
		t.Fatal(err)
	}
	_, _, _ = gl.Issues.CreateIssue("g/p", &gitlab.CreateIssueOptions{Title: gitlab.Ptr("x")})
	_, _, _ = gl.Projects.GetProject("g/p", nil)
	if count["POST"] != 1 || count["GET"] != 3 {
		t.Errorf("requests %v, want 1 POST and 3 GETs", count)
	}
	for _, a := range agents {
		if !strings.HasPrefix(a, "pinwheel/") {
			t.Errorf("User-Agent %q", a)
		}
	}
}

func TestExplain(t *testing.T) {
	t.Parallel()
	c := Credentials{Token: "t", Source: "PINWHEEL_GITLAB_TOKEN"}
	unauthorized := &gitlab.ErrorResponse{StatusCode: 401, Message: "401 Unauthorized"}
	if got := Explain(unauthorized, c); !strings.Contains(got.Error(), "check the variable PINWHEEL_GITLAB_TOKEN") || !errors.Is(got, unauthorized) {
		t.Errorf("401: %v", got)
	}
	other := &gitlab.ErrorResponse{StatusCode: 500}
	if got := Explain(other, c); got != other {
		t.Errorf("500 changed: %v", got)
	}
	if got := ProjectNotFound(gitlab.ErrNotFound, "g/p"); !strings.Contains(got.Error(), "project g/p not found (or the token cannot see it)") {
		t.Errorf("404: %v", got)
	}
}
