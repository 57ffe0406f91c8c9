package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"

	"github.com/pinwheel-dev/pinwheel/app"
	"github.com/pinwheel-dev/pinwheel/config"
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
			return runDaemon(ctx, cfg, newLogger(cfg.Log, cmd), daemonOpts{Shard: shardFlag, DaemonOptions: app.DaemonOptions{Getenv: os.Getenv, LookupEnv: os.LookupEnv}})
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
	// Shard is the --shard flag's value, Now the --now flag's (zero: the
	// real time).
	Shard string
	Now   time.Time
	// DaemonOptions are passed on; runDaemon sets their Log, Shard and
	// Clock.
	app.DaemonOptions
}

// runDaemon wires the daemon (app.NewDaemon) and runs it; a wiring error
// is the config's or the environment's (exit 2), a Run error the
// listener's (exit 1).
func runDaemon(ctx context.Context, cfg *config.Config, log logrus.FieldLogger, opts daemonOpts) error {
	sh, err := resolveShard(opts.Shard, opts.Getenv)
	if err != nil {
		return err
	}
	o := opts.DaemonOptions
	o.Log, o.Shard, o.Clock = log, sh, clockFrom(opts.Now)
	d, err := app.NewDaemon(ctx, cfg, o)
	if err != nil {
		return usageError(err)
	}
	return d.Run(ctx)
}
