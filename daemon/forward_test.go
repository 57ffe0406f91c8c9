package daemon_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pinwheel-dev/pinwheel/daemon"
	"github.com/pinwheel-dev/pinwheel/metrics"
	"github.com/pinwheel-dev/pinwheel/shard"
)

// Projects 3 and 4 are shard 0's of 2, 1 and 2 shard 1's (pinned by
// shard's golden values).
var shardProjects = [2][]string{{"3", "4"}, {"1", "2"}}

// botRecorder is a BotHandler that counts what reached it.
type botRecorder struct{ events []string }

func (b *botRecorder) HandleNote(daemon.NoteEvent) bool {
	b.events = append(b.events, "note")
	return true
}

func (b *botRecorder) HandlePipeline(daemon.PipelineEvent) bool {
	b.events = append(b.events, "pipeline")
	return true
}

// idCommands is a CommandHandler that takes every possible command and
// names its project by id, as the loops of fleetServers know them.
type idCommands struct {
	mu    sync.Mutex
	notes []daemon.NoteEvent
}

func (c *idCommands) HandleNote(ev daemon.NoteEvent) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.notes = append(c.notes, ev)
	return strconv.FormatInt(ev.ProjectID, 10), true
}

func (c *idCommands) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.notes)
}

// fleetOpts shapes fleetServers' fleet.
type fleetOpts struct {
	down    bool // the address template points at a closed port
	noBot   bool // the test bot is off (Forwarder.Bot false, no BotHandler)
	stopped int  // 1 + the index of a shard whose loop has stopped (answers 503); 0 for none
}

// fleet is two daemons, shards 0 and 1 of 2.
type fleet struct {
	base  string
	loops [2]*daemon.Loop
	bots  [2]*botRecorder
	cmds  [2]*idCommands
	m     [2]*metrics.Metrics
}

// fleetServers is two daemons' HTTP handlers, shards 0 and 1 of 2, on one
// 127.0.0.1 listener: /0/... is shard 0's, /1/... shard 1's, as the
// address template http://127.0.0.1:port/{shard} says. Both are wired
// alike (bot and commands), so only the routing keeps a hook from being
// handled twice.
func fleetServers(t *testing.T, opts fleetOpts) fleet {
	t.Helper()
	mux := http.NewServeMux()
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	target := ts.URL
	if opts.down {
		dead := httptest.NewServer(http.NotFoundHandler())
		target = dead.URL
		dead.Close()
	}
	addrs, err := shard.ParseAddresses(target + "/{shard}")
	if err != nil {
		t.Fatal(err)
	}
	var fl fleet
	fl.base = ts.URL
	for k := range 2 {
		l, _ := quietLogger()
		loop, err := daemon.NewLoop(daemon.LoopConfig{Projects: shardProjects[k], Run: newRunner().Run, Log: l})
		if err != nil {
			t.Fatal(err)
		}
		if opts.stopped == k+1 {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if err := loop.Run(ctx); err != nil {
				t.Fatal(err)
			}
		}
		var dashboards []daemon.Dashboard
		for _, p := range shardProjects[k] {
			dashboards = append(dashboards, daemon.Dashboard{Project: p, Title: "Dependency Dashboard"})
		}
		fl.bots[k], fl.cmds[k], fl.m[k] = &botRecorder{}, &idCommands{}, metrics.New()
		cfg := daemon.ServerConfig{
			Loop: loop, WebhookSecret: secret, Log: l, Metrics: fl.m[k], Commands: fl.cmds[k],
			MatchIssue: daemon.DashboardMatcher(dashboards, botUser),
			Forward:    &daemon.Forwarder{Shard: shard.Shard{Index: k, Count: 2}, Addresses: addrs, Bot: !opts.noBot},
		}
		if !opts.noBot {
			cfg.Bot = fl.bots[k]
		}
		srv := daemon.NewServer(cfg)
		prefix := "/" + strconv.Itoa(k)
		mux.Handle(prefix+"/", http.StripPrefix(prefix, srv.Handler()))
		fl.loops[k] = loop
	}
	return fl
}

