package scheduler

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/sirupsen/logrus"

	"github.com/pinwheel-dev/pinwheel/constraints"
	"github.com/pinwheel-dev/pinwheel/dashboard"
	"github.com/pinwheel-dev/pinwheel/internal/stop"
	"github.com/pinwheel-dev/pinwheel/mrbot"
	"github.com/pinwheel-dev/pinwheel/pep440"
	"github.com/pinwheel-dev/pinwheel/pkgname"
	"github.com/pinwheel-dev/pinwheel/state"
)

// Clean-up, as Renovate's: an open update merge request whose update the
// target made unnecessary is closed, and the branches of closed update
// merge requests are deleted, except those carrying someone else's
// commits. Everything is decided from what the run already read, so a
// quiet run makes no request for it.
//
// MergeRequestRecord.Noted marks a closed merge request as done with:
// its note posted where one is due and its branch deleted (or kept as
// someone else's). Until then every run finishes what an interrupted one
// left.

// tidy runs after the updates: open merge requests of branches the run
// offers nothing for are closed when obsolete (else listed as open, as
// they are), then closed merge requests not yet done with lose their
// branch. Computed branches with no update to offer now (only a pending
// one) count as offering nothing; branches the run built or already
// cleaned up (run.touched) are left alone.
func (run *projectRun) tidy(ctx context.Context, computed map[string]bool) error {
	for _, branch := range slices.Sorted(maps.Keys(run.rec.MergeRequests)) {
		mr := run.rec.MergeRequests[branch]
		if mr.State != "opened" || computed[branch] && !run.idle[branch] {
			continue
		}
		reason, ok := run.obsolete(branch, mr, computed)
		if !ok {
			run.model.Open = append(run.model.Open, dashboard.Entry{Branch: branch, Title: mr.Title, MR: mrEntry(mr)})
			continue
		}
		select {
		case <-stop.Signal(ctx):
			return ErrStopping
		default:
		}
		if err := run.closeObsolete(ctx, branch, mr, reason); err != nil {
			if fatal(err) {
				return err
			}
			run.failed(branch, err)
			run.model.Open = append(run.model.Open, dashboard.Entry{Branch: branch, Title: mr.Title, MR: mrEntry(mr)})
		}
	}
	for _, branch := range slices.Sorted(maps.Keys(run.rec.MergeRequests)) {
		mr := run.rec.MergeRequests[branch]
		if mr.State != "closed" || mr.Noted || mr.IID == 0 || run.touched[branch] {
			continue
		}
		select {
		case <-stop.Signal(ctx):
			return ErrStopping
		default:
		}
		err := run.bot.RemoveBranch(ctx, branch, mr.Title, mr.BuiltSHA)
		if err != nil && !errors.Is(err, mrbot.ErrEdited) {
			if fatal(err) {
				return err
			}
			run.failed(branch, err)
			continue
		}
		if !run.r.deps.DryRun {
			mr.Noted = true
			run.rec.MergeRequests[branch] = mr
		}
	}
	return nil
}

// failed records a failed clean-up of branch for the dashboard's Errors.
func (run *projectRun) failed(branch string, err error) {
	run.log.WithField("branch", branch).WithError(err).Warn("clean-up failed")
	run.problems = append(run.problems, dashboard.Problem{
		Kind: dashboard.ProblemAPI, Subject: branch, Message: err.Error(),
	})
}

// closeObsolete closes the merge request, notes why and deletes its
// branch unless it carries someone else's commits.
func (run *projectRun) closeObsolete(ctx context.Context, branch string, mr state.MergeRequestRecord, reason string) error {
	closed, err := run.bot.Close(ctx, mrbot.Obsolete{
		IID: mr.IID, Branch: branch, Title: mr.Title, Reason: reason, Known: mr.BuiltSHA,
	})
	if err != nil {
		return err
	}
	run.report.MRsClosed++
	run.log.WithFields(logrus.Fields{"branch": branch, "mr": mr.IID, "kept_branch": closed.KeptBranch}).Info("closed an obsolete merge request")
	if run.r.deps.DryRun {
		return nil
	}
	run.changeRecord(branch, func(r *state.MergeRequestRecord) {
		r.State, r.Title, r.Noted = "closed", closed.Title, true
	})
	return nil
}

