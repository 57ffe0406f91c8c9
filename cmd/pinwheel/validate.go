package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/pinwheel-dev/pinwheel/check"
	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/gitlabauth"
)

func init() { commands = append(commands, newValidateCmd) }

func newValidateCmd() *cobra.Command {
	var configPath, repoConfig, project string
	cmd := &cobra.Command{
		Use:   "validate --config FILE | --repo-config FILE [--config FILE] [--project P]",
		Short: "Check a configuration file without touching the network",
		Long: `Check a configuration as run and daemon would load it: YAML syntax, every
key and value (URLs, cron, schedules, package rules), and that it lists at
least one project. Nothing is sent anywhere and no state file is opened.
Each problem is printed as FILE:LINE: key: message.

A token variable that is not set (or empty) in this environment is noted
on stderr but is not a problem: the daemon's environment may differ.

--repo-config FILE checks a repository's .pinwheel.yaml as a run would
read it: merged over the entry of --project P under the central config's
projects: (--config), else over its project_defaults, and refused keys are
those its repo_config.allowed_keys leaves out. Without --config it is
checked over a projects: entry's defaults with the default allowed keys
(constraints, yaml, labels, reviewers, assignees, groups).` +
			exitStatus("when the configuration is valid", "", "a configuration with problems (each printed)"),
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if repoConfig == "" {
				if project != "" {
					return usageError(errors.New("--project needs --repo-config"))
				}
				_, err := validateConfig(cmd, configPath)
				return err
			}
			var cfg *config.Config
			if configPath != "" {
				var err error
				if cfg, err = validateConfig(cmd, configPath); err != nil {
					return err
				}
			}
			return validateRepoConfig(cmd, repoConfig, cfg, project)
		},
	}
	cmd.Flags().StringVar(&configPath, "config", "", "config `FILE` to check (required unless --repo-config)")
	cmd.Flags().StringVar(&repoConfig, "repo-config", "", "a repository's .pinwheel.yaml `FILE` to check")
	cmd.Flags().StringVar(&project, "project", "", "with --repo-config: the project `P` (full path) whose central entry the file is merged over")
	return cmd
}

// validateConfig checks the central config and says so on stdout.
func validateConfig(cmd *cobra.Command, configPath string) (*config.Config, error) {
	cfg, err := loadRunConfig(configPath, true)
	if err != nil {
		return nil, err
	}
	if _, err := check.OptionsFromConfig(cfg, time.Time{}); err != nil {
		return nil, usageError(fmt.Errorf("%s: %w", configPath, err))
	}
	if _, err := gitlabauth.FromVar(os.LookupEnv, cfg.GitLab.TokenEnv); err != nil {
		fmt.Fprintf(cmd.ErrOrStderr(), "note: %v\n", err)
	}
	found := ""
	if cfg.Autodiscover != nil {
		found = " and the ones autodiscover finds"
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s: ok, %d project(s)%s\n", configPath, len(cfg.Projects), found)
	return cfg, err
}

// validateRepoConfig checks a .pinwheel.yaml against cfg (nil: none).
func validateRepoConfig(cmd *cobra.Command, path string, cfg *config.Config, project string) error {
	f, err := os.Open(path)
	if err != nil {
		return usageError(fmt.Errorf("--repo-config: %w", err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, config.MaxRepoConfigSize+1))
	if err != nil {
		return usageError(fmt.Errorf("--repo-config: read %s: %w", path, err))
	}
	_, base, err := config.CheckRepoConfig(path, data, cfg, project)
	if err != nil {
		return usageError(err)
	}
	if cfg != nil && !cfg.RepoConfig.Enabled {
		fmt.Fprintln(cmd.ErrOrStderr(), "note: repo_config is not enabled in the central config, so runs do not read this file")
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s: ok, merged over %s\n", path, base)
	return err
}