// webhookCount is shard k's pinwheel_webhook_requests_total for outcome.
func (fl fleet) webhookCount(t *testing.T, k int, outcome string) float64 {
	t.Helper()
	families, err := fl.m[k].Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "pinwheel_webhook_requests_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "outcome" && l.GetValue() == outcome {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

func postTo(t *testing.T, url, event, token string, body []byte, header map[string]string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("X-Gitlab-Event", event)
	req.Header.Set("X-Gitlab-Token", token)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

func noteBody(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/note_hook.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func pending(loop *daemon.Loop, project string) bool {
	st, _ := loop.ProjectStatus(project)
	return st.Pending
}

// issueFor is a dashboard edit of project id.
func issueFor(t *testing.T, id int64) []byte {
	return issueHook(t, func(h map[string]any) {
		proj(h)["id"] = id
		proj(h)["path_with_namespace"] = "team/p" + strconv.FormatInt(id, 10)
	})
}

// noteFor is a new comment on merge request !1 of project id.
func noteFor(t *testing.T, id int64, text string) []byte {
	t.Helper()
	var h map[string]any
	if err := json.Unmarshal(noteBody(t), &h); err != nil {
		t.Fatal(err)
	}
	proj(h)["id"] = id
	proj(h)["path_with_namespace"] = "team/p" + strconv.FormatInt(id, 10)
	h["object_attributes"].(map[string]any)["note"] = text
	b, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWebhookForwarding(t *testing.T) {
	tests := []struct {
		name       string
		to         int // shard that GitLab's delivery lands on
		id         int64
		header     map[string]string
		token      string
		wantStatus int
		// wantPending is "shard/project" whose run was triggered; "" for none.
		wantPending string
	}{
		{"own project stays", 0, 3, nil, secret, http.StatusAccepted, "0/3"},
		{"other shard's project is forwarded", 0, 1, nil, secret, http.StatusAccepted, "1/1"},
		{"and the other way", 1, 4, nil, secret, http.StatusAccepted, "0/4"},
		{"a forwarded hook is never forwarded again", 0, 2, map[string]string{shard.ForwardedHeader: "1"}, secret, http.StatusOK, ""},
		{"a wrong token is refused before forwarding", 0, 1, nil, "forged", http.StatusUnauthorized, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fl := fleetServers(t, fleetOpts{})
			code, body := postTo(t, fl.base+"/"+strconv.Itoa(tt.to)+hookPath, "Issue Hook", tt.token, issueFor(t, tt.id), tt.header)
			if code != tt.wantStatus {
				t.Fatalf("status %d (%s), want %d", code, body, tt.wantStatus)
			}
			for k, loop := range fl.loops {
				for _, p := range shardProjects[k] {
					want := tt.wantPending == strconv.Itoa(k)+"/"+p
					if got := pending(loop, p); got != want {
						t.Errorf("shard %d project %s: triggered %v, want %v", k, p, got, want)
					}
				}
			}
		})
	}
}

// A comment on a merge request reaches the shard that owns its project
// (its commands) and, with the test bot on, shard 0 (the bot), wherever
// GitLab delivers it; each handles it once, and no other shard does.
func TestNoteForwarding(t *testing.T) {
	tests := []struct {
		name  string
		to    int   // shard that GitLab's delivery lands on
		id    int64 // the note's project
		noBot bool
		// wantCmds and wantBot are how often each shard's commands and
		// bot saw the note.
		wantCmds, wantBot [2]int
		wantPending       string // "shard/project" triggered by the command
	}{
		{"shard 1's project, delivered to shard 0", 0, 1, false, [2]int{0, 1}, [2]int{1, 0}, "1/1"},
		{"shard 1's project, delivered to shard 1", 1, 2, false, [2]int{0, 1}, [2]int{1, 0}, "1/2"},
		{"shard 0's project, delivered to shard 1", 1, 3, false, [2]int{1, 0}, [2]int{1, 0}, "0/3"},
		{"shard 0's project, delivered to shard 0", 0, 4, false, [2]int{1, 0}, [2]int{1, 0}, "0/4"},
		{"no bot: shard 1's project, delivered to shard 0", 0, 1, true, [2]int{0, 1}, [2]int{}, "1/1"},
		{"no bot: shard 0's project, delivered to shard 1", 1, 3, true, [2]int{1, 0}, [2]int{}, "0/3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fl := fleetServers(t, fleetOpts{noBot: tt.noBot})
			code, body := postTo(t, fl.base+"/"+strconv.Itoa(tt.to)+hookPath, "Note Hook", secret, noteFor(t, tt.id, "@pinwheel rebase"), nil)
			if code != http.StatusAccepted {
				t.Errorf("status %d (%s), want 202", code, body)
			}
			for k := range 2 {
				if got := fl.cmds[k].count(); got != tt.wantCmds[k] {
					t.Errorf("shard %d: commands saw the note %d times, want %d", k, got, tt.wantCmds[k])
				}
				if got := len(fl.bots[k].events); got != tt.wantBot[k] {
					t.Errorf("shard %d: bot saw the note %d times, want %d", k, got, tt.wantBot[k])
				}
				for _, p := range shardProjects[k] {
					want := tt.wantPending == strconv.Itoa(k)+"/"+p
					if got := pending(fl.loops[k], p); got != want {
						t.Errorf("shard %d project %s: triggered %v, want %v", k, p, got, want)
					}
				}
			}
		})
	}

	t.Run("pipeline events go to shard 0 alone", func(t *testing.T) {
		fl := fleetServers(t, fleetOpts{})
		body := []byte(`{"object_kind":"pipeline","project":{"id":1,"path_with_namespace":"team/p1"},"object_attributes":{"id":9,"status":"success"}}`)
		if code, msg := postTo(t, fl.base+"/1"+hookPath, "Pipeline Hook", secret, body, nil); code/100 != 2 {
			t.Fatalf("pipeline hook: %d %s", code, msg)
		}
		if len(fl.bots[0].events) != 1 || len(fl.bots[1].events) != 0 {
			t.Errorf("bot events: shard 0 %v, shard 1 %v; want the pipeline on shard 0", fl.bots[0].events, fl.bots[1].events)
		}
	})
}

// A forward that fails still answers GitLab 2xx (GitLab disables a hook
// after a few failures, for every project it serves), says so in the
// body, and counts it; the owner's next scheduled run catches up.
func TestFailedForwardAnswers2xx(t *testing.T) {
	tests := []struct {
		name     string
		opts     fleetOpts
		event    string
		body     func(t *testing.T) []byte
		to       int
		wantBody []string // substrings of the answer
		// wantPending is "shard/project" whose run was triggered; "" for none.
		wantPending string
	}{
		{"owner down", fleetOpts{down: true}, "Issue Hook", func(t *testing.T) []byte { return issueFor(t, 1) }, 0,
			[]string{"shard 1: not delivered (no answer)", "next scheduled run"}, ""},
		{"owner stopping answers 503", fleetOpts{stopped: 2}, "Issue Hook", func(t *testing.T) []byte { return issueFor(t, 1) }, 0,
			[]string{"shard 1: not delivered (answered 503)"}, ""},
		{"a note's owner handles it, the bot's shard is down", fleetOpts{down: true}, "Note Hook", func(t *testing.T) []byte { return noteFor(t, 1, "@pinwheel rebase") }, 1,
			[]string{"queued"}, "1/1"},
		{"neither of a note's shards answers", fleetOpts{down: true}, "Note Hook", func(t *testing.T) []byte { return noteFor(t, 3, "@pinwheel rebase") }, 1,
			[]string{"shard 0: not delivered (no answer)"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fl := fleetServers(t, tt.opts)
			code, body := postTo(t, fl.base+"/"+strconv.Itoa(tt.to)+hookPath, tt.event, secret, tt.body(t), nil)
			if code/100 != 2 {
				t.Errorf("status %d, want 2xx", code)
			}
			for _, w := range tt.wantBody {
				if !strings.Contains(body, w) {
					t.Errorf("answer %q lacks %q", body, w)
				}
			}
			if got := fl.webhookCount(t, tt.to, metrics.WebhookForwardFailed); got != 1 {
				t.Errorf("forward_failed counted %v times, want 1", got)
			}
			for k, loop := range fl.loops {
				for _, p := range shardProjects[k] {
					want := tt.wantPending == strconv.Itoa(k)+"/"+p
					if got := pending(loop, p); got != want {
						t.Errorf("shard %d project %s: triggered %v, want %v", k, p, got, want)
					}
				}
			}
		})
	}
}
