package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/scheduler"
)

func init() { commands = append(commands, newRunCmd) }

type runFlags struct {
	config, project, now string
	dryRun               bool
}

func newRunCmd() *cobra.Command {
	var fl runFlags
	cmd := &cobra.Command{
		Use:   "run --config FILE [--project PATH] [--dry-run] [--now TIME]",
		Short: "Run pinwheel once over the configured GitLab projects",
		Long: `Run pinwheel once: for each configured project (or only --project), read the
constraints file from GitLab, look the pins up on the index, update the
dependency dashboard and open or rebuild merge requests inside the schedule
window and the limits.

--dry-run reads GitLab and the index, prints every action it would take and
writes nothing. --now previews a run at another time (schedule window and
release ages).

Exit status: 0 when every project ran, 1 when one failed, 2 on usage or
config errors.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runRun(cmd, fl) },
	}
	f := cmd.Flags()
	f.StringVar(&fl.config, "config", "", "config `FILE` (required)")
	f.StringVar(&fl.project, "project", "", "run only the project at `PATH`")
	f.BoolVar(&fl.dryRun, "dry-run", false, "print the actions, write nothing")
	f.StringVar(&fl.now, "now", "", "run as if it were RFC 3339 `TIME`")
	return cmd
}

func runRun(cmd *cobra.Command, fl runFlags) error {
	if fl.config == "" {
		return usageError(errors.New("--config is required"))
	}
	cfg, err := config.Load(fl.config)
	if err != nil {
		return usageError(err)
	}
	var now time.Time
	if fl.now != "" {
		if now, err = time.Parse(time.RFC3339, fl.now); err != nil {
			return usageError(fmt.Errorf("--now: %w", err))
		}
	}
	if fl.project != "" && !configured(cfg, fl.project) {
		return usageError(fmt.Errorf("--project %s: %w", fl.project, scheduler.ErrUnknownProject))
	}
	l := logrus.New()
	l.SetOutput(cmd.ErrOrStderr())
	l.SetLevel(cfg.Log.Level)
	l.SetFormatter(&logrus.TextFormatter{DisableTimestamp: true})
	runner, closeState, err := buildRunner(cfg, runnerOpts{
		DryRun: fl.dryRun, Now: now, Log: logrus.NewEntry(l),
		Out: cmd.OutOrStdout(), Getenv: os.Getenv, LookupEnv: os.LookupEnv,
	})
	if err != nil {
		return usageError(err)
	}
	defer closeState()

	// SIGTERM too: a CI job or a service manager stops pinwheel with it,
	// and a run is safe to interrupt between any two GitLab calls.
	ctx, stop := jobContext(cmd)
	defer stop()
	var reports []scheduler.Report
	if fl.project != "" {
		rep, _ := runner.RunProject(ctx, fl.project)
		reports = append(reports, rep)
	} else {
		reports = runner.RunAll(ctx)
	}
	var failed []string
	for _, rep := range reports {
		verb := ""
		if fl.dryRun {
			verb = "would be "
		}
		fmt.Fprintf(cmd.OutOrStdout(), "%s: %d update(s), %d MR(s) %sopened, %d %supdated, %d write(s), %d problem(s) (listed on the dashboard and in the log)\n",
			rep.Project, rep.UpdatesFound, rep.MRsOpened, verb, rep.MRsUpdated, verb, rep.Writes, rep.Problems)
		if rep.Err != nil {
			fmt.Fprintf(cmd.ErrOrStderr(), "%s: %v\n", rep.Project, rep.Err)
			failed = append(failed, rep.Project)
		}
	}
	if len(failed) > 0 {
		return &exitError{code: 1, err: fmt.Errorf("run failed for %s", strings.Join(failed, ", "))}
	}
	return nil
}

func configured(cfg *config.Config, path string) bool {
	for _, p := range cfg.Projects {
		if strings.EqualFold(p.Path, path) {
			return true
		}
	}
	return false
}
