package daemon_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"sync"
	"testing"

	"github.com/pinwheel-dev/pinwheel/daemon"
)

// events records what the listener hands the bot; taking says whether it
// takes them.
type events struct {
	mu        sync.Mutex
	notes     []daemon.NoteEvent
	pipelines []daemon.PipelineEvent
	taking    bool
}

func (e *events) HandleNote(ev daemon.NoteEvent) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.notes = append(e.notes, ev)
	return e.taking
}

func (e *events) HandlePipeline(ev daemon.PipelineEvent) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.pipelines = append(e.pipelines, ev)
	return e.taking
}

func botServer(t *testing.T, bot daemon.BotHandler) *httptest.Server {
	t.Helper()
	loop, err := daemon.NewLoop(daemon.LoopConfig{NoProjects: true, Run: newRunner().Run})
	if err != nil {
		t.Fatal(err)
	}
	l, _ := quietLogger()
	ts := httptest.NewServer(daemon.NewServer(daemon.ServerConfig{Loop: loop, WebhookSecret: secret, Bot: bot, Log: l}).Handler())
	t.Cleanup(ts.Close)
	return ts
}

func post(t *testing.T, ts *httptest.Server, event, token string, body []byte) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, ts.URL+hookPath, bytes.NewReader(body))
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

func TestNoteAndPipelineHooks(t *testing.T) {
	note, err := os.ReadFile("testdata/note_hook.json")
	if err != nil {
		t.Fatal(err)
	}
	pipeline, _ := json.Marshal(map[string]any{
		"object_kind":       "pipeline",
		"object_attributes": map[string]any{"id": 31, "status": "success"},
		"project":           map[string]any{"id": 9, "path_with_namespace": "group/pipeline-definition"},
	})
	tests := []struct {
		name, event, token string
		body               []byte
		taking             bool
		want               int
		notes, pipelines   int
	}{
		{"note taken", "Note Hook", secret, note, true, 202, 1, 0},
		{"note not taken", "Note Hook", secret, note, false, 200, 1, 0},
		{"confidential note", "Confidential Note Hook", secret, note, true, 202, 1, 0},
		{"pipeline taken", "Pipeline Hook", secret, pipeline, true, 202, 0, 1},
		{"forged note", "Note Hook", "wrong", note, true, 401, 0, 0},
		{"unsigned pipeline", "Pipeline Hook", "", pipeline, true, 401, 0, 0},
		{"not a note", "Note Hook", secret, []byte(`{"object_kind":"issue"}`), true, 400, 0, 0},
		{"bad pipeline JSON", "Pipeline Hook", secret, []byte(`{`), true, 400, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bot := &events{taking: tt.taking}
			ts := botServer(t, bot)
			if got := post(t, ts, tt.event, tt.token, tt.body); got != tt.want {
				t.Errorf("status %d; want %d", got, tt.want)
			}
			if len(bot.notes) != tt.notes || len(bot.pipelines) != tt.pipelines {
				t.Fatalf("handed %d notes and %d pipelines; want %d and %d", len(bot.notes), len(bot.pipelines), tt.notes, tt.pipelines)
			}
		})
	}

	bot := &events{taking: true}
	ts := botServer(t, bot)
	post(t, ts, "Note Hook", secret, note)
	post(t, ts, "Pipeline Hook", secret, pipeline)
	wantNote := daemon.NoteEvent{
		ProjectID: 5, ProjectPath: "group/cki-lib", NoteID: 1244, NoteableType: "MergeRequest",
		MRIID: 1, Action: "create", Username: "dev", Note: "@pinwheel test [foo=bar]",
	}
	if !reflect.DeepEqual(bot.notes, []daemon.NoteEvent{wantNote}) {
		t.Errorf("note = %+v\nwant %+v", bot.notes, wantNote)
	}
	wantPipeline := daemon.PipelineEvent{ProjectID: 9, ProjectPath: "group/pipeline-definition", PipelineID: 31, Status: "success"}
	if !reflect.DeepEqual(bot.pipelines, []daemon.PipelineEvent{wantPipeline}) {
		t.Errorf("pipeline = %+v", bot.pipelines)
	}
}

// Without a bot, note events are ignored, not errors.
func TestNoteHookWithoutBot(t *testing.T) {
	note, _ := os.ReadFile("testdata/note_hook.json")
	ts := botServer(t, nil)
	if got := post(t, ts, "Note Hook", secret, note); got != 200 {
		t.Errorf("status %d; want 200", got)
	}
}

// A bot-only daemon's loop has no projects: it runs nothing and stops.
func TestLoopWithNoProjects(t *testing.T) {
	r := newRunner()
	loop, err := daemon.NewLoop(daemon.LoopConfig{NoProjects: true, Run: r.Run})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- loop.Run(ctx) }()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := len(loop.Status()); n != 0 {
		t.Errorf("%d projects in the status", n)
	}
}
