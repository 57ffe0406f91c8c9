package scheduler

import (
	"time"
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

// PruneCache drops stale index responses from the state file's HTTP
// cache. A run does not call it: the caller decides when (the daemon's
// LoopConfig.Prune timer, `pinwheel run` once at the end). A failure is
// logged: the cache is no part of a run's outcome. A dry run prunes
// nothing.
func (r *Runner) PruneCache() {
	if r.deps.DryRun {
		return
	}
	n, err := r.deps.State.HTTPCache().Prune(r.deps.Clock().Add(-cacheMaxAge))
	if err != nil {
		r.deps.Log.WithError(err).Warn("prune the index cache")
		return
	}
	if n > 0 {
		r.deps.Log.WithField("entries", n).Info("pruned the index cache")
	}
}
