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
	// osvMaxAge drops OSV records not stored or reused for a week, the
	// same age as index responses: advisories of packages no longer
	// pinned. A run that reuses a record stores it again once it is a day
	// old (osv.RestampAfter), so records still in use stay; a pruned one
	// costs one GET /v1/vulns/{id} if it is listed again.
	osvMaxAge = 7 * 24 * time.Hour
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

// PruneCache drops stale index responses and OSV records from the state
// file's caches. A run does not call it: the caller decides when (the
// daemon's LoopConfig.Prune timer, `pinwheel run` once at the end). A
// failure is logged: the caches are no part of a run's outcome. A dry run
// prunes nothing.
func (r *Runner) PruneCache() {
	if r.deps.DryRun {
		return
	}
	now := r.deps.Clock()
	n, err := r.deps.State.HTTPCache().Prune(now.Add(-cacheMaxAge))
	if err != nil {
		r.deps.Log.WithError(err).Warn("prune the index cache")
	} else if n > 0 {
		r.deps.Log.WithField("entries", n).Info("pruned the index cache")
	}
	n, err = r.deps.State.OSVCache().Prune(now.Add(-osvMaxAge))
	if err != nil {
		r.deps.Log.WithError(err).Warn("prune the OSV record cache")
	} else if n > 0 {
		r.deps.Log.WithField("records", n).Info("pruned the OSV record cache")
	}
}
