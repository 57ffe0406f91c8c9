package app

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/daemon"
	"github.com/pinwheel-dev/pinwheel/discover"
	"github.com/pinwheel-dev/pinwheel/internal/discard"
	"github.com/pinwheel-dev/pinwheel/metrics"
	"github.com/pinwheel-dev/pinwheel/shard"
	"github.com/pinwheel-dev/pinwheel/state"
	"github.com/pinwheel-dev/pinwheel/testbot"
)

// DaemonOptions are what a caller adds to the config when it builds a
// Daemon; tests set the hooks and the time.
type DaemonOptions struct {
	Getenv    func(string) string
	LookupEnv func(string) (string, bool)
	Log       logrus.FieldLogger // nil = discards
	// Shard is this instance's place in the fleet (the zero Shard runs
	// every project).
	Shard shard.Shard
	// Clock is the runs' time (nil = time.Now); Debounce and
	// GitLabOptions are passed on (see Options and daemon.LoopConfig);
	// zero values are the defaults.
	Clock         func() time.Time
	Debounce      time.Duration
	GitLabOptions []gitlab.ClientOptionFunc
	// OnListen sees the listener's address once it is bound.
	OnListen func(net.Addr)
	// AfterRun sees every finished run.
	AfterRun func(project string, err error)
	// BotClock is the test bot's clock (nil = the real time); BotAfterWork
	// sees each piece of work the bot finished.
	BotClock     daemon.Clock
	BotAfterWork func()
}

// Daemon is pinwheel as a service, wired: the daemon.Loop over the
// Runner, the HTTP server with its webhook routing (and, in a fleet, its
// forwarding to the owning shard), the project chooser and the test bot.
// Build it with NewDaemon and run it once with Run.
type Daemon struct {
	cfg        *config.Config
	log        logrus.FieldLogger
	opts       DaemonOptions
	app        *App
	db         *state.DB // the bot's and the runner's, when the bot runs
	bot        *testbot.Bot
	finder     *discover.Finder
	loop       *daemon.Loop
	dashboards []daemon.Dashboard
	secret     string
	forward    *daemon.Forwarder
	metrics    *metrics.Metrics
	hasProject bool
}

// NewDaemon wires a Daemon for cfg: it opens the state file (shard K's
// own, see ShardState), builds the runner and the bot, and chooses the
// projects to run (with ctx, when they need choosing). Every error is one
// of the config or of the environment; Close releases what it opened.
func NewDaemon(ctx context.Context, cfg *config.Config, opts DaemonOptions) (_ *Daemon, err error) {
	log := opts.Log
	if log == nil {
		log = discard.Logger()
	}
	getenv := opts.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	clock := opts.Clock
	if clock == nil {
		clock = time.Now
	}
	sh := opts.Shard
	cfg.State = ShardState(cfg.State, sh)
	d := &Daemon{cfg: cfg, log: log, opts: opts, metrics: metrics.New()}
	defer func() {
		if err != nil {
			_ = d.Close()
		}
	}()
	if cfg.Listen != "" && cfg.WebhookSecretEnv != "" {
		if d.secret = getenv(cfg.WebhookSecretEnv); d.secret == "" {
			log.Warnf("webhook disabled: environment variable %s is not set", cfg.WebhookSecretEnv)
		}
	}
	httpClient := &http.Client{Transport: metrics.Transport(pooledTransport(), d.metrics)}
	// The test bot runs on shard 0 alone; the others forward its hooks.
	runBot := cfg.Bot != nil && sh.Index == 0
	if runBot {
		// The bot and the runner share the state file, which only one
		// handle may hold.
		if d.db, err = state.Open(cfg.State, state.WithClock(clock)); err != nil {
			return nil, err
		}
	}
	if d.app, err = New(cfg, Options{
		Log: log, Getenv: getenv, LookupEnv: opts.LookupEnv, Clock: clock,
		GitLabOptions: opts.GitLabOptions, HTTPClient: httpClient,
		// The "run again" box only makes sense when a tick reaches us.
		ManualRunBox: d.secret != "",
		State:        d.db,
		Metrics:      d.metrics,
	}); err != nil {
		return nil, err
	}
	if runBot {
		if d.bot, err = NewBot(cfg, BotOptions{
			Getenv: getenv, LookupEnv: opts.LookupEnv, State: d.db, HTTPClient: httpClient,
			GitLabOptions: opts.GitLabOptions, Metrics: d.metrics, Log: log,
			Clock: opts.BotClock, AfterWork: opts.BotAfterWork,
		}); err != nil {
			return nil, err
		}
	}
	if cfg.Listen != "" && sh.Count > 1 {
		addrs, err := shard.ParseAddresses(cfg.ShardAddress)
		if err != nil {
			return nil, fmt.Errorf("shard_address: %w", err)
		}
		d.forward = &daemon.Forwarder{Shard: sh, Addresses: addrs, Bot: cfg.Bot != nil}
	}

	d.finder = d.app.NewFinder(cfg, sh, log)
	if Chooses(cfg, sh) {
		d.app.ChooseProjects(ctx, d.finder, log)
	}
	var projects []string
	projects, d.dashboards = loopProjects(d.app.Runner.Projects())
	d.hasProject = len(projects) > 0 || cfg.Autodiscover != nil
	if d.loop, err = daemon.NewLoop(daemon.LoopConfig{
		Projects:   projects,
		NoProjects: d.bot != nil || Chooses(cfg, sh),
		Cron:       cfg.Cron,
		Parallel:   cfg.Parallel,
		Metrics:    d.metrics,
		Log:        log,
		Debounce:   opts.Debounce,
		Prune:      d.app.Runner.PruneCache,
		Run:        d.run,
	}); err != nil {
		return nil, err
	}
	return d, nil
}

