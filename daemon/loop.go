package daemon

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/internal/stop"
	"github.com/pinwheel-dev/pinwheel/metrics"
)

// Defaults of LoopConfig's zero values.
const (
	DefaultDebounce = 5 * time.Second
	DefaultGrace    = time.Minute
	// DefaultPruneEvery spaces the calls of LoopConfig.Prune.
	DefaultPruneEvery = 24 * time.Hour
)

// Result is what one run did, for metrics and logs.
type Result struct {
	UpdatesFound int
	MRsOpened    int
	MRsUpdated   int
}

// RunFunc runs one project once. ctx outlives the daemon's stop by
// LoopConfig.Grace; the loop sets stop.Signal(ctx). A returned error counts the run as
// failed; the loop logs it and goes on with the other projects. It must
// not panic: the loop does not recover (scheduler.Runner.RunProject turns
// a panic into scheduler.ErrPanicked, in the one place that does). It
// need not guard against a second run of the same project: the loop runs
// a project from one worker, and the Runner serialises runs of one
// project for every caller.
type RunFunc func(ctx context.Context, project string) (Result, error)

// LoopConfig configures a Loop. Projects and Run are required.
type LoopConfig struct {
	// Projects are the keys runs and triggers use: the project paths (or
	// IDs) as configured. Each must be unique.
	Projects []string
	// NoProjects allows an empty Projects: the loop then runs nothing and
	// the daemon only serves HTTP (a deployment that runs the test bot).
	NoProjects bool
	// Cron is when scheduled runs happen, as parsed at config load; the
	// zero Cron is config.DefaultCron.
	Cron config.Cron
	Run  RunFunc

	Clock   Clock              // nil = SystemClock
	Metrics *metrics.Metrics   // nil = no metrics
	Log     logrus.FieldLogger // nil = logrus.StandardLogger()

	// Debounce is how long a trigger waits for more triggers before its
	// run starts; 0 = DefaultDebounce.
	Debounce time.Duration
	// Grace is how long a run in flight may go on after the stop before
	// its context is cancelled; 0 = DefaultGrace.
	Grace time.Duration
	// Parallel is how many projects may run at once (the config's
	// parallel key); 0 = 1. A project waiting on a slow GitLab holds one
	// slot, never the others.
	Parallel int
	// Prune, when set, is called at start and then every PruneEvery (0 =
	// DefaultPruneEvery) while the loop runs, beside the runs: the
	// housekeeping of a long-running process (scheduler.Runner.PruneCache).
	Prune      func()
	PruneEvery time.Duration
}

// Errors of Trigger. A project the loop does not run is
// config.ErrUnknownProject.
var ErrStopped = errors.New("daemon is stopping")

// Loop runs the configured projects: once at start, then on the schedule
// and on Trigger. Create it with NewLoop and start it with Run.
type Loop struct {
	run      RunFunc
	sched    config.Cron
	clock    Clock
	metrics  *metrics.Metrics
	log      logrus.FieldLogger
	debounce time.Duration
	grace    time.Duration
	sem      chan struct{}
	prune    func()
	pruneGap time.Duration

	projects map[string]*project // projects and order: guarded by mu (SetProjects)
	order    []*project

	mu    sync.Mutex
	state State
	// While running: the contexts workers get, and the workers.
	stopCtx, runCtx context.Context
	workers         sync.WaitGroup
}

// NewLoop checks cfg and returns a Loop ready to Run.
func NewLoop(cfg LoopConfig) (*Loop, error) {
	if cfg.Run == nil {
		return nil, errors.New("daemon: no RunFunc")
	}
	if len(cfg.Projects) == 0 && !cfg.NoProjects {
		return nil, errors.New("daemon: no projects configured")
	}
	l := &Loop{
		run:      cfg.Run,
		sched:    cfg.Cron,
		clock:    cfg.Clock,
		metrics:  cfg.Metrics,
		log:      cfg.Log,
		debounce: cfg.Debounce,
		grace:    cfg.Grace,
		prune:    cfg.Prune,
		pruneGap: cfg.PruneEvery,
		sem:      make(chan struct{}, max(cfg.Parallel, 1)),
		projects: make(map[string]*project, len(cfg.Projects)),
	}
	if l.clock == nil {
		l.clock = SystemClock
	}
	if l.log == nil {
		l.log = logrus.StandardLogger()
	}
	if l.debounce <= 0 {
		l.debounce = DefaultDebounce
	}
	if l.grace <= 0 {
		l.grace = DefaultGrace
	}
	if l.pruneGap <= 0 {
		l.pruneGap = DefaultPruneEvery
	}
	for _, name := range cfg.Projects {
		if name == "" {
			return nil, errors.New("daemon: empty project name")
		}
		if _, dup := l.projects[name]; dup {
			return nil, fmt.Errorf("daemon: project %q listed twice", name)
		}
		p := newProject(name)
		l.projects[name] = p
		l.order = append(l.order, p)
	}
	return l, nil
}

