package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/pinwheel-dev/pinwheel/check"
	"github.com/pinwheel-dev/pinwheel/gitlabauth"
)

func init() { commands = append(commands, newValidateCmd) }

func newValidateCmd() *cobra.Command {
	var configPath string
	cmd := &cobra.Command{
		Use:   "validate --config FILE",
		Short: "Check a configuration file without touching the network",
		Long: `Check a configuration as run and daemon would load it: YAML syntax, every
key and value (URLs, cron, schedules, package rules), and that it lists at
least one project. Nothing is sent anywhere and no state file is opened.
Each problem is printed as FILE:LINE: key: message.

A token variable that is not set (or empty) in this environment is noted
on stderr but is not a problem: the daemon's environment may differ.` +
			exitStatus("when the configuration is valid", "", "a configuration with problems (each printed)"),
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadRunConfig(configPath, true)
			if err != nil {
				return err
			}
			if _, err := check.OptionsFromConfig(cfg, time.Time{}); err != nil {
				return usageError(fmt.Errorf("%s: %w", configPath, err))
			}
			if _, err := gitlabauth.FromVar(os.LookupEnv, cfg.GitLab.TokenEnv); err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "note: %v\n", err)
			}
			found := ""
			if cfg.Autodiscover != nil {
				found = " and the ones autodiscover finds"
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s: ok, %d project(s)%s\n", configPath, len(cfg.Projects), found)
			return err
		},
	}
	cmd.Flags().StringVar(&configPath, "config", "", "config `FILE` to check (required)")
	return cmd
}
