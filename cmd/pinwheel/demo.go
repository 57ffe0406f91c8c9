package main

import (
	"fmt"
	"os"
	"os/signal"

	"github.com/spf13/cobra"

	"github.com/pinwheel-dev/pinwheel/demo"
)

func init() { commands = append(commands, newDemoCmd) }

func newDemoCmd() *cobra.Command {
	var opts demo.Options
	cmd := &cobra.Command{
		Use:   "demo [--step N] [--markdown] [--serve]",
		Short: "Show pinwheel at work against its built-in GitLab and index simulators",
		Long: `Start the built-in GitLab and package index simulators with a sample
project, print the configuration, then play a week of pinwheel's runs: a
weekday run (the dashboard lists the updates, no merge request yet), a
maintainer ticking a box, the weekend run opening merge requests within the
limits, a pipeline failing and another succeeding and merging by auto-merge,
a maintainer closing a merge request, a person bumping a pin by hand (pinwheel
closes the merge request it made obsolete), a developer commenting
"@pinwheel test" on a merge request of the team's package (pinwheel's reply
shows the pipeline it triggered, then its result), the team deploying that
package by moving its production branch and rolling it back (pinwheel deploy
and rollback, with the real git) and a quiet run that writes nothing. After
each step it prints the dashboard as GitLab shows it and every merge request
opened or changed, with its diff. Needs no network and no config; the deploy
step needs git on PATH.

--step N stops after step N. --markdown prints the raw markdown instead.
--serve keeps the simulators running on 127.0.0.1 after the steps and prints
their URLs and a ready-to-paste 'pinwheel run' command; Ctrl-C stops them.` + exitStatus("after the last step", "when a step failed"),
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Steps < 0 || opts.Steps > demo.StepCount() {
				return usageError(fmt.Errorf("--step %d: want 1 to %d", opts.Steps, demo.StepCount()))
			}
			// On Ctrl-C the demo stops (with --serve: ends normally) and
			// still removes its temporary state directory.
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			return demo.Run(ctx, cmd.OutOrStdout(), opts)
		},
	}
	f := cmd.Flags()
	f.IntVar(&opts.Steps, "step", 0, "stop after step `N` (default: play them all)")
	f.BoolVar(&opts.Markdown, "markdown", false, "print the dashboard and descriptions as raw markdown")
	f.BoolVar(&opts.Serve, "serve", false, "keep the simulators running after the steps, until Ctrl-C")
	return cmd
}
