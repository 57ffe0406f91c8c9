package daemon_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/pinwheel-dev/pinwheel/daemon"
)

// commandNotes records the notes handed on as possible commands; project
// is the project it names ("" for none).
type commandNotes struct {
	mu      sync.Mutex
	notes   []daemon.NoteEvent
	project string
}

func (c *commandNotes) HandleNote(ev daemon.NoteEvent) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.notes = append(c.notes, ev)
	return c.project, c.project != ""
}

func TestNoteRoutedToCommands(t *testing.T) {
	body, _ := json.Marshal(map[string]any{
		"object_kind": "note", "user": map[string]any{"username": "dev"},
		"project":           map[string]any{"id": 7, "path_with_namespace": "g/a"},
		"object_attributes": map[string]any{"id": 9, "note": "@pinwheel rebase", "noteable_type": "MergeRequest", "action": "create"},
		"merge_request":     map[string]any{"iid": 3},
	})
	for _, tc := range []struct {
		name      string
		botTakes  bool
		project   string
		want      int
		wantAsked int
		wantRun   bool
	}{
		{"the bot takes it too", true, "g/a", http.StatusAccepted, 1, true},
		{"the bot takes it, no command", true, "", http.StatusAccepted, 1, false},
		{"a command of a configured project", false, "g/a", http.StatusAccepted, 1, true},
		{"not a command for a project", false, "", http.StatusOK, 1, false},
		{"a project the loop does not run", false, "g/other", http.StatusOK, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loop, err := daemon.NewLoop(daemon.LoopConfig{Projects: []string{"g/a"}, Run: newRunner().Run})
			if err != nil {
				t.Fatal(err)
			}
			l, _ := quietLogger()
			cmds := &commandNotes{project: tc.project}
			ts := httptest.NewServer(daemon.NewServer(daemon.ServerConfig{
				Loop: loop, WebhookSecret: secret, Bot: &events{taking: tc.botTakes}, Commands: cmds, Log: l,
			}).Handler())
			defer ts.Close()
			if got := post(t, ts, "Note Hook", secret, body); got != tc.want {
				t.Errorf("status %d, want %d", got, tc.want)
			}
			if len(cmds.notes) != tc.wantAsked {
				t.Fatalf("commands asked %d times, want %d", len(cmds.notes), tc.wantAsked)
			}
			if tc.wantAsked > 0 && (cmds.notes[0].MRIID != 3 || cmds.notes[0].NoteID != 9) {
				t.Errorf("event %+v", cmds.notes[0])
			}
			if st, _ := loop.ProjectStatus("g/a"); st.Pending != tc.wantRun {
				pending := st.Pending
				t.Errorf("run pending = %v, want %v", pending, tc.wantRun)
			}
		})
	}
}

// Without a bot, notes still reach the commands; pipelines are ignored.
func TestCommandsWithoutBot(t *testing.T) {
	loop, err := daemon.NewLoop(daemon.LoopConfig{Projects: []string{"g/a"}, Run: newRunner().Run})
	if err != nil {
		t.Fatal(err)
	}
	l, _ := quietLogger()
	cmds := &commandNotes{project: "g/a"}
	ts := httptest.NewServer(daemon.NewServer(daemon.ServerConfig{Loop: loop, WebhookSecret: secret, Commands: cmds, Log: l}).Handler())
	defer ts.Close()
	note, _ := json.Marshal(map[string]any{"object_kind": "note", "object_attributes": map[string]any{"id": 1, "note": "@pinwheel rebase", "noteable_type": "MergeRequest"}, "merge_request": map[string]any{"iid": 1}})
	if got := post(t, ts, "Note Hook", secret, note); got != http.StatusAccepted {
		t.Errorf("note: %d, want 202", got)
	}
	if got := post(t, ts, "Pipeline Hook", secret, []byte(`{"object_kind":"pipeline"}`)); got != http.StatusOK {
		t.Errorf("pipeline: %d, want 200", got)
	}
}

func TestMayBeCommand(t *testing.T) {
	base := daemon.NoteEvent{NoteableType: "MergeRequest", MRIID: 1, NoteID: 2, Action: "create", Note: " @pinwheel rebase"}
	for _, tc := range []struct {
		name   string
		change func(*daemon.NoteEvent)
		want   bool
	}{
		{"a new comment", func(*daemon.NoteEvent) {}, true},
		{"before GitLab 16.11 (no action)", func(e *daemon.NoteEvent) { e.Action = "" }, true},
		{"edited", func(e *daemon.NoteEvent) { e.Action = "update" }, false},
		{"system", func(e *daemon.NoteEvent) { e.System = true }, false},
		{"on an issue", func(e *daemon.NoteEvent) { e.NoteableType = "Issue" }, false},
		{"no @", func(e *daemon.NoteEvent) { e.Note = "rebase please" }, false},
		{"no note id", func(e *daemon.NoteEvent) { e.NoteID = 0 }, false},
	} {
		ev := base
		tc.change(&ev)
		if got := ev.MayBeCommand(); got != tc.want {
			t.Errorf("%s: MayBeCommand = %v, want %v", tc.name, got, tc.want)
		}
	}
}
