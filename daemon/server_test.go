package daemon_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/daemon"
	"github.com/pinwheel-dev/pinwheel/internal/stop"
)

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	body, _ := io.ReadAll(rec.Body)
	return rec.Code, string(body)
}

func TestHealthz(t *testing.T) {
	r := newRunner()
	r.fail["group/svc"] = errGitLab
	h := newHarness(t, []string{"group/app", "group/svc"}, nil, r)
	srv := daemon.NewServer(daemon.ServerConfig{Loop: h.loop, Log: h.log})

	if code, body := get(t, srv.Handler(), "/healthz"); code != 503 || body != "new\n" {
		t.Errorf("before Run: %d %q, want 503 \"new\"", code, body)
	}
	h.start(t)
	r.waitStartedAll(t, "group/app", "group/svc")
	h.clock.waitTimers(t, tick1, 2)
	h.clock.Advance(90 * time.Second)

	code, body := get(t, srv.Handler(), "/healthz")
	want := "ok\ngroup/app: last success 1m30s ago\ngroup/svc: no successful run yet\n"
	if code != 200 || body != want {
		t.Errorf("running: %d %q, want 200 %q", code, body, want)
	}

	h.stop(t)
	if code, body := get(t, srv.Handler(), "/healthz"); code != 503 || body != "stopped\n" {
		t.Errorf("after stop: %d %q, want 503 \"stopped\"", code, body)
	}
}

func TestMetricsAfterARun(t *testing.T) {
	r := newRunner()
	r.results["group/app"] = daemon.Result{UpdatesFound: 3, MRsOpened: 2, MRsUpdated: 1}
	r.fail["group/svc"] = errGitLab
	h := newHarness(t, []string{"group/app", "group/svc"}, nil, r)
	srv := daemon.NewServer(daemon.ServerConfig{Loop: h.loop, Metrics: h.m, Log: h.log})
	h.start(t)
	r.waitStartedAll(t, "group/app", "group/svc")
	h.clock.waitTimers(t, tick1, 2)

	code, body := get(t, srv.Handler(), "/metrics")
	if code != 200 {
		t.Fatalf("status %d", code)
	}
	for _, want := range []string{
		`pinwheel_runs_total{project="group/app",result="success"} 1`,
		`pinwheel_runs_total{project="group/svc",result="error"} 1`,
		`pinwheel_updates_found{project="group/app"} 3`,
		`pinwheel_merge_requests_opened_total{project="group/app"} 2`,
		`pinwheel_merge_requests_updated_total{project="group/app"} 1`,
		`pinwheel_run_duration_seconds_count{project="group/app"} 1`,
		`pinwheel_last_success_timestamp_seconds{project="group/app"} 1.7956098e+09`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("exposition lacks %s", want)
		}
	}
	if strings.Contains(body, `pinwheel_last_success_timestamp_seconds{project="group/svc"}`) {
		t.Error("a failed run set the last success time")
	}
}

func TestMetricsWithoutMetrics(t *testing.T) {
	h := newHarness(t, []string{"group/app"}, nil, nil)
	srv := daemon.NewServer(daemon.ServerConfig{Loop: h.loop, Log: h.log})
	if code, _ := get(t, srv.Handler(), "/metrics"); code != 404 {
		t.Errorf("status = %d, want 404", code)
	}
}

func TestServeStopsLoopThenServer(t *testing.T) {
	r := newRunner()
	r.gated["group/app"] = true
	h := newHarness(t, []string{"group/app"}, nil, r)
	srv := daemon.NewServer(daemon.ServerConfig{Addr: "127.0.0.1:0", Loop: h.loop, Log: h.log})
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	url := "http://" + srv.Addr().String() + "/healthz"

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- daemon.Serve(ctx, h.loop, srv) }()
	r.waitStarted(t)

	cancel()
	<-stop.Signal(r.lastCtx())
	// The run is in flight: the server still answers, and says so.
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("server down while a run was in flight: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("healthz while stopping = %d, want 503", resp.StatusCode)
	}

	r.gate <- struct{}{}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(failsafe):
		t.Fatal("Serve did not return")
	}
	if r.done("group/app") != 1 {
		t.Error("the run in flight did not finish")
	}
	if conn, err := net.Dial("tcp", srv.Addr().String()); err == nil {
		conn.Close()
		t.Error("still listening after Serve returned")
	}
}

func TestServeFailsOnBusyAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	h := newHarness(t, []string{"group/app"}, nil, nil)
	srv := daemon.NewServer(daemon.ServerConfig{Addr: ln.Addr().String(), Loop: h.loop, Log: h.log})
	err = daemon.Serve(context.Background(), h.loop, srv)
	if err == nil || !strings.Contains(err.Error(), "listen on") {
		t.Errorf("Serve = %v, want a listen error", err)
	}
	if n := h.runner.count("group/app"); n != 0 {
		t.Errorf("ran %d times with no listener", n)
	}
}