// run is the loop's RunFunc: the loop's context carries its stop signal
// (package internal/stop), which the Runner reads.
func (d *Daemon) run(ctx context.Context, project string) (daemon.Result, error) {
	rep, err := d.app.Runner.RunProject(ctx, project)
	if d.opts.AfterRun != nil {
		d.opts.AfterRun(project, err)
	}
	return daemon.Result{UpdatesFound: rep.UpdatesFound, MRsOpened: rep.MRsOpened, MRsUpdated: rep.MRsUpdated}, err
}

// Run serves until ctx is cancelled, then stops as package daemon
// describes and closes the Daemon. Its error is the listener's (it could
// not bind): the config was checked by NewDaemon. It may be called once.
func (d *Daemon) Run(ctx context.Context) error {
	defer d.Close()
	matcher := daemon.NewBotMatcher(ctx, d.app.Runner.BotUsername, d.dashboards, d.log)
	if d.cfg.Autodiscover != nil {
		// Found projects come and go: look again at every cron time. The
		// state file closes after the last look.
		var wg sync.WaitGroup
		defer wg.Wait()
		wg.Go(func() {
			d.loop.Refresh(ctx, func(ctx context.Context) ([]string, error) {
				d.app.ChooseProjects(ctx, d.finder, d.log)
				names, ds := loopProjects(d.app.Runner.Projects())
				matcher.SetDashboards(ds)
				return names, nil
			})
		})
	}
	var srv *daemon.Server
	if d.cfg.Listen != "" {
		scfg := daemon.ServerConfig{
			Addr:          d.cfg.Listen,
			Loop:          d.loop,
			Metrics:       d.metrics,
			WebhookSecret: d.secret,
			MatchIssue:    matcher.Match,
			Log:           d.log,
			Forward:       d.forward,
		}
		if d.bot != nil {
			scfg.Bot = d.bot
		}
		if d.hasProject {
			// Commands on pinwheel's merge requests: answered by the
			// project's run, which the note webhook triggers.
			scfg.Commands = d.app.Runner
		}
		srv = daemon.NewServer(scfg)
		if err := srv.Listen(); err != nil {
			return err
		}
		if d.opts.OnListen != nil {
			d.opts.OnListen(srv.Addr())
		}
	}
	if d.bot != nil {
		// The bot stops with the daemon; the state file closes after it.
		botCtx, stopBot := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Go(func() { _ = d.bot.Run(botCtx) })
		defer wg.Wait()
		defer stopBot()
	}
	return daemon.Serve(ctx, d.loop, srv)
}

// Close releases the state file; Run calls it. It may be called again.
func (d *Daemon) Close() error {
	var err error
	if d.app != nil {
		err = d.app.Close()
		d.app.closeState = func() error { return nil }
	}
	if d.db != nil {
		if e := d.db.Close(); err == nil {
			err = e
		}
		d.db = nil
	}
	return err
}

// loopProjects are the loop's keys and the dashboards of projects.
func loopProjects(ps []config.Project) (names []string, dashboards []daemon.Dashboard) {
	for _, p := range ps {
		names = append(names, p.Path)
		if p.Dashboard.Enabled {
			dashboards = append(dashboards, daemon.Dashboard{Project: p.Path, Title: p.Dashboard.Title, Label: p.Dashboard.Label})
		}
	}
	return names, dashboards
}
