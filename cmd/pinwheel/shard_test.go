package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/app"
	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/gitlabsim"
	"github.com/pinwheel-dev/pinwheel/indexsim"
	"github.com/pinwheel-dev/pinwheel/internal/discard"
	"github.com/pinwheel-dev/pinwheel/shard"
)

// shardFixture is a GitLab of n projects team<i>/app pinning requests
// 2.31.0 (2.32.4 is out), a config listing the first listed of them and
// discovering the rest (group "found"), and the config's path.
func shardFixture(t *testing.T, listed, found int) (*gitlabsim.Server, *indexsim.Server, []*gitlabsim.Project, string) {
	t.Helper()
	t.Setenv(shard.EnvVar, "")
	gl, idx, dir, cfg := runWorld(t)
	if found > 0 {
		cfg += "autodiscover: {groups: [found]}\n"
	}
	cfg += "projects:\n"
	var ps []*gitlabsim.Project
	for i := range listed + found {
		path := fmt.Sprintf("team%d/app", i)
		if i >= listed {
			path = fmt.Sprintf("found/app%d", i)
		}
		p := gl.CreateProject(path, "main")
		gl.Commit(p, "main", "Initial", map[string]string{"constraints.txt": "requests==2.31.0\n"})
		ps = append(ps, p)
		if i < listed {
			cfg += "  - path: " + path + "\n"
		}
	}
	return gl, idx, ps, writeConfig(t, dir, cfg)
}

// census fails on a project with other than one dashboard or with two
// merge requests from one branch, and returns the totals.
func census(t *testing.T, gl *gitlabsim.Server, ps []*gitlabsim.Project) (dashboards, mrs int) {
	t.Helper()
	for _, p := range ps {
		n := len(gl.Issues(p))
		if n != 1 {
			t.Errorf("%s has %d dashboards, want 1", p.Path, n)
		}
		dashboards += n
		branches := map[string]bool{}
		for _, mr := range gl.MergeRequests(p) {
			if branches[mr.SourceBranch] {
				t.Errorf("%s has two merge requests from %s", p.Path, mr.SourceBranch)
			}
			branches[mr.SourceBranch] = true
		}
		mrs += len(gl.MergeRequests(p))
	}
	return dashboards, mrs
}

// TestRunShardLayouts runs `pinwheel run --shard K/N` for every K of a
// fleet of 2, then of 3, on one GitLab, over configured and discovered
// projects: each layout runs every project exactly once, each shard keeps
// its own state file, and the projects that moved are found where they
// are: no dashboard or merge request twice.
func TestRunShardLayouts(t *testing.T) {
	gl, idx, ps, cfg := shardFixture(t, 6, 6)
	now := "--now=" + runSaturday.Format(time.RFC3339)
	owner := map[string]string{}
	for _, n := range []int{2, 3} {
		ran := map[string]string{}
		for k := range n {
			flag := fmt.Sprintf("--shard=%d/%d", k, n)
			out, err := runRunCmd(t, "--config", cfg, now, flag)
			if err != nil {
				t.Fatalf("run %s: %v\n%s", flag, err, out)
			}
			for _, p := range ps {
				if !strings.Contains(out, p.Path+": ") {
					continue
				}
				if prev, dup := ran[p.Path]; dup {
					t.Errorf("%s ran on shard %s and %d/%d", p.Path, prev, k, n)
				}
				ran[p.Path] = fmt.Sprintf("%d/%d", k, n)
				if want := shard.Owner(int64(p.ID), n); want != k {
					t.Errorf("%s ran on shard %d/%d, its owner is %d", p.Path, k, n, want)
				}
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(cfg), fmt.Sprintf("state-%d.db", k))); err != nil {
				t.Errorf("shard %d/%d's state file: %v", k, n, err)
			}
		}
		if len(ran) != len(ps) {
			t.Fatalf("a fleet of %d ran %d of %d projects", n, len(ran), len(ps))
		}
		if d, m := census(t, gl, ps); d != len(ps) || m != len(ps) {
			t.Fatalf("after the fleet of %d: %d dashboards and %d merge requests, want %d of each", n, d, m, len(ps))
		}
		moved := 0
		for p, s := range ran {
			if owner[p] != "" && owner[p][0] != s[0] {
				moved++
			}
			owner[p] = s
		}
		if n == 3 && moved == 0 {
			t.Error("no project changed shard from 2 to 3; the test proves nothing")
		}
		// A new release, so the next layout rebuilds every merge request
		// where it is.
		idx.AddRelease("requests", fmt.Sprintf("2.32.%d", 5+n), indexsim.File{Filename: "requests-new.tar.gz", UploadTime: runSaturday.AddDate(0, 0, -10)})
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(cfg), "state.db")); err == nil {
		t.Error("a sharded run used the unsharded state file")
	}
}

