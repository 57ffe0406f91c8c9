package daemon_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/daemon"
)

const (
	secret   = "hook-s3cret-4f9a"
	botUser  = "pinwheel-bot"
	hookPath = "/hooks/gitlab"
)

var hookProjects = []string{"group/app", "group/svc", "1234"}

// hookHarness runs a loop over hookProjects, past its first runs, and an
// HTTP server in front of it.
func hookHarness(t *testing.T, webhookSecret string) (*harness, *httptest.Server) {
	t.Helper()
	h := newHarness(t, hookProjects, nil, nil)
	h.start(t)
	h.runner.waitStartedAll(t, hookProjects...)
	h.clock.waitTimers(t, tick1, len(hookProjects))
	srv := daemon.NewServer(daemon.ServerConfig{
		Loop:          h.loop,
		Metrics:       h.m,
		WebhookSecret: webhookSecret,
		MatchIssue: daemon.DashboardMatcher([]daemon.Dashboard{
			{Project: "group/app", Title: "Dependency Dashboard", Label: "dependency-dashboard"},
			{Project: "group/svc", Title: "Dependency Dashboard"},
			{Project: "1234", Title: "Deps", Label: ""},
		}, botUser),
		Log: h.log,
	})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return h, ts
}

// issueHook returns testdata/issue_hook.json after edit changed it.
func issueHook(t *testing.T, edit func(hook map[string]any)) []byte {
	t.Helper()
	raw, err := os.ReadFile("testdata/issue_hook.json")
	if err != nil {
		t.Fatal(err)
	}
	var hook map[string]any
	if err := json.Unmarshal(raw, &hook); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(hook)
	}
	out, err := json.Marshal(hook)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func attrs(hook map[string]any) map[string]any { return hook["object_attributes"].(map[string]any) }
func proj(hook map[string]any) map[string]any  { return hook["project"].(map[string]any) }

// unsized hides a body's length, so the request goes out chunked.
type unsized struct{ io.Reader }

func TestGitLabHook(t *testing.T) {
	huge := strings.Repeat("x", daemon.DefaultMaxBodyBytes)
	tests := []struct {
		name    string
		method  string // "" = POST
		event   string // "" = Issue Hook
		token   string // "-" = none
		body    []byte
		chunked bool
		want    int
		trigger string // the project that must run; "" = none
	}{
		{name: "dashboard edit", token: secret, body: issueHook(t, nil), want: 202, trigger: "group/app"},
		{name: "project path in another case", token: secret, body: issueHook(t, func(h map[string]any) {
			proj(h)["path_with_namespace"] = "Group/App"
		}), want: 202, trigger: "group/app"},
		{name: "matched by title without label", token: secret, body: issueHook(t, func(h map[string]any) {
			proj(h)["path_with_namespace"] = "group/svc"
			attrs(h)["labels"] = []any{}
		}), want: 202, trigger: "group/svc"},
		{name: "project configured by id", token: secret, body: issueHook(t, func(h map[string]any) {
			proj(h)["id"] = 1234
			proj(h)["path_with_namespace"] = "other/place"
			attrs(h)["title"] = "Deps"
		}), want: 202, trigger: "1234"},
		{name: "description of a 1 MB issue", token: secret, body: issueHook(t, func(h map[string]any) {
			attrs(h)["description"] = strings.Repeat("y", 1<<20)
		}), want: 202, trigger: "group/app"},
		{name: "confidential issue hook", event: "Confidential Issue Hook", token: secret, body: issueHook(t, nil), want: 202, trigger: "group/app"},

		{name: "wrong token", token: "hook-s3cret-4f9b", body: issueHook(t, nil), want: 401},
		{name: "token prefix", token: "hook-s3cret", body: issueHook(t, nil), want: 401},
		{name: "missing token", token: "-", body: issueHook(t, nil), want: 401},
		{name: "wrong token with bad JSON", token: "nope", body: []byte("{"), want: 401},

		{name: "not a dashboard", token: secret, body: issueHook(t, func(h map[string]any) {
			attrs(h)["title"] = "Login is broken"
			attrs(h)["labels"] = []any{map[string]any{"title": "bug"}}
		}), want: 200},
		{name: "unconfigured project", token: secret, body: issueHook(t, func(h map[string]any) {
			proj(h)["path_with_namespace"] = "group/other"
			proj(h)["id"] = 77
		}), want: 200},
		{name: "opened, not edited", token: secret, body: issueHook(t, func(h map[string]any) {
			attrs(h)["action"] = "open"
		}), want: 200},
		{name: "edit that touched only timestamps", token: secret, body: issueHook(t, func(h map[string]any) {
			delete(h["changes"].(map[string]any), "description")
		}), want: 200},
		{name: "test button payload without action", token: secret, body: issueHook(t, func(h map[string]any) {
			delete(attrs(h), "action")
		}), want: 200},
		{name: "pinwheel's own edit", token: secret, body: issueHook(t, func(h map[string]any) {
			h["user"].(map[string]any)["username"] = botUser
		}), want: 200},
		{name: "other event", event: "Push Hook", token: secret, body: []byte(`{"object_kind":"push"}`), want: 200},

		{name: "bad JSON", token: secret, body: []byte(`{"object_kind":"issue",`), want: 400},
		{name: "not an issue", token: secret, body: []byte(`{"object_kind":"note"}`), want: 400},
		{name: "oversized", token: secret, body: issueHook(t, func(h map[string]any) {
			attrs(h)["description"] = huge
		}), want: 413},
		{name: "oversized, chunked", token: secret, chunked: true, body: issueHook(t, func(h map[string]any) {
			attrs(h)["description"] = huge
		}), want: 413},
		{name: "GET", method: "GET", token: secret, want: 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, ts := hookHarness(t, secret)
			method, event := tt.method, tt.event
			if method == "" {
				method = "POST"
			}
			if event == "" {
				event = "Issue Hook"
			}
			var body io.Reader = bytes.NewReader(tt.body)
			if tt.chunked {
				body = unsized{body}
			}
			req, err := http.NewRequest(method, ts.URL+hookPath, body)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Gitlab-Event", event)
			req.Header.Set("X-Gitlab-Event-UUID", "13792a34-cac6-4fda-95a8-c58e00a3954e")
			if tt.token != "-" {
				req.Header.Set("X-Gitlab-Token", tt.token)
			}
			resp, err := ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.want)
			}

			// Trigger is synchronous, so Pending shows at once.
			for _, st := range h.loop.Status() {
				if st.Pending != (st.Project == tt.trigger) {
					t.Errorf("%s pending = %v", st.Project, st.Pending)
				}
			}
			if tt.trigger != "" {
				h.clock.waitTimers(t, start.Add(5*time.Second), 1)
				h.clock.Advance(5 * time.Second)
				if got := h.runner.waitStarted(t); got != tt.trigger {
					t.Errorf("ran %s, want %s", got, tt.trigger)
				}
			}
			for _, e := range h.logs.AllEntries() {
				line, _ := e.String()
				if strings.Contains(line, "s3cret") || strings.Contains(line, "nope") {
					t.Errorf("log leaks the token: %s", line)
				}
			}
		})
	}
}

