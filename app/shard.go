package app

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sirupsen/logrus"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/discover"
	"github.com/pinwheel-dev/pinwheel/shard"
)

// ShardState is shard s's state file: the config's path for an instance
// alone, else with "-K" before the extension (state.db is state-2.db for
// shard 2), so two shards never share one file, even on one machine, and
// a shard keeps its file when the fleet's size changes.
func ShardState(path string, s shard.Shard) string {
	if s.Count <= 1 {
		return path
	}
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + "-" + strconv.Itoa(s.Index) + ext
}

// Chooses reports whether the projects to run need choosing at all: for
// a shard of a fleet, or with autodiscovery.
func Chooses(cfg *config.Config, s shard.Shard) bool {
	return s.Count > 1 || cfg.Autodiscover != nil
}

// NewFinder is the project chooser of shard s; one per process, so it
// looks each configured path's id up once.
func (a *App) NewFinder(cfg *config.Config, s shard.Shard, log logrus.FieldLogger) *discover.Finder {
	r := a.Runner
	return &discover.Finder{Config: cfg, GitLab: r.GitLab(), Cache: r.State().HTTPCache(), Shard: s, Log: log, Clock: r.Clock()}
}

// ChooseProjects gives the runner the projects f chooses: the configured
// ones its shard owns and the discovered ones (package discover). Each
// problem is logged; the rest go on.
func (a *App) ChooseProjects(ctx context.Context, f *discover.Finder, log logrus.FieldLogger) discover.Result {
	res := f.Find(ctx)
	for _, err := range res.Problems {
		log.WithError(err).Warn("choosing the projects")
	}
	a.Runner.SetProjects(res.Projects)
	log.WithFields(logrus.Fields{"shard": f.Shard.String(), "projects": len(res.Projects), "found": res.Found}).Info("projects chosen")
	return res
}
