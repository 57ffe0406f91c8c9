package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"
	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/app"
	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/daemon"
	"github.com/pinwheel-dev/pinwheel/metrics"
	"github.com/pinwheel-dev/pinwheel/shard"
	"github.com/pinwheel-dev/pinwheel/state"
	"github.com/pinwheel-dev/pinwheel/testbot"
)

func init() { commands = append(commands, newDaemonCmd) }

func newDaemonCmd() *cobra.Command {
	var configPath, shardFlag string
	cmd := &cobra.Command{
		Use:   "daemon --config FILE [--shard K/N]",
		Short: "Run pinwheel as a service: at start, then on the cron schedule",
		Long: `Run every configured project at start, then on the config's cron schedule
(default @hourly). The HTTP listener (config "listen") serves /healthz,
/metrics (Prometheus) and POST /hooks/gitlab: an edit of a dependency
dashboard issue, signed with the secret in the variable webhook_secret_env
names, runs that project within seconds. With a bot section, a comment
"@<pinwheel's user> test [key=value]" on a merge request of a listed package
runs the pipeline project with that merge request's code (see pinwheel
trigger); the daemon may then run with no projects.

SIGTERM or SIGINT stops starting runs, lets the run in flight finish (it is
cancelled after a grace minute; every run is safe to interrupt between two
GitLab calls), and exits 0. The state file's lock allows one daemon per
state file.

--shard K/N (or PINWHEEL_SHARD=K/N; "/N" takes K from the host name's
-<ordinal>, as a StatefulSet's pods are named) makes this daemon shard K of
a fleet of N: it runs only the projects whose GitLab id hashes to K, keeps
its own state file (state-K.db beside the config's), forwards a webhook
for a project another shard owns to that shard (config "shard_address"),
and runs the bot only as shard 0.` + exitStatus("after SIGTERM or SIGINT", "when the listener cannot start",
			"a bad config or no projects, an unset or empty token variable, a state file another pinwheel holds or that is damaged"),
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadRunConfig(configPath, true)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, os.Interrupt)
			defer stop()
			return runDaemon(ctx, cfg, newLogger(cfg.Log, cmd), daemonOpts{Getenv: os.Getenv, LookupEnv: os.LookupEnv, Shard: shardFlag})
		},
	}
	cmd.Flags().StringVar(&configPath, "config", "", "config `FILE` (required)")
	addShardFlag(cmd.Flags(), &shardFlag)
	return cmd
}

// newLogger builds the daemon's logger from the config's log section.
func newLogger(lc config.Log, cmd *cobra.Command) logrus.FieldLogger {
	l := logrus.New()
	l.SetOutput(cmd.ErrOrStderr())
	l.SetLevel(lc.Level)
	if lc.Format == "text" {
		l.SetFormatter(&logrus.TextFormatter{FullTimestamp: true})
	} else {
		l.SetFormatter(&logrus.JSONFormatter{})
	}
	return logrus.NewEntry(l)
}

