package daemon_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	logtest "github.com/sirupsen/logrus/hooks/test"

	"github.com/pinwheel-dev/pinwheel/daemon"
	"github.com/pinwheel-dev/pinwheel/metrics"
)

// start is 12:30 UTC, half an hour before an @hourly tick.
var start = time.Date(2026, 11, 25, 12, 30, 0, 0, time.UTC)

// failsafe bounds waits for goroutines; it never paces a test.
const failsafe = 10 * time.Second

// runner is a RunFunc that records what it was asked to do. Runs of the
// projects in gated block until the test sends on gate (or the run's
// context ends).
type runner struct {
	started chan string

	mu          sync.Mutex
	runs        map[string]int
	inflight    map[string]int
	maxInflight int
	fail        map[string]error
	gated       map[string]bool
	gate        chan struct{}
	ctxs        []context.Context
	results     map[string]daemon.Result
	finished    map[string]int
}

func newRunner() *runner {
	return &runner{
		started:  make(chan string, 100),
		runs:     map[string]int{},
		inflight: map[string]int{},
		fail:     map[string]error{},
		gated:    map[string]bool{},
		gate:     make(chan struct{}),
		results:  map[string]daemon.Result{},
		finished: map[string]int{},
	}
}

func (r *runner) Run(ctx context.Context, project string) (daemon.Result, error) {
	r.mu.Lock()
	r.runs[project]++
	r.inflight[project]++
	r.maxInflight = max(r.maxInflight, r.inflight[project])
	r.ctxs = append(r.ctxs, ctx)
	gated, fail, res := r.gated[project], r.fail[project], r.results[project]
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.inflight[project]--
		r.finished[project]++
		r.mu.Unlock()
	}()
	r.started <- project
	if gated {
		select {
		case <-r.gate:
		case <-ctx.Done():
			return daemon.Result{}, fmt.Errorf("run %s: %w", project, ctx.Err())
		}
	}
	return res, fail
}

func (r *runner) count(project string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.runs[project]
}

func (r *runner) done(project string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.finished[project]
}

func (r *runner) lastCtx() context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ctxs[len(r.ctxs)-1]
}

// waitStarted waits for the next run to start and returns its project.
func (r *runner) waitStarted(t *testing.T) string {
	t.Helper()
	select {
	case p := <-r.started:
		return p
	case <-time.After(failsafe):
		t.Fatal("no run started")
		return ""
	}
}

// waitStartedAll waits for one run of each of projects, in any order.
func (r *runner) waitStartedAll(t *testing.T, projects ...string) {
	t.Helper()
	want := map[string]int{}
	for _, p := range projects {
		want[p]++
	}
	for range projects {
		p := r.waitStarted(t)
		if want[p] == 0 {
			t.Fatalf("unexpected run of %s", p)
		}
		want[p]--
	}
}

// noneStarted fails if a run has started that no one waited for.
func (r *runner) noneStarted(t *testing.T) {
	t.Helper()
	select {
	case p := <-r.started:
		t.Fatalf("unexpected run of %s", p)
	default:
	}
}

type harness struct {
	loop   *daemon.Loop
	clock  *fakeClock
	runner *runner
	log    *logrus.Logger
	logs   *logtest.Hook
	m      *metrics.Metrics
	cancel context.CancelFunc
	done   chan error
}

func quietLogger() (*logrus.Logger, *logtest.Hook) {
	log, hook := logtest.NewNullLogger()
	log.SetLevel(logrus.DebugLevel)
	log.SetOutput(io.Discard)
	return log, hook
}

// newHarness builds a loop over projects with a fake clock at start; cfg
// may adjust the config. The loop is not running yet.
func newHarness(t *testing.T, projects []string, cfg func(*daemon.LoopConfig), r *runner) *harness {
	t.Helper()
	if r == nil {
		r = newRunner()
	}
	log, hook := quietLogger()
	h := &harness{clock: newFakeClock(start), runner: r, log: log, logs: hook, m: metrics.New()}
	c := daemon.LoopConfig{
		Projects: projects,
		Run:      r.Run,
		Clock:    h.clock,
		Metrics:  h.m,
		Log:      log,
		Debounce: 5 * time.Second,
		Grace:    time.Minute,
		Parallel: len(projects),
	}
	if cfg != nil {
		cfg(&c)
	}
	loop, err := daemon.NewLoop(c)
	if err != nil {
		t.Fatal(err)
	}
	h.loop = loop
	return h
}

// start runs the loop until the test ends or stop is called.
func (h *harness) start(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	h.done = make(chan error, 1)
	go func() { h.done <- h.loop.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		close(h.runner.gate) // let gated runs go, or Run waits out the grace
		h.clock.Advance(time.Hour)
		<-h.done
	})
}

// stop cancels the loop's context and waits for Run to return.
func (h *harness) stop(t *testing.T) {
	t.Helper()
	h.cancel()
	h.wait(t)
}

func (h *harness) wait(t *testing.T) {
	t.Helper()
	select {
	case err := <-h.done:
		h.done <- err // for the cleanup
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(failsafe):
		t.Fatal("Run did not return")
	}
}

var errGitLab = errors.New("gitlab: 500 Internal Server Error")

// startGated starts a loop over group/app whose runs wait for the test's
// sends on r.gate, and waits for the start run to begin.
func startGated(t *testing.T) (*runner, *harness) {
	t.Helper()
	r := newRunner()
	r.gated["group/app"] = true
	h := newHarness(t, []string{"group/app"}, nil, r)
	h.start(t)
	r.waitStarted(t)
	return r, h
}
