package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/pinwheel-dev/pinwheel/app"
	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/state"
	"github.com/pinwheel-dev/pinwheel/testbot"
)

func init() { commands = append(commands, newTriggerCmd) }

func newTriggerCmd() *cobra.Command {
	var configPath, project string
	var iid int64
	var wait bool
	cmd := &cobra.Command{
		Use:   "trigger --config FILE --project PATH --mr IID [key=value ...]",
		Short: "Run the pipeline with a package merge request's code, as '@pinwheel test' does",
		Long: `Trigger the config's bot.trigger_project at bot.trigger_ref with the package
merge request's head commit (variable <name>_pip_url), the configured
bot.variables and the key=value pairs given, exactly as the comment
"@pinwheel test [key=value] ..." on the merge request does, and print the
pipeline's URL. It writes no note on the merge request, and it does not check
the caller's role: whoever holds pinwheel's token may.

With --wait it checks the pipeline every bot.poll_interval until it finishes,
and exits 0 only when it succeeded.

It keeps no record between runs, so each call triggers a new pipeline.

Exit status: 0 when triggered (with --wait: when the pipeline succeeded), 1
when it could not be triggered or (with --wait) did not succeed, 2 on usage
or config errors (a --project not among bot.packages).`,
		Args: usageArgs(cobra.ArbitraryArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if configPath == "" || project == "" || iid <= 0 {
				return usageError(errors.New("--config, --project and --mr are required"))
			}
			cfg, err := config.Load(configPath)
			if err != nil {
				return usageError(err)
			}
			if cfg.Bot == nil {
				return usageError(fmt.Errorf("%s has no bot section", configPath))
			}
			req := testbot.Request{Project: project, MRIID: iid}
			for _, arg := range args {
				v, err := testbot.ParsePair(arg)
				if err != nil {
					return usageError(err)
				}
				req.Variables = append(req.Variables, v)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, os.Interrupt)
			defer stop()
			return runTrigger(ctx, cmd, cfg, req, wait, app.BotOptions{Getenv: os.Getenv, LookupEnv: os.LookupEnv})
		},
	}
	cmd.Flags().StringVar(&configPath, "config", "", "config `FILE` with a bot section (required)")
	cmd.Flags().StringVar(&project, "project", "", "the package project's `PATH`, as in bot.packages (required)")
	cmd.Flags().Int64Var(&iid, "mr", 0, "the merge request's `IID` (required)")
	cmd.Flags().BoolVar(&wait, "wait", false, "wait for the pipeline's result; exit 0 only on success")
	return cmd
}

// runTrigger starts one test and prints it. The daemon holds the state
// file, so the command keeps its record in a temporary one; o's State and
// Log are set here.
func runTrigger(ctx context.Context, cmd *cobra.Command, cfg *config.Config, req testbot.Request, wait bool, o app.BotOptions) error {
	dir, err := os.MkdirTemp("", "pinwheel-trigger-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := state.Open(filepath.Join(dir, "state.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	o.State, o.Log = db, newLogger(config.Log{Format: "text", Level: cfg.Log.Level}, cmd)
	bot, err := app.NewBot(cfg, o)
	if err != nil {
		return usageError(err)
	}
	out := cmd.OutOrStdout()
	rec, err := bot.Start(ctx, req)
	if errors.Is(err, testbot.ErrNotAPackage) {
		return usageError(err)
	}
	if err != nil {
		return fmt.Errorf("test !%d of %s: %w", req.MRIID, req.Project, err)
	}
	fmt.Fprintf(out, "pipeline %d of %s at %s for %s: %s\n", rec.PipelineID, cfg.Bot.TriggerProject, cfg.Bot.TriggerRef, rec.SHA, rec.PipelineURL)
	for _, v := range rec.Variables {
		fmt.Fprintf(out, "  %s=%s\n", v.Key, testbot.Shown(v))
	}
	if !wait {
		return nil
	}
	rec, err = bot.Wait(ctx, rec)
	if err != nil {
		return fmt.Errorf("wait for pipeline %d: %w", rec.PipelineID, err)
	}
	fmt.Fprintf(out, "pipeline %d: %s\n", rec.PipelineID, rec.Status)
	if rec.Status != "success" {
		return errors.New("pipeline " + strconv.FormatInt(rec.PipelineID, 10) + " " + rec.Status)
	}
	return nil
}
