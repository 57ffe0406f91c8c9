package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/app"
	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/gitlabsim"
	"github.com/pinwheel-dev/pinwheel/indexsim"
	"github.com/pinwheel-dev/pinwheel/internal/discard"
)

// TestDaemonEndToEnd runs `pinwheel daemon`'s wiring against the simulators:
// the run at start creates the dashboard, a maintainer's tick plus GitLab's
// issue webhook makes the next run open that MR at once, /metrics and
// /healthz answer, a forged webhook is refused, and a stop returns cleanly.
// The token never reaches the logs.
func TestDaemonEndToEnd(t *testing.T) {
	wednesday := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	gl := gitlabsim.New(gitlabsim.Options{Clock: func() time.Time { return wednesday }})
	defer gl.Close()
	idx := indexsim.New(indexsim.Options{Clock: func() time.Time { return wednesday }})
	defer idx.Close()
	_, token := gl.AddUser("pinwheel")
	proj := gl.CreateProject("group/app", "main")
	gl.Commit(proj, "main", "pins", map[string]string{"constraints.txt": "requests==2.31.0\nsix==1.16.0\n"})
	for _, r := range [][2]string{{"requests", "2.31.0"}, {"requests", "2.32.4"}, {"six", "1.16.0"}, {"six", "1.17.0"}} {
		idx.AddRelease(r[0], r[1], indexsim.File{Filename: r[0] + "-" + r[1] + "-py3-none-any.whl", UploadTime: wednesday.AddDate(0, 0, -30)})
	}

	cfgText := fmt.Sprintf(`
index: {url: %q}
state: %q
gitlab: {url: %q, token_env: TEST_GITLAB_TOKEN}
listen: "127.0.0.1:0"
webhook_secret_env: TEST_WEBHOOK_SECRET
projects:
  - path: group/app
`, idx.IndexURL(), filepath.Join(t.TempDir(), "state.db"), gl.URL())
	cfg, err := config.Parse("daemon.yaml", []byte(cfgText))
	if err != nil {
		t.Fatal(err)
	}
	const secret = "hook-secret-1234"
	env := map[string]string{"TEST_GITLAB_TOKEN": token, "TEST_WEBHOOK_SECRET": secret}

	var logs bytes.Buffer
	l := logrus.New()
	l.SetOutput(&logs)
	l.SetLevel(logrus.DebugLevel)

	addrs := make(chan net.Addr, 1)
	runs := make(chan error, 10)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runDaemon(ctx, cfg, logrus.NewEntry(l), daemonOpts{Now: wednesday, DaemonOptions: app.DaemonOptions{
			Getenv:        func(k string) string { return env[k] },
			Debounce:      time.Millisecond,
			GitLabOptions: []gitlab.ClientOptionFunc{gitlab.WithCustomBackoff(func(_, _ time.Duration, _ int, _ *http.Response) time.Duration { return 0 })},
			OnListen:      func(a net.Addr) { addrs <- a },
			AfterRun:      func(_ string, err error) { runs <- err },
		}})
	}()
	base := "http://" + (<-addrs).String()
	if err := waitRun(t, runs, done); err != nil {
		t.Fatalf("run at start: %v", err)
	}
	issues := gl.Issues(proj)
	if len(issues) != 1 || len(gl.MergeRequests(proj)) != 0 {
		t.Fatalf("after the first run: %d issues, %d MRs; want the dashboard and no MR on a Wednesday", len(issues), len(gl.MergeRequests(proj)))
	}
	if !strings.Contains(issues[0].Description, "<!-- manual job -->") {
		t.Error("with the webhook on, the dashboard lacks the run-again box")
	}

	// A maintainer ticks requests' box; GitLab sends the issue hook.
	marker := "<!-- unschedule-branch=pinwheel/requests-2.x -->"
	if err := gl.EditIssue(proj, issues[0].IID, func(is *gitlabsim.Issue) {
		is.Description = strings.Replace(is.Description, "[ ] "+marker, "[x] "+marker, 1)
	}); err != nil {
		t.Fatal(err)
	}
	hook := issueHook(t, proj, issues[0])
	if code := postHook(t, base, "wrong-secret", hook); code != http.StatusUnauthorized {
		t.Errorf("forged webhook: status %d, want 401", code)
	}
	if code := postHook(t, base, secret, hook); code/100 != 2 {
		t.Fatalf("webhook: status %d", code)
	}
	if err := waitRun(t, runs, done); err != nil {
		t.Fatalf("run after the webhook: %v", err)
	}
	mrs := gl.MergeRequests(proj)
	if len(mrs) != 1 || mrs[0].SourceBranch != "pinwheel/requests-2.x" {
		t.Fatalf("after the tick: MRs %+v, want one for pinwheel/requests-2.x", mrs)
	}

	for path, want := range map[string]string{"/healthz": "ok", "/metrics": "pinwheel_"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d %q, want 200 containing %q", path, resp.StatusCode, body, want)
		}
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("daemon stop: %v", err)
	}
	for _, s := range []string{token, secret} {
		if strings.Contains(logs.String(), s) {
			t.Errorf("a secret appears in the logs:\n%s", logs.String())
		}
	}
}

func waitRun(t *testing.T, runs <-chan error, done <-chan error) error {
	t.Helper()
	select {
	case err := <-runs:
		return err
	case err := <-done:
		t.Fatalf("daemon exited early: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("no run within 30s")
	}
	return nil
}

// issueHook is the Issue Hook body GitLab sends when someone edits the
// dashboard's description.
func issueHook(t *testing.T, p *gitlabsim.Project, is gitlabsim.Issue) []byte {
	t.Helper()
	body, err := json.Marshal(map[string]any{
		"object_kind": "issue", "event_type": "issue",
		"user":    map[string]any{"id": 1, "username": "root"},
		"project": map[string]any{"id": p.ID, "path_with_namespace": p.Path},
		"object_attributes": map[string]any{
			"id": is.ID, "iid": is.IID, "title": is.Title, "description": is.Description,
			"state": "opened", "action": "update",
		},
		"labels":  []map[string]any{{"title": "dependency-dashboard"}},
		"changes": map[string]any{"description": map[string]any{"previous": "", "current": is.Description}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

func postHook(t *testing.T, base, token string, body []byte) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/hooks/gitlab", bytes.NewReader(body))
	req.Header.Set("X-Gitlab-Event", "Issue Hook")
	req.Header.Set("X-Gitlab-Token", token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestDaemonSetupErrorsExit2(t *testing.T) {
	cfg, err := config.Parse("daemon.yaml", []byte(fmt.Sprintf(
		"state: %q\ngitlab: {url: https://gitlab.example.com, token_env: TEST_NO_TOKEN}\nlisten: \"\"\nprojects:\n  - path: group/app\n",
		filepath.Join(t.TempDir(), "state.db"))))
	if err != nil {
		t.Fatal(err)
	}
	err = runDaemon(context.Background(), cfg, discard.Logger(), daemonOpts{DaemonOptions: app.DaemonOptions{Getenv: func(string) string { return "" }}})
	if got := exitCode(err); got != 2 {
		t.Errorf("daemon without its token: exit %d (%v), want 2", got, err)
	}
}