func TestRunShardFlagErrors(t *testing.T) {
	_, _, ps, cfg := shardFixture(t, 4, 0)
	var other string
	for _, p := range ps {
		if shard.Owner(int64(p.ID), 2) == 1 {
			other = p.Path
		}
	}
	for _, tc := range []struct {
		name string
		args []string
		env  string
		want string
	}{
		{"bad flag", []string{"--shard", "2/2"}, "", "--shard"},
		{"bad variable", nil, "x", shard.EnvVar},
		{"another shard's project", []string{"--shard", "0/2", "--project", other}, "", "shard 0/2 does not own it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(shard.EnvVar, tc.env)
			out, err := runRunCmd(t, append([]string{"--config", cfg, "--dry-run"}, tc.args...)...)
			if exitCode(err) != 2 || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("exit %d (%v), want 2 naming %q\n%s", exitCode(err), err, tc.want, out)
			}
		})
	}
}

// TestDaemonRunsItsShard: `pinwheel daemon --shard 1/2` runs only shard
// 1's projects, and /healthz names the shard and lists them.
func TestDaemonRunsItsShard(t *testing.T) {
	_, _, ps, cfgPath := shardFixture(t, 6, 0)
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Listen = "127.0.0.1:0"
	var mine []string
	for _, p := range ps {
		if shard.Owner(int64(p.ID), 2) == 1 {
			mine = append(mine, p.Path)
		}
	}
	addrs := make(chan net.Addr, 1)
	var mu sync.Mutex
	ran := map[string]bool{}
	runs := make(chan error, 20)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runDaemon(ctx, cfg, discard.Logger(), daemonOpts{Shard: "1/2", Now: runSaturday, DaemonOptions: app.DaemonOptions{
			Getenv:        func(k string) string { return map[string]string{"RUN_TEST_TOKEN": os.Getenv("RUN_TEST_TOKEN")}[k] },
			GitLabOptions: []gitlab.ClientOptionFunc{gitlab.WithCustomBackoff(func(_, _ time.Duration, _ int, _ *http.Response) time.Duration { return 0 })},
			OnListen:      func(a net.Addr) { addrs <- a },
			AfterRun: func(p string, err error) {
				mu.Lock()
				ran[p] = true
				mu.Unlock()
				runs <- err
			},
		}})
	}()
	base := "http://" + (<-addrs).String()
	for range mine {
		if err := waitRun(t, runs, done); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), fmt.Sprintf("shard 1/2: %d project(s)", len(mine))) {
		t.Errorf("/healthz:\n%s", body)
	}
	for _, p := range ps {
		owned := shard.Owner(int64(p.ID), 2) == 1
		if ran[p.Path] != owned {
			t.Errorf("%s: ran %v, owned %v", p.Path, ran[p.Path], owned)
		}
		if strings.Contains(string(body), p.Path+":") != owned {
			t.Errorf("/healthz lists %s: %v, owned %v", p.Path, !owned, owned)
		}
	}
	if _, err := os.Stat(strings.TrimSuffix(cfg.State, ".db") + ".db"); err != nil || !strings.HasSuffix(cfg.State, "state-1.db") {
		t.Errorf("state file %s: %v, want state-1.db", cfg.State, err)
	}
}

