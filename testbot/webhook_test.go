package testbot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/pinwheel-dev/pinwheel/daemon"
	"github.com/pinwheel-dev/pinwheel/testbot"
)

const hookSecret = "hook-secret-5c1e"

// running is the bot's Run loop behind the daemon's webhook listener.
type running struct {
	f      *fixture
	b      *testbot.Bot
	srv    *httptest.Server
	worked chan struct{}
}

func startBot(t *testing.T, f *fixture) *running {
	t.Helper()
	r := &running{f: f, worked: make(chan struct{}, 100)}
	r.b = f.newBot(t, true, func() { r.worked <- struct{}{} })
	loop, err := daemon.NewLoop(daemon.LoopConfig{NoProjects: true, Run: func(context.Context, string) (daemon.Result, error) { return daemon.Result{}, nil }})
	if err != nil {
		t.Fatal(err)
	}
	l := logrus.New()
	l.SetOutput(f.logs)
	srv := daemon.NewServer(daemon.ServerConfig{Loop: loop, WebhookSecret: hookSecret, Bot: r.b, Metrics: f.metrics, Log: l})
	r.srv = httptest.NewServer(srv.Handler())
	t.Cleanup(r.srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	r.wait(t) // the start-up poll
	return r
}

// wait blocks until the loop finished one piece of work. The real-time
// limit only guards against a hung test.
func (r *running) wait(t *testing.T) {
	t.Helper()
	select {
	case <-r.worked:
	case <-time.After(10 * time.Second):
		t.Fatal("the bot did no work")
	}
}

func (r *running) deliver(t *testing.T, event, token string, body []byte) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL+"/hooks/gitlab", bytes.NewReader(body))
	req.Header.Set("X-Gitlab-Event", event)
	if token != "" {
		req.Header.Set("X-Gitlab-Token", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// The whole path: a Note Hook queues the command, the loop triggers the
// pipeline with the API's commit (not the hook's), and the result reaches
// the reply by polling on the clock or at once by a Pipeline Hook.
func TestWebhookToResult(t *testing.T) {
	f := newFixture(t)
	r := startBot(t, f)
	id, _ := f.sim.PostMRNote(f.lib, 1, f.dev, "@pinwheel test [k=v]")
	body, err := f.sim.MRNoteHook(f.lib, 1, id)
	if err != nil {
		t.Fatal(err)
	}

	// A forged delivery changes nothing.
	for _, token := range []string{"", "wrong"} {
		if code := r.deliver(t, "Note Hook", token, body); code != http.StatusUnauthorized {
			t.Errorf("token %q: %d; want 401", token, code)
		}
	}
	if n := len(f.pipelines()); n != 0 {
		t.Fatalf("a forged hook triggered %d pipelines", n)
	}

	// The hook's commit is not what is tested.
	var hook map[string]any
	_ = json.Unmarshal(body, &hook)
	hook["merge_request"].(map[string]any)["last_commit"] = map[string]any{"id": strings.Repeat("f", 40)}
	body, _ = json.Marshal(hook)
	if code := r.deliver(t, "Note Hook", hookSecret, body); code != http.StatusAccepted {
		t.Fatalf("note hook: %d; want 202", code)
	}
	r.wait(t)
	pls := f.pipelines()
	if len(pls) != 1 {
		t.Fatalf("%d pipelines; want 1", len(pls))
	}
	if got := f.vars(pls[0].ID)["cki_lib_pip_url"]; !strings.HasSuffix(got, "@"+f.mrSHA) {
		t.Errorf("pip url %q; want the API's commit %s", got, f.mrSHA)
	}

	// Polling on the clock.
	f.sim.SetPipelineStatusByID(f.pipe, pls[0].ID, "running")
	f.clock.Advance(poll)
	r.wait(t)
	if n := f.botNotes(); len(n) != 1 || !strings.Contains(n[0].Body, "is running") {
		t.Fatalf("after a poll: %+v", n)
	}

	// A Pipeline Hook updates at once, without the clock.
	f.sim.SetPipelineStatusByID(f.pipe, pls[0].ID, "success")
	ph, err := f.sim.PipelineHook(f.pipe, pls[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if code := r.deliver(t, "Pipeline Hook", hookSecret, ph); code != http.StatusAccepted {
		t.Fatalf("pipeline hook: %d; want 202", code)
	}
	r.wait(t)
	notes := f.botNotes()
	if len(notes) != 1 || !strings.Contains(notes[0].Body, "**passed**") {
		t.Fatalf("after the pipeline hook: %+v", notes)
	}
	if got := counter(t, f.metrics, "pinwheel_bot_triggers_total", "success"); got != 1 {
		t.Errorf("triggers{success} = %v", got)
	}
}
