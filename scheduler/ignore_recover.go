package scheduler

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/dashboard"
	"github.com/pinwheel-dev/pinwheel/pkgname"
	"github.com/pinwheel-dev/pinwheel/plan"
	"github.com/pinwheel-dev/pinwheel/state"
)

// A rule's marker on the dashboard is text anyone who can edit the issue
// (a Reporter) can write, while an ignore command needs a Developer. So
// a rule is recovered from the dashboard only when pinwheel's own answer
// on the merge request the marker names confirms it: a note by
// pinwheel's user carrying the rule's key in a hidden line. Nobody else
// can write a note as pinwheel, and pinwheel's notes never echo a
// person's text at the start of a line.

const confirmPrefix = "<!-- pinwheel-ignored:"

// ruleConfirmation is the hidden line pinwheel's answer to an ignore
// command carries for each rule it stored.
func ruleConfirmation(key string) string {
	return confirmPrefix + key + " -->"
}

// confirms reports whether a note body carries key's confirmation on a
// line of its own.
func confirms(body, key string) bool {
	want := ruleConfirmation(key)
	for _, l := range strings.Split(body, "\n") {
		if strings.TrimSpace(l) == want {
			return true
		}
	}
	return false
}

// recoverIgnores adds to the stored rules those the dashboard lists (in
// hidden markers) and the state file lacks, as a run with a new state
// file has (another shard, a lost volume), and stores them. A marker is
// text from the issue: only a rule pinwheel could have written, under
// its own key, and that pinwheel's answer on its merge request confirms,
// is taken; any other is logged, listed under Errors and never applied
// (the next dashboard drops its marker). The notes are read only for a
// rule the state file lacks, so a normal run reads none.
func (run *projectRun) recoverIgnores(ctx context.Context, stored []state.IgnoreRule) ([]state.IgnoreRule, error) {
	if run.issue == nil {
		return stored, nil
	}
	have := map[string]bool{}
	for _, r := range stored {
		have[r.Key] = true
	}
	notes := map[int][]string{} // MR IID -> bodies of pinwheel's notes on it
	for _, m := range dashboard.ParseIgnoreRules(run.issue.Description) {
		if have[m.Key] {
			continue
		}
		ig, err := plan.ParseIgnore(m.Scope, m.Value)
		if err != nil || m.Package == "" || pkgname.Normalize(m.Package) != m.Package || ignoreKey(m.Package, ig) != m.Key {
			run.log.WithField("rule", m.Key).Warn("dashboard lists an ignore rule pinwheel cannot read; skipped")
			continue
		}
		ok, err := run.confirmed(ctx, notes, m.MRIID, m.Key)
		if err != nil {
			return nil, err
		}
		if !ok {
			run.refuseRule(m)
			continue
		}
		rule := state.IgnoreRule{
			Key: m.Key, Package: m.Package, Scope: m.Scope, Value: ig.Value(), By: m.By, MRIID: int64(m.MRIID), Created: run.now,
		}
		if !run.r.deps.DryRun {
			if err := run.r.deps.State.PutIgnore(run.p.Path, rule); err != nil {
				return nil, err
			}
		}
		run.log.WithField("rule", m.Key).Info("ignore rule recovered from the dashboard")
		have[m.Key] = true
		stored = append(stored, rule)
	}
	return stored, nil
}

// confirmed reports whether one of pinwheel's notes on !iid confirms the
// rule key; notes caches the notes read per merge request. A merge
// request that is gone confirms nothing; any other failure is an error
// (the run fails and the next one tries again) rather than a genuine
// rule dropped.
func (run *projectRun) confirmed(ctx context.Context, notes map[int][]string, iid int, key string) (bool, error) {
	if iid <= 0 || run.rec.UserID == 0 {
		return false, nil
	}
	bodies, ok := notes[iid]
	if !ok {
		opts := &gitlab.ListMergeRequestNotesOptions{ListOptions: gitlab.ListOptions{PerPage: 100}}
		for {
			page, resp, err := run.gl.Notes.ListMergeRequestNotes(run.p.Path, int64(iid), opts, gitlab.WithContext(ctx))
			if status(err) == http.StatusNotFound {
				break
			}
			if err != nil {
				return false, fmt.Errorf("read the notes of !%d to confirm ignore rule %s: %w", iid, key, err)
			}
			for _, n := range page {
				if !n.System && n.Author.ID == run.rec.UserID {
					bodies = append(bodies, n.Body)
				}
			}
			if resp.NextPage == 0 {
				break
			}
			opts.Page = resp.NextPage
		}
		notes[iid] = bodies
	}
	for _, b := range bodies {
		if confirms(b, key) {
			return true, nil
		}
	}
	return false, nil
}

// refuseRule logs and lists a dashboard rule nobody confirmed.
func (run *projectRun) refuseRule(m dashboard.IgnoreRule) {
	msg := fmt.Sprintf("the dashboard lists this ignore rule (on !%d), but pinwheel's answer on that merge request does not confirm it; it is not applied (someone may have edited the description). Ask `@pinwheel ignore ...` on the merge request again to set it", m.MRIID)
	run.log.WithField("rule", m.Key).Warn("dashboard lists an ignore rule pinwheel did not record; not applied")
	run.problems = append(run.problems, dashboard.Problem{Kind: dashboard.ProblemIgnoreUnconfirmed, Subject: m.Key, Message: msg})
}
