package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"

	"github.com/pinwheel-dev/pinwheel/app"
	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/scheduler"
)

func init() { commands = append(commands, newRunCmd) }

type runFlags struct {
	config, project, now, state, shard string
	dryRun                             bool
}

func newRunCmd() *cobra.Command {
	var fl runFlags
	cmd := &cobra.Command{
		Use:   "run --config FILE [--project PATH] [--dry-run] [--now TIME] [--state FILE] [--shard K/N]",
		Short: "Run pinwheel once over the configured GitLab projects",
		Long: `Run pinwheel once: for each configured project (or only --project), read the
constraints file from GitLab, look the pins up on the index, update the
dependency dashboard and open or rebuild merge requests inside the schedule
window and the limits.

--dry-run reads GitLab and the index, prints every action it would take and
writes nothing, anywhere: not to GitLab, and not to the state file, which it
only reads (into a temporary copy deleted at exit; an empty one when there
is no state file yet or a daemon holds it). --now previews a run at another
time (schedule window and release ages). --state uses another state file
than the config's. --shard K/N (or PINWHEEL_SHARD) runs only the projects
of shard K of a fleet of N, with its own state file (state-K.db beside the
config's); with autodiscover, the projects found on GitLab join the
configured ones.` + exitStatus("when every project ran", "when one failed",
			"a bad config, an unset or empty token variable, a state file that is locked or damaged"),
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runRun(cmd, fl) },
	}
	f := cmd.Flags()
	f.StringVar(&fl.config, "config", "", "config `FILE` (required)")
	f.StringVar(&fl.project, "project", "", "run only the project at `PATH`")
	f.BoolVar(&fl.dryRun, "dry-run", false, "print the actions, write nothing (not even the state file)")
	f.StringVar(&fl.now, "now", "", "run as if it were `TIME` (RFC 3339, e.g. 2026-03-01T09:00:00Z)")
	f.StringVar(&fl.state, "state", "", "state `FILE` (default: the config's state)")
	addShardFlag(f, &fl.shard)
	return cmd
}

func runRun(cmd *cobra.Command, fl runFlags) error {
	cfg, err := loadRunConfig(fl.config, false)
	if err != nil {
		return err
	}
	now, err := parseNow(fl.now)
	if err != nil {
		return err
	}
	sh, err := resolveShard(fl.shard, os.Getenv)
	if err != nil {
		return err
	}
	cfg.State = app.ShardState(cfg.State, sh)
	if fl.state != "" {
		cfg.State = fl.state
	}
	if fl.project != "" && !app.Chooses(cfg, sh) && !configured(cfg, fl.project) {
		return usageError(fmt.Errorf("--project %s: %w", fl.project, scheduler.ErrUnknownProject))
	}
	l := logrus.New()
	l.SetOutput(cmd.ErrOrStderr())
	l.SetLevel(cfg.Log.Level)
	l.SetFormatter(&logrus.TextFormatter{DisableTimestamp: true})
	a, err := app.New(cfg, app.Options{
		DryRun: fl.dryRun, Clock: clockFrom(now), Log: logrus.NewEntry(l),
		Out: cmd.OutOrStdout(), Getenv: os.Getenv, LookupEnv: os.LookupEnv,
	})
	if err != nil {
		return usageError(err)
	}
	defer a.Close()
	runner := a.Runner

	// SIGTERM too: a CI job or a service manager stops pinwheel with it,
	// and a run is safe to interrupt between any two GitLab calls.
	ctx, stop := jobContext(cmd)
	defer stop()
	var failed []string
	if app.Chooses(cfg, sh) {
		res := a.ChooseProjects(ctx, a.NewFinder(cfg, sh, logrus.NewEntry(l)), logrus.NewEntry(l))
		for _, err := range res.Problems {
			fmt.Fprintln(cmd.ErrOrStderr(), "choosing the projects:", err)
		}
		if len(res.Problems) > 0 {
			failed = append(failed, "the choice of projects")
		}
		if fl.project != "" && !runs(runner, fl.project) {
			return usageError(notOwned(cfg, sh, fl.project))
		}
	}
	var reports []scheduler.Report
	if fl.project != "" {
		rep, _ := runner.RunProject(ctx, fl.project)
		reports = append(reports, rep)
	} else {
		reports = runner.RunAll(ctx)
	}
	runner.PruneCache()
	for _, rep := range reports {
		if rep.Err != nil {
			fmt.Fprintln(cmd.ErrOrStderr(), rep.Summary(fl.dryRun))
			failed = append(failed, rep.Project)
			continue
		}
		fmt.Fprintln(cmd.OutOrStdout(), rep.Summary(fl.dryRun))
	}
	if len(failed) > 0 {
		return &exitError{code: 1, err: fmt.Errorf("run failed for %s", strings.Join(failed, ", "))}
	}
	return nil
}

func runs(r *scheduler.Runner, path string) bool {
	for _, p := range r.Projects() {
		if strings.EqualFold(p.Path, path) {
			return true
		}
	}
	return false
}

func configured(cfg *config.Config, path string) bool {
	for _, p := range cfg.Projects {
		if strings.EqualFold(p.Path, path) {
			return true
		}
	}
	return false
}
