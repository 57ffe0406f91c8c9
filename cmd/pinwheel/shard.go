package main

import (
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/pinwheel-dev/pinwheel/config"
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

// notOwned explains why --project is not this instance's.
func notOwned(cfg *config.Config, s shard.Shard, project string) error {
	if s.Count > 1 && configured(cfg, project) {
		return fmt.Errorf("--project %s: shard %s does not own it (another shard of the fleet runs it)", project, s)
	}
	return fmt.Errorf("--project %s: %w", project, scheduler.ErrUnknownProject)
}