// Run runs the projects until ctx is cancelled, then waits for runs in
// flight as the package doc describes, and returns nil. It may be called
// once.
func (l *Loop) Run(ctx context.Context) error {
	l.mu.Lock()
	if l.state != StateNew {
		l.mu.Unlock()
		return errors.New("daemon: Loop.Run called twice")
	}
	stopping := make(chan struct{})
	runCtx, cancelRuns := context.WithCancel(stop.With(context.WithoutCancel(ctx), stopping))
	defer cancelRuns()
	l.state, l.stopCtx, l.runCtx = StateRunning, ctx, runCtx
	l.log.WithField("projects", len(l.order)).Info("daemon started")
	for _, p := range l.order {
		l.workers.Go(func() { l.work(ctx, runCtx, p) })
	}
	if l.prune != nil {
		l.workers.Go(func() { l.pruneLoop(ctx) })
	}
	l.mu.Unlock()

	<-ctx.Done()
	l.setState(StateStopping)
	close(stopping)
	l.log.Info("daemon stopping: no new runs; waiting for runs in flight")

	done := make(chan struct{})
	go func() {
		l.workers.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-l.clock.After(l.grace):
		l.log.WithField("grace", l.grace.String()).Warn("grace period over: cancelling runs in flight")
		cancelRuns()
		<-done
	}
	l.setState(StateStopped)
	l.log.Info("daemon stopped")
	return nil
}

// Trigger asks for a run of project soon (after the debounce), instead of
// at the next scheduled time. Triggers before that run starts, or while
// one is in flight, fold into one run.
func (l *Loop) Trigger(project string) error {
	l.mu.Lock()
	p, ok := l.projects[project]
	l.mu.Unlock()
	if !ok {
		return fmt.Errorf("trigger %q: %w", project, config.ErrUnknownProject)
	}
	if s := l.State(); s == StateStopping || s == StateStopped {
		return fmt.Errorf("trigger %q: %w", project, ErrStopped)
	}
	p.mu.Lock()
	p.status.Pending = true
	p.mu.Unlock()
	select {
	case p.kick <- struct{}{}:
	default: // the worker has a wake-up queued already
	}
	return nil
}

// Now is the loop's clock's time.
func (l *Loop) Now() time.Time { return l.clock.Now() }

func (l *Loop) setState(s State) {
	l.mu.Lock()
	l.state = s
	l.mu.Unlock()
}

// State is where the loop is in its life.
func (l *Loop) State() State {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.state
}

// State is a Loop's stage of life.
type State int

// States of a Loop, in order.
const (
	StateNew State = iota
	StateRunning
	StateStopping
	StateStopped
)

func (s State) String() string {
	switch s {
	case StateNew:
		return "new"
	case StateRunning:
		return "running"
	case StateStopping:
		return "stopping"
	case StateStopped:
		return "stopped"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// ProjectStatus is what the loop knows about one project.
type ProjectStatus struct {
	Project     string
	Running     bool      // a run is in flight
	Pending     bool      // a trigger waits for its run
	Runs        int       // runs finished
	NextRun     time.Time // next scheduled run; zero before the first run ends
	LastRun     time.Time // when the last run finished
	LastSuccess time.Time // when the last successful run finished
	LastErr     error     // the last run's error; nil if it succeeded
}

// Status reports every project, in configured order.
func (l *Loop) Status() []ProjectStatus {
	l.mu.Lock()
	order := l.order
	l.mu.Unlock()
	out := make([]ProjectStatus, 0, len(order))
	for _, p := range order {
		out = append(out, p.snapshot())
	}
	return out
}

// pruneLoop calls the Prune hook at start and then every PruneEvery,
// until the stop.
func (l *Loop) pruneLoop(stop context.Context) {
	for {
		l.prune()
		select {
		case <-stop.Done():
			return
		case <-l.clock.After(l.pruneGap):
		}
	}
}
