package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sirupsen/logrus"
	"github.com/spf13/pflag"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/discover"
	"github.com/pinwheel-dev/pinwheel/scheduler"
	"github.com/pinwheel-dev/pinwheel/shard"
)

// addShardFlag adds run's and daemon's --shard.
func addShardFlag(f *pflag.FlagSet, dst *string) {
	f.StringVar(dst, "shard", "", "run only shard `K/N` of a fleet of N instances (/N: K from the host name's -<ordinal>, as in a StatefulSet; default $"+shard.EnvVar+", else every project)")
}

// resolveShard reads the shard from the flag, else PINWHEEL_SHARD, with
// the host name for "/N".
func resolveShard(flag string, getenv func(string) string) (shard.Shard, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	host, _ := os.Hostname()
	s, err := shard.Resolve(flag, getenv, host)
	if err != nil {
		return shard.Shard{}, usageError(err)
	}
	return s, nil
}

// shardState is shard s's state file: the config's path for an instance
// alone, else with "-K" before the extension (state.db is state-2.db for
// shard 2), so two shards never share one file, even on one machine, and
// a shard keeps its file when the fleet's size changes.
func shardState(path string, s shard.Shard) string {
	if s.Count <= 1 {
		return path
	}
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + "-" + strconv.Itoa(s.Index) + ext
}

// chooses reports whether the projects to run need choosing at all.
func chooses(cfg *config.Config, s shard.Shard) bool {
	return s.Count > 1 || cfg.Autodiscover != nil
}

// newFinder is the project chooser of shard s; one per process, so it
// looks each configured path's id up once.
func newFinder(cfg *config.Config, runner *scheduler.Runner, s shard.Shard, log logrus.FieldLogger) *discover.Finder {
	return &discover.Finder{Config: cfg, GitLab: runner.GitLab(), Cache: runner.State().HTTPCache(), Shard: s, Log: log, Clock: runner.Clock()}
}

// chooseProjects gives the runner the projects f chooses: the configured
// ones its shard owns and the discovered ones (package discover). Each
// problem is logged; the rest go on.
func chooseProjects(ctx context.Context, f *discover.Finder, runner *scheduler.Runner, log logrus.FieldLogger) discover.Result {
	res := f.Find(ctx)
	for _, err := range res.Problems {
		log.WithError(err).Warn("choosing the projects")
	}
	runner.SetProjects(res.Projects)
	log.WithFields(logrus.Fields{"shard": f.Shard.String(), "projects": len(res.Projects), "found": res.Found}).Info("projects chosen")
	return res
}

// notOwned explains why --project is not this instance's.
func notOwned(cfg *config.Config, s shard.Shard, project string) error {
	if s.Count > 1 && configured(cfg, project) {
		return fmt.Errorf("--project %s: shard %s does not own it (another shard of the fleet runs it)", project, s)
	}
	return fmt.Errorf("--project %s: %w", project, scheduler.ErrUnknownProject)
}
