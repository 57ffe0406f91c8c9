package app_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/app"
	"github.com/pinwheel-dev/pinwheel/shard"
)

// The wired daemon runs its project at start, serves /healthz, and on
// the stop returns nil with the state file released.
func TestDaemonRunsAndServes(t *testing.T) {
	w := newWorld(t)
	w.cfg.Listen = "127.0.0.1:0"
	addrs, runs := make(chan net.Addr, 1), make(chan error, 4)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d, err := app.NewDaemon(ctx, w.cfg, app.DaemonOptions{
		Getenv:   func(k string) string { return map[string]string{"T": w.token}[k] },
		Clock:    func() time.Time { return saturday },
		OnListen: func(a net.Addr) { addrs <- a },
		AfterRun: func(_ string, err error) { runs <- err },
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	base := "http://" + (<-addrs).String()
	select {
	case err := <-runs:
		if err != nil {
			t.Fatalf("run at start: %v", err)
		}
	case err := <-done:
		t.Fatalf("daemon ended: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("no run at start")
	}
	if n := len(w.gl.MergeRequests(w.proj)); n != 2 {
		t.Errorf("merge requests after the run at start: %d, want 2", n)
	}
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz: %d %q", resp.StatusCode, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run after the stop: %v", err)
	}
	// The state file is released: a second App opens it.
	w.app(t)
}

// A wiring problem fails NewDaemon with a message naming it, and leaves
// the state file free.
func TestNewDaemonRefuses(t *testing.T) {
	for _, tc := range []struct {
		name  string
		shard shard.Shard
		addr  string
		want  string
	}{
		{"bad shard_address", shard.Shard{Index: 0, Count: 2}, "no-placeholder", "shard_address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.cfg.Listen, w.cfg.ShardAddress = "127.0.0.1:0", tc.addr
			_, err := app.NewDaemon(context.Background(), w.cfg, app.DaemonOptions{
				Getenv: func(k string) string { return map[string]string{"T": w.token}[k] },
				Shard:  tc.shard,
			})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("NewDaemon: %v, want an error naming %q", err, tc.want)
			}
			w.app(t)
		})
	}
}