// obsolete says why the open merge request on branch is no longer needed,
// judged from the constraints file and look-ups of this run: the target
// pins the package at or above the merge request's version, or no longer
// mentions it at all. It is not obsolete while the package's look-up
// failed, while its pin is ignored (a `# pinwheel: ignore` comment or the
// config's ignore: people took the package in hand, and the merge request
// is theirs to close), while only an unmanaged line (a range, a URL)
// names it, or when its title no longer says which update it carries.
// A security merge request on a vulnerability branch is obsolete too
// once its stream's carries the fix (supersededFix).
func (run *projectRun) obsolete(branch string, mr state.MergeRequestRecord, computed map[string]bool) (string, bool) {
	if _, ok := mrbot.ParseGroupTitle(mr.Title); ok && isGroupBranch(run.p.BranchPrefix, branch) {
		return run.obsoleteGroup(branch, mr)
	}
	name, version, ok := mrbot.ParseTitle(mr.Title)
	if !ok {
		return "", false
	}
	want, err := pep440.Parse(version)
	if err != nil {
		return "", false
	}
	key := pkgname.Normalize(name)
	if !strings.HasPrefix(branch, run.p.BranchPrefix+key+"-") {
		return "", false
	}
	if reason, ok := run.inGroupMR(key, name); ok {
		return reason, true
	}
	for _, res := range run.results.Results {
		if res.Pin.Key == key && (res.Err != nil || res.Ignored()) {
			return "", false
		}
	}
	var pins []constraints.Pin
	for _, f := range run.files {
		for _, e := range f.Errors() {
			if e.Line == 0 {
				return "", false // a file not read says nothing of its pins
			}
		}
		pins = append(pins, f.Lookup(key)...)
	}
	if len(pins) == 0 {
		for _, f := range run.files {
			for _, u := range f.Unmanaged() {
				if n := leadingName.FindString(u.Text); n != "" && pkgname.Normalize(n) == key {
					return "", false
				}
			}
		}
		return fmt.Sprintf("%s on %s no longer pins %s", run.p.Constraints, run.target, name), true
	}
	below := false
	for _, p := range pins {
		v, err := pep440.Parse(p.Version)
		if p.Ignored || err != nil {
			return "", false
		}
		below = below || v.Compare(want) < 0
	}
	if below {
		return run.supersededFix(branch, name, want, computed)
	}
	return fmt.Sprintf("%s on %s already pins %s %s or newer", run.p.Constraints, run.target, name, version), true
}

// supersededFix says why the merge request on a vulnerability branch is
// no longer needed: the stream branch's open merge request is a security
// update (it fixes every advisory known this run) to want or newer, so
// the two would carry the same fix. Only what this run decided for the
// stream counts (computed, not idle, built: a rebuild that failed or was
// left to a person's commits kept its old title), and nothing is closed
// in a run without vulnerability data, or with the pin's incomplete (a
// stream merge request left as it was may not fix what is missing).
func (run *projectRun) supersededFix(branch, name string, want pep440.Version, computed map[string]bool) (string, bool) {
	stream, ok := strings.CutSuffix(branch, vulnSuffix)
	if !ok || run.vulnDown || !computed[stream] || run.idle[stream] {
		return "", false
	}
	key := pkgname.Normalize(name)
	for _, res := range run.results.Results {
		if res.Pin.Key == key && res.Vulns.Incomplete() {
			return "", false
		}
	}
	mr, ok := run.rec.MergeRequests[stream]
	if !ok || mr.State != "opened" || !mrbot.IsSecurityTitle(mr.Title) {
		return "", false
	}
	if carried, ok := titleVersion(mr.Title); !ok || carried.Compare(want) < 0 {
		return "", false
	}
	return fmt.Sprintf("the security MR !%d (%s) updates %s to the same fix or a newer one", mr.IID, mr.Title, name), true
}

// leadingName is the project name a requirement line starts with (PEP 508).
var leadingName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*`)
