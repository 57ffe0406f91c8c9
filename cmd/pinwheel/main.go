// Command pinwheel keeps a Python project's pinned dependencies fresh on
// GitLab. This package only wires flags to the packages that do the work.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/pinwheel-dev/pinwheel/buildinfo"
)

// commands holds the constructors of the subcommands; each command's file
// adds its own in an init function, so files don't edit one shared list.
var commands []func() *cobra.Command

// exitError carries a process exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageError marks errors that exit 2 (bad flags, bad config).
func usageError(err error) error { return &exitError{code: 2, err: err} }

// usageArgs makes a cobra argument check exit 2, as a bad flag does.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return usageError(err)
		}
		return nil
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "pinwheel",
		Short:         "Keep a Python project's pinned dependencies fresh on GitLab",
		SilenceUsage:  true,
		SilenceErrors: true,
		// With Args set, cobra hands an unknown command to it (exit 2)
		// instead of failing with exit 1; alone, pinwheel shows its help.
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
		// --version, as the version command prints it.
		Version: buildinfo.Version,
	}
	root.SetVersionTemplate("pinwheel {{.Version}}\n")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError(err) })
	root.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "Print pinwheel's version",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "pinwheel %s\n", buildinfo.Version)
			return err
		},
	})
	for _, c := range commands {
		root.AddCommand(c())
	}
	// After the commands: cobra adds "completion" and "help" itself.
	root.InitDefaultCompletionCmd()
	root.InitDefaultHelpCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			// cobra's own is not runnable, so it shows its help and
			// exits 0 for an unknown shell; runnable, its Args apply.
			c.Args = usageArgs(cobra.NoArgs)
			c.RunE = func(cmd *cobra.Command, args []string) error { return cmd.Help() }
		}
	}
	ensureExitStatus(root)
	return root
}

func main() {
	os.Exit(run(os.Args[1:]))
}

// run executes the command line and returns the process exit code.
func run(args []string) int {
	root := newRootCmd()
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	fmt.Fprintln(os.Stderr, "pinwheel:", err)
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}