// TestDaemonsForwardWebhooks runs two `pinwheel daemon`s, shards 0/2 and
// 1/2, on 127.0.0.1 behind a front that maps shard_address's {shard} to
// each one's listener: GitLab's hook for a project of shard 1, delivered
// to shard 0, runs that project on shard 1 and nowhere else.
func TestDaemonsForwardWebhooks(t *testing.T) {
	gl, _, ps, cfgPath := shardFixture(t, 4, 0)
	const secret = "hook-secret-fleet"
	var mu sync.Mutex
	listeners := map[string]string{}
	front := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		mu.Lock()
		addr := listeners[k]
		mu.Unlock()
		req, _ := http.NewRequestWithContext(r.Context(), r.Method, "http://"+addr+"/"+rest, r.Body)
		req.Header = r.Header.Clone()
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	}))

	type instance struct {
		runs chan string
		done chan error
		base string
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var fleet [2]*instance
	for k := range 2 {
		cfg, err := config.Load(cfgPath)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Listen, cfg.WebhookSecretEnv, cfg.ShardAddress = "127.0.0.1:0", "HOOK_SECRET", front+"/{shard}"
		in := &instance{runs: make(chan string, 20), done: make(chan error, 1)}
		fleet[k] = in
		addrs := make(chan net.Addr, 1)
		env := map[string]string{"RUN_TEST_TOKEN": os.Getenv("RUN_TEST_TOKEN"), "HOOK_SECRET": secret}
		go func() {
			in.done <- runDaemon(ctx, cfg, discard.Logger(), daemonOpts{Shard: fmt.Sprintf("%d/2", k), Now: runSaturday, DaemonOptions: app.DaemonOptions{
				Getenv:        func(k string) string { return env[k] },
				Debounce:      time.Millisecond,
				GitLabOptions: []gitlab.ClientOptionFunc{gitlab.WithCustomBackoff(func(_, _ time.Duration, _ int, _ *http.Response) time.Duration { return 0 })},
				OnListen:      func(a net.Addr) { addrs <- a },
				AfterRun:      func(p string, _ error) { in.runs <- p },
			}})
		}()
		a := (<-addrs).String()
		in.base = "http://" + a
		mu.Lock()
		listeners[fmt.Sprint(k)] = a
		mu.Unlock()
	}
	owned := [2][]*gitlabsim.Project{}
	for _, p := range ps {
		k := shard.Owner(int64(p.ID), 2)
		owned[k] = append(owned[k], p)
	}
	if len(owned[0]) == 0 || len(owned[1]) == 0 {
		t.Fatal("the fixture needs projects on both shards")
	}
	for k, in := range fleet {
		for range owned[k] {
			select {
			case <-in.runs:
			case err := <-in.done:
				t.Fatalf("shard %d exited: %v", k, err)
			case <-time.After(30 * time.Second):
				t.Fatalf("shard %d: no first runs", k)
			}
		}
	}

	p := owned[1][0]
	is := gl.Issues(p)
	if len(is) != 1 {
		t.Fatalf("%s has %d dashboards", p.Path, len(is))
	}
	if code := postHook(t, fleet[0].base, secret, issueHook(t, p, is[0])); code != http.StatusAccepted {
		t.Fatalf("hook for shard 1's %s delivered to shard 0: status %d, want shard 1's 202", p.Path, code)
	}
	select {
	case got := <-fleet[1].runs:
		if got != p.Path {
			t.Errorf("shard 1 ran %s, want %s", got, p.Path)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("shard 1 did not run the project after the forwarded hook")
	}
	select {
	case got := <-fleet[0].runs:
		t.Errorf("shard 0 ran %s", got)
	default:
	}

	// A command on one of its merge requests, delivered to shard 0, is
	// shard 1's to take and run.
	mrs := gl.MergeRequests(p)
	if len(mrs) == 0 {
		t.Fatalf("%s has no merge request", p.Path)
	}
	note, _ := json.Marshal(map[string]any{
		"object_kind": "note", "user": map[string]any{"username": "dev"},
		"project":           map[string]any{"id": p.ID, "path_with_namespace": p.Path},
		"object_attributes": map[string]any{"id": 99001, "note": "@pinwheel rebase", "noteable_type": "MergeRequest", "action": "create"},
		"merge_request":     map[string]any{"iid": mrs[0].IID},
	})
	req, _ := http.NewRequest(http.MethodPost, fleet[0].base+"/hooks/gitlab", bytes.NewReader(note))
	req.Header.Set("X-Gitlab-Event", "Note Hook")
	req.Header.Set("X-Gitlab-Token", secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("command note for shard 1's %s delivered to shard 0: status %d, want shard 1's 202", p.Path, resp.StatusCode)
	}
	select {
	case got := <-fleet[1].runs:
		if got != p.Path {
			t.Errorf("shard 1 ran %s after the command, want %s", got, p.Path)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("shard 1 did not run the project after the forwarded command")
	}
	select {
	case got := <-fleet[0].runs:
		t.Errorf("shard 0 ran %s", got)
	default:
	}
	cancel()
	for k, in := range fleet {
		if err := <-in.done; err != nil {
			t.Errorf("shard %d: %v", k, err)
		}
	}
}

func httptestServer(t *testing.T, h http.Handler) string {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.URL
}