func TestGitLabHookDisabledWithoutSecret(t *testing.T) {
	h, ts := hookHarness(t, "")
	for _, token := range []string{"", "anything"} {
		req, _ := http.NewRequest("POST", ts.URL+hookPath, bytes.NewReader(issueHook(t, nil)))
		req.Header.Set("X-Gitlab-Event", "Issue Hook")
		req.Header.Set("X-Gitlab-Token", token)
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("token %q: status = %d, want 404", token, resp.StatusCode)
		}
	}
	if st, _ := h.loop.ProjectStatus("group/app"); st.Pending {
		t.Error("disabled hook triggered a run")
	}
}

func TestGitLabHookWhileStopping(t *testing.T) {
	h, ts := hookHarness(t, secret)
	h.stop(t)
	req, _ := http.NewRequest("POST", ts.URL+hookPath, bytes.NewReader(issueHook(t, nil)))
	req.Header.Set("X-Gitlab-Event", "Issue Hook")
	req.Header.Set("X-Gitlab-Token", secret)
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("status = %d, want 503", resp.StatusCode)
	}
}

func TestDashboardMatcher(t *testing.T) {
	match := daemon.DashboardMatcher([]daemon.Dashboard{
		{Project: "group/app", Title: "Dependency Dashboard", Label: "dependency-dashboard"},
		{Project: "group/svc", Title: "Dependency Dashboard"},
	}, "pinwheel-bot")
	tests := []struct {
		name string
		ev   daemon.IssueEvent
		want string
	}{
		{"title", daemon.IssueEvent{ProjectPath: "group/app", Title: "Dependency Dashboard"}, "group/app"},
		{"label, renamed issue", daemon.IssueEvent{ProjectPath: "group/app", Title: "Deps", Labels: []string{"Dependency-Dashboard"}}, "group/app"},
		{"label of another project's dashboard", daemon.IssueEvent{ProjectPath: "group/svc", Title: "Deps", Labels: []string{"dependency-dashboard"}}, ""},
		{"title differs in case", daemon.IssueEvent{ProjectPath: "group/svc", Title: "dependency dashboard"}, ""},
		{"path case", daemon.IssueEvent{ProjectPath: "GROUP/SVC", Title: "Dependency Dashboard"}, "group/svc"},
		{"bot", daemon.IssueEvent{ProjectPath: "group/app", Title: "Dependency Dashboard", Username: "Pinwheel-Bot"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := match(tt.ev)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("match = %q, %v; want %q", got, ok, tt.want)
			}
		})
	}
}
