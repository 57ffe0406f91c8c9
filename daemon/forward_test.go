package daemon_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/pinwheel-dev/pinwheel/daemon"
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

// fleetServers is two daemons' HTTP handlers, shards 0 and 1 of 2, on one
// 127.0.0.1 listener: /0/... is shard 0's, /1/... shard 1's, as the
// address template http://127.0.0.1:port/{shard} says.
func fleetServers(t *testing.T, down bool) (base string, loops [2]*daemon.Loop, bots [2]*botRecorder) {
	t.Helper()
	mux := http.NewServeMux()
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	target := ts.URL
	if down {
		dead := httptest.NewServer(http.NotFoundHandler())
		target = dead.URL
		dead.Close()
	}
	addrs, err := shard.ParseAddresses(target + "/{shard}")
	if err != nil {
		t.Fatal(err)
	}
	for k := range 2 {
		loop, err := daemon.NewLoop(daemon.LoopConfig{Projects: shardProjects[k], Run: newRunner().Run})
		if err != nil {
			t.Fatal(err)
		}
		var dashboards []daemon.Dashboard
		for _, p := range shardProjects[k] {
			dashboards = append(dashboards, daemon.Dashboard{Project: p, Title: "Dependency Dashboard"})
		}
		bots[k] = &botRecorder{}
		l, _ := quietLogger()
		srv := daemon.NewServer(daemon.ServerConfig{
			Loop: loop, WebhookSecret: secret, Log: l, Bot: bots[k],
			MatchIssue: daemon.DashboardMatcher(dashboards, botUser),
			Forward:    &daemon.Forwarder{Shard: shard.Shard{Index: k, Count: 2}, Addresses: addrs, Bot: true},
		})
		prefix := "/" + strconv.Itoa(k)
		mux.Handle(prefix+"/", http.StripPrefix(prefix, srv.Handler()))
		loops[k] = loop
	}
	return ts.URL, loops, bots
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

func TestWebhookForwarding(t *testing.T) {
	hookFor := func(id int64) []byte {
		return issueHook(t, func(h map[string]any) {
			proj(h)["id"] = id
			proj(h)["path_with_namespace"] = "team/p" + strconv.FormatInt(id, 10)
		})
	}
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
			base, loops, _ := fleetServers(t, false)
			code, body := postTo(t, base+"/"+strconv.Itoa(tt.to)+hookPath, "Issue Hook", tt.token, hookFor(tt.id), tt.header)
			if code != tt.wantStatus {
				t.Fatalf("status %d (%s), want %d", code, body, tt.wantStatus)
			}
			for k, loop := range loops {
				for _, p := range shardProjects[k] {
					want := tt.wantPending == strconv.Itoa(k)+"/"+p
					if got := pending(loop, p); got != want {
						t.Errorf("shard %d project %s: triggered %v, want %v", k, p, got, want)
					}
				}
			}
		})
	}

	t.Run("bot events go to shard 0", func(t *testing.T) {
		base, _, bots := fleetServers(t, false)
		if code, body := postTo(t, base+"/1"+hookPath, "Note Hook", secret, noteBody(t), nil); code/100 != 2 {
			t.Fatalf("note hook: %d %s", code, body)
		}
		if len(bots[0].events) != 1 || len(bots[1].events) != 0 {
			t.Errorf("bot events: shard 0 %v, shard 1 %v; want the note on shard 0", bots[0].events, bots[1].events)
		}
	})

	t.Run("owner down is a 502", func(t *testing.T) {
		base, loops, _ := fleetServers(t, true)
		code, body := postTo(t, base+"/0"+hookPath, "Issue Hook", secret, hookFor(1), nil)
		if code != http.StatusBadGateway || !strings.Contains(body, "shard 1") {
			t.Errorf("status %d %q, want 502 naming shard 1", code, body)
		}
		if pending(loops[0], "3") || pending(loops[1], "1") {
			t.Error("a run was triggered")
		}
	})
}
