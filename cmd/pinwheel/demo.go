package main

import (
	"os"
	"os/signal"

	"github.com/spf13/cobra"

	"github.com/pinwheel-dev/pinwheel/demo"
)

func init() { commands = append(commands, newDemoCmd) }

func newDemoCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Show pinwheel at work against its built-in GitLab and index simulators",
		Long: `Start the built-in GitLab and package index simulators with a sample
project, then run pinwheel as the daemon would: a weekday run (the dashboard
lists the updates, no merge request yet), a maintainer ticking a box (the next
run opens that merge request), and a weekend run (the rest are opened within
the limits). After each step it prints the dashboard and the merge requests
with their diffs. Last, a developer comments "@pinwheel test" on a merge
request of the team's package, and pinwheel's reply shows the pipeline it
triggered and then its result. Needs no network and no config.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			// On Ctrl-C the demo stops and still removes its temporary
			// state directory.
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			return demo.Run(ctx, cmd.OutOrStdout(), demo.Options{})
		},
	}
}
