package scheduler

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/dashboard"
	"github.com/pinwheel-dev/pinwheel/mdtext"
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
// person's text at the start of a line. Lifting a rule answers on the
// same merge request with a hidden "unignored" line, so that the marker
// of a lifted rule, written back into the description, is refused too:
// the last of pinwheel's lines for the key decides.

const (
	confirmPrefix = "<!-- pinwheel-ignored:"
	liftPrefix    = "<!-- pinwheel-unignored:"
)

// ruleConfirmation is the hidden line pinwheel's answer to an ignore
// command carries for each rule it stored.
func ruleConfirmation(key string) string {
	return confirmPrefix + key + " -->"
}

// ruleLift is the hidden line of pinwheel's note saying a rule was
// lifted; the rule's creation time tells one lift of a key from another
// (Reply posts a note once per marker).
func ruleLift(r state.IgnoreRule) string {
	return fmt.Sprintf("%s%s %d -->", liftPrefix, r.Key, r.Created.Unix())
}

// verdict says what a note body says of key: +1 it carries the rule's
// confirmation, -1 its lift, 0 neither; each on a line of its own.
func verdict(body, key string) int {
	v := 0
	for _, l := range strings.Split(body, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case l == ruleConfirmation(key):
			v = 1
		case strings.HasPrefix(l, liftPrefix+key+" ") && strings.HasSuffix(l, " -->"):
			v = -1
		}
	}
	return v
}

// noteLift answers on the rule's merge request that the rule was lifted
// (see verdict) and reports whether the rule may go. A merge request
// that is gone may: nothing there confirms the rule any more. Any other
// refusal (a locked discussion, a 403 or 422) keeps the rule, since its
// confirmation would outlive it and a marker written back into the
// description would bring it back on a new state file; the box stays
// ticked, the run says why under Errors and the next run tries again.
// A failure of GitLab itself is an error.
func (run *projectRun) noteLift(ctx context.Context, r state.IgnoreRule) (bool, error) {
	if r.MRIID <= 0 || run.rec.UserID == 0 {
		return true, nil
	}
	marker := ruleLift(r)
	ig, err := plan.ParseIgnore(r.Scope, r.Value)
	what := "a rule"
	if err == nil {
		what = ignoredWhat(ig)
	}
	body := fmt.Sprintf("The rule ignoring %s of %s was lifted from the dependency dashboard; pinwheel offers these updates again.\n\n%s\n",
		what, mdtext.Code(r.Package, mdtext.Short), marker)
	err = run.bot.Reply(ctx, r.MRIID, run.rec.UserID, marker, body)
	switch {
	case err == nil || status(err) == http.StatusNotFound:
		return true, nil
	case fatal(err):
		return false, fmt.Errorf("note the lift of ignore rule %s: %w", r.Key, err)
	}
	run.log.WithField("rule", r.Key).WithError(err).Warn("could not note the lift on its merge request; the rule stays")
	run.problems = append(run.problems, dashboard.Problem{Kind: dashboard.ProblemAPI, Subject: r.Key, Message: fmt.Sprintf(
		"the rule's box is ticked, but GitLab refused pinwheel's note on !%d saying it is lifted (%v); the rule stays until that note can be written (a locked discussion must be unlocked), and the next run tries again", r.MRIID, err)})
	return false, nil
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
	notes := map[int][]string{} // MR IID -> bodies of pinwheel's notes on it, oldest first
	for _, m := range dashboard.ParseIgnoreRules(run.issue.Description) {
		if have[m.Key] {
			continue
		}
		ig, err := plan.ParseIgnore(m.Scope, m.Value)
		if err != nil || m.Package == "" || pkgname.Normalize(m.Package) != m.Package || ignoreKey(m.Package, ig) != m.Key {
			run.log.WithField("rule", m.Key).Warn("dashboard lists an ignore rule pinwheel cannot read; skipped")
			continue
		}
		by, ok, err := run.confirmed(ctx, notes, m.MRIID, m.Key)
		if err != nil {
			return nil, err
		}
		if !ok {
			run.refuseRule(m)
			continue
		}
		rule := state.IgnoreRule{
			Key: m.Key, Package: m.Package, Scope: m.Scope, Value: ig.Value(), By: by, MRIID: int64(m.MRIID), Created: run.now,
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
// rule key, and whom that note answers (the marker's name is editable
// text; the note's leading mention is pinwheel's own); notes caches the
// notes read per merge request. A merge request that is gone confirms
// nothing; any other failure is an error (the run fails and the next one
// tries again) rather than a genuine rule dropped.
func (run *projectRun) confirmed(ctx context.Context, notes map[int][]string, iid int, key string) (by string, ok bool, err error) {
	if iid <= 0 || run.rec.UserID == 0 {
		return "", false, nil
	}
	bodies, ok := notes[iid]
	if !ok {
		var mine []*gitlab.Note
		opts := &gitlab.ListMergeRequestNotesOptions{ListOptions: gitlab.ListOptions{PerPage: 100}}
		for {
			page, resp, err := run.gl.Notes.ListMergeRequestNotes(run.p.Path, int64(iid), opts, gitlab.WithContext(ctx))
			if status(err) == http.StatusNotFound {
				break
			}
			if err != nil {
				return "", false, fmt.Errorf("read the notes of !%d to confirm ignore rule %s: %w", iid, key, err)
			}
			for _, n := range page {
				if !n.System && n.Author.ID == run.rec.UserID {
					mine = append(mine, n)
				}
			}
			if resp.NextPage == 0 {
				break
			}
			opts.Page = resp.NextPage
		}
		// Note ids grow with time, whatever order the listing has.
		slices.SortFunc(mine, func(a, b *gitlab.Note) int { return cmp.Compare(a.ID, b.ID) })
		for _, n := range mine {
			bodies = append(bodies, n.Body)
		}
		notes[iid] = bodies
	}
	last, from := 0, ""
	for _, b := range bodies {
		if v := verdict(b, key); v != 0 {
			last, from = v, b
		}
	}
	if last != 1 {
		return "", false, nil
	}
	return mentioned(from), true, nil
}

// mentioned is the username a note of pinwheel's answers: its leading
// "@name", or "" when it has none.
func mentioned(body string) string {
	first, _, _ := strings.Cut(body, " ")
	name, ok := strings.CutPrefix(first, "@")
	if !ok || !config.IsUsername(name) {
		return ""
	}
	return name
}

// refuseRule logs and lists a dashboard rule nobody confirmed.
func (run *projectRun) refuseRule(m dashboard.IgnoreRule) {
	msg := fmt.Sprintf("the dashboard lists this ignore rule (on !%d), but pinwheel's answer on that merge request does not confirm it; it is not applied (someone may have edited the description). Ask `@pinwheel ignore ...` on the merge request again to set it", m.MRIID)
	run.log.WithField("rule", m.Key).Warn("dashboard lists an ignore rule pinwheel did not record; not applied")
	run.problems = append(run.problems, dashboard.Problem{Kind: dashboard.ProblemIgnoreUnconfirmed, Subject: m.Key, Message: msg})
}
