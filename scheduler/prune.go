package scheduler

import (
	"time"

	"github.com/sirupsen/logrus"
)

// What the state file keeps is bounded, so a daemon that runs for months
// does not grow it without end.
const (
	// recordRetention is how long the record of a merged or closed merge
	// request stays after its last update, once the run computes no update
	// for its branch. It only saved a listing: a closed update's version
	// stays in ProjectRecord.ClosedUpdates, and a lost record is listed
	// again from GitLab.
	recordRetention = 90 * 24 * time.Hour
	// cacheMaxAge drops index responses not stored or revalidated for a
	// week: packages no longer pinned. A run revalidates every pinned
	// package's entry once its max-age is over, which restamps it.
	cacheMaxAge = 7 * 24 * time.Hour
	// cachePruneEvery spaces the cache pruning of a long-running process.
	cachePruneEvery = 24 * time.Hour
)

// pruneRecords drops the records of merge requests no longer open whose
// branch the run computed nothing for, once they are old.
func (run *projectRun) pruneRecords(computed map[string]bool) {
	cutoff := run.now.Add(-recordRetention)
	for branch, mr := range run.rec.MergeRequests {
		if mr.State != "opened" && mr.State != "locked" && !computed[branch] && mr.UpdatedAt.Before(cutoff) {
			delete(run.rec.MergeRequests, branch)
		}
	}
}

// pruneCache drops stale index responses from the state file's HTTP
// cache, at most once per cachePruneEvery. A failure is logged: the cache
// is no part of the run's outcome.
func (r *Runner) pruneCache(log *logrus.Entry) {
	if r.deps.DryRun {
		return
	}
	now := r.deps.Clock()
	r.mu.Lock()
	due := r.lastPrune.IsZero() || now.Sub(r.lastPrune) >= cachePruneEvery
	if due {
		r.lastPrune = now
	}
	r.mu.Unlock()
	if !due {
		return
	}
	n, err := r.deps.State.HTTPCache().Prune(now.Add(-cacheMaxAge))
	if err != nil {
		log.WithError(err).Warn("prune the index cache")
		return
	}
	if n > 0 {
		log.WithField("entries", n).Info("pruned the index cache")
	}
}