// daemonOpts are runDaemon's inputs besides the config; tests set the
// hooks and the time.
type daemonOpts struct {
	Getenv    func(string) string
	LookupEnv func(string) (string, bool)
	// Shard is the --shard flag's value.
	Shard string
	// Now, Debounce and GitLabOptions are passed on (see app.Options and
	// daemon.LoopConfig); zero values are the defaults.
	Now           time.Time
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

func runDaemon(ctx context.Context, cfg *config.Config, log logrus.FieldLogger, opts daemonOpts) error {
	getenv := opts.Getenv
	sh, err := resolveShard(opts.Shard, getenv)
	if err != nil {
		return err
	}
	cfg.State = shardState(cfg.State, sh)
	// The test bot runs on shard 0 alone; the others forward its hooks.
	runBot := cfg.Bot != nil && sh.Index == 0
	secret := ""
	if cfg.Listen != "" && cfg.WebhookSecretEnv != "" {
		if secret = getenv(cfg.WebhookSecretEnv); secret == "" {
			log.Warnf("webhook disabled: environment variable %s is not set", cfg.WebhookSecretEnv)
		}
	}
	m := metrics.New()
	httpClient := &http.Client{Transport: metrics.Transport(pooledTransport(), m)}
	clock := clockFrom(opts.Now)
	var db *state.DB
	if runBot {
		// The bot and the runner share the state file, which only one
		// handle may hold.
		if db, err = state.Open(cfg.State, state.WithClock(clock)); err != nil {
			return usageError(err)
		}
		defer db.Close()
	}
	a, err := app.New(cfg, app.Options{
		Log:           log,
		Getenv:        getenv,
		LookupEnv:     opts.LookupEnv,
		Clock:         clock,
		GitLabOptions: opts.GitLabOptions,
		HTTPClient:    httpClient,
		// The "run again" box only makes sense when a tick reaches us.
		ManualRunBox: secret != "",
		State:        db,
		Metrics:      m,
	})
	if err != nil {
		return usageError(err)
	}
	defer a.Close()
	runner := a.Runner
	var bot *testbot.Bot
	if runBot {
		bot, err = buildBot(cfg, botOpts{Getenv: getenv, LookupEnv: opts.LookupEnv, State: db, HTTPClient: httpClient, GitLabOptions: opts.GitLabOptions, Metrics: m, Log: log, Clock: opts.BotClock, AfterWork: opts.BotAfterWork})
		if err != nil {
			return usageError(err)
		}
	}

	finder := newFinder(cfg, runner, sh, log)
	if chooses(cfg, sh) {
		chooseProjects(ctx, finder, runner, log)
	}
	projects, dashboards := loopProjects(runner.Projects())
	loop, err := daemon.NewLoop(daemon.LoopConfig{
		Projects:   projects,
		NoProjects: bot != nil || chooses(cfg, sh),
		Cron:       cfg.Cron,
		Parallel:   cfg.Parallel,
		Metrics:    m,
		Log:        log,
		Debounce:   opts.Debounce,
		Prune:      runner.PruneCache,
		Run: func(ctx context.Context, project string) (daemon.Result, error) {
			rep, err := a.Runner.RunProject(ctx, project)
			if opts.AfterRun != nil {
				opts.AfterRun(project, err)
			}
			return daemon.Result{UpdatesFound: rep.UpdatesFound, MRsOpened: rep.MRsOpened, MRsUpdated: rep.MRsUpdated}, err
		},
	})
	if err != nil {
		return usageError(err)
	}
	matcher := daemon.NewBotMatcher(ctx, runner.BotUsername, dashboards, log)
	if cfg.Autodiscover != nil {
		// Found projects come and go: look again at every cron time. The
		// state file closes after the last look.
		var wg sync.WaitGroup
		defer wg.Wait()
		wg.Go(func() {
			loop.Refresh(ctx, func(ctx context.Context) ([]string, error) {
				chooseProjects(ctx, finder, runner, log)
				names, ds := loopProjects(runner.Projects())
				matcher.SetDashboards(ds)
				return names, nil
			})
		})
	}
	var srv *daemon.Server
	if cfg.Listen != "" {
		scfg := daemon.ServerConfig{
			Addr:          cfg.Listen,
			Loop:          loop,
			Metrics:       m,
			WebhookSecret: secret,
			MatchIssue:    matcher.Match,
			Log:           log,
		}
		if bot != nil {
			scfg.Bot = bot
		}
		if len(projects) > 0 || cfg.Autodiscover != nil {
			// Commands on pinwheel's merge requests: answered by the
			// project's run, which the note webhook triggers.
			scfg.Commands = runner
		}
		if sh.Count > 1 {
			addrs, err := shard.ParseAddresses(cfg.ShardAddress)
			if err != nil {
				return usageError(fmt.Errorf("shard_address: %w", err))
			}
			scfg.Forward = &daemon.Forwarder{Shard: sh, Addresses: addrs, Bot: cfg.Bot != nil}
		}
		srv = daemon.NewServer(scfg)
		if err := srv.Listen(); err != nil {
			return err
		}
		if opts.OnListen != nil {
			opts.OnListen(srv.Addr())
		}
	}
	if bot != nil {
		// The bot stops with the daemon; the state file closes after it.
		botCtx, stopBot := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Go(func() { _ = bot.Run(botCtx) })
		defer wg.Wait()
		defer stopBot()
	}
	return daemon.Serve(ctx, loop, srv)
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
