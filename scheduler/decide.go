package scheduler

import (
	"maps"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/dashboard"
	"github.com/pinwheel-dev/pinwheel/mrbot"
	"github.com/pinwheel-dev/pinwheel/pep440"
	"github.com/pinwheel-dev/pinwheel/plan"
	"github.com/pinwheel-dev/pinwheel/state"
)

// A run first decides, per update slot, what to do and where the
// dashboard lists it (decide: pure, over plain data), then does it
// (execute: the writes, through mrbot). Like Alertmanager's notify stages,
// the window, the limits and the ticks are judged before anything is sent.

// Action is what the run does for one update slot.
type Action int

// Actions, in the order a slot's life meets them.
const (
	// ActIdle: nothing to offer now (at most a pending update); an open
	// merge request is listed, or closed as obsolete, by tidy.
	ActIdle Action = iota
	// ActLeave: nothing to write; the slot is listed as it is (or, for
	// a merge request merged with this very update, not at all).
	ActLeave
	// ActHold: the merge request waits for the window or the limits.
	ActHold
	// ActCreate: build the branch and open the merge request.
	ActCreate
	// ActUpdate: rebuild the open merge request's stale branch, leaving
	// a branch someone else pushed to alone.
	ActUpdate
	// ActRebase: rebuild the open merge request's branch (a ticked box),
	// even over someone else's commits.
	ActRebase
	// ActClose: the merge request was closed without merging: remember
	// the version, say so on it once and delete its branch.
	ActClose
)

var actionNames = [...]string{"idle", "leave", "hold", "create", "update", "rebase", "close"}

func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return "unknown"
}

// Section is the dashboard section a decision lists its slot in.
type Section int

// Sections of the dashboard model (dashboard.Dashboard's lists).
const (
	SectionNone Section = iota
	SectionAwaitingSchedule
	SectionRateLimited
	SectionOpen
	SectionClosed
)

// Ticks are the slot's ticked boxes.
type Ticks struct {
	Approve, Rebase, Retry, Recreate, Unschedule, Unlimit bool
}

// Candidate is one update a slot may carry, with the constraints contents
// a branch carrying it would hold.
type Candidate struct {
	Update *plan.Update
	// Blob identifies the files carrying it (projectRun.blob); "" when
	// not computed (no open merge request to compare with).
	Blob string
	// Err is why the files cannot carry it (a contentError); it fails the
	// slot only when the decision needs the files.
	Err error
	// Versions are a group's members (PEP 503 name -> version) as the
	// merge request's record keeps them; nil for a single update. A
	// member a person updated to the group's own version leaves the
	// files as they were, so Blob alone would not see it go.
	Versions map[string]string
	// Packages are a group's packages and versions; Ignored says they are
	// all versions closed without merging (nothing to propose).
	Packages []dashboard.PackageUpdate
	Ignored  bool
	// Merged says a group's updates are all versions its merged merge
	// request carried: the target read before the merge still shows them
	// (auto-merge finished during the run), or a person reverted it.
	Merged bool
	// ClosedPackages are a group's member versions closed without
	// merging that the candidate leaves out (listed under Closed).
	ClosedPackages []dashboard.PackageUpdate
}

// DecisionInput is everything decide looks at for one slot: plain data,
// no GitLab.
type DecisionInput struct {
	Branch string
	// Name is the package as the file writes it (the title names it).
	Name string
	// Pinned is the version the target's file pins ("" for a group).
	Pinned string
	// Offered is the update to offer now, Pending a newer one still too
	// young; either may be nil.
	Offered, Pending *Candidate
	// Record is the branch's latest merge request; HasRecord is false
	// when there is none.
	Record    state.MergeRequestRecord
	HasRecord bool
	// ClosedVersion is the version the state remembers a closed merge
	// request of the branch for ("" if none).
	ClosedVersion string
	// VulnClosedVersion is the version the state remembers a closed
	// merge request of the branch's vulnerability branch for: a fix a
	// person declined there is not proposed again on the stream branch.
	VulnClosedVersion string
	Ticks             Ticks
	// PendingApproved says the open merge request carries the pending
	// update already (its approve box was ticked on an earlier run): the
	// approval stands until the update is offered anyway.
	PendingApproved bool
	// InWindow says the run is inside the schedule window.
	InWindow bool
	// Limits and the counts so far in the run.
	Limits         config.Limits
	OpenMRs        int
	CreatedThisRun int
	// Security marks an update that fixes a known vulnerability of the
	// pinned version: it bypasses the window and the limits (it still
	// counts toward them for the others) when the branch carries it.
	Security bool
	// Plain is the newer normal update the offered security update
	// replaced (plan.Update.Plain), nil when none; VulnOpen says the
	// stream's vulnerability branch (vulnSuffix) has an open merge
	// request. route chooses between them when the offered update is a
	// security one.
	Plain    *Candidate
	VulnOpen bool
	// NoVulnData says the run has no vulnerability data (OSV down or
	// slow), or none for the slot's pin (check.Vulns.Missing): an open
	// security merge request is then left as it is, since
	// without the data the slot offers the plain update or nothing, and
	// nothing may be rebuilt or closed for want of data.
	NoVulnData bool
	// VulnIncomplete says the pin's data lacks some advisories (a record
	// that could not be read or evaluated, check.Vulns.Errors): an open
	// security merge request may then move up to a security update at or
	// above its version, never down, to the plain update or closed, since
	// the advisory left out may be one only its version fixes.
	VulnIncomplete bool
	// Group is the name of the group the slot stands for ("" for a
	// single package).
	Group string
}

// Decision is what decide chose for a slot.
type Decision struct {
	Action Action
	// Want is the update the branch carries (nil for ActIdle); Title its
	// merge request title.
	Want  *Candidate
	Title string
	// Section and Entry are where and how the dashboard lists the slot
	// once the action is done (Entry.MR is then the merge request as
	// built); SectionNone lists it nowhere.
	Section Section
	Entry   dashboard.Entry
	// PendingEntry, when set, lists the pending update under Pending
	// release age.
	PendingEntry *dashboard.Entry
	// ClosedEntry, when set, lists a group's closed member versions
	// under Closed / Ignored while the rest has a merge request.
	ClosedEntry *dashboard.Entry
	// FailSection lists Entry there when the action fails (an update
	// outside the window stays awaiting it).
	FailSection Section
	FailTicked  bool
	// Note (ActClose, and ActCreate of a recreated one) says the closed
	// merge request still needs its note and branch deletion.
	Note bool
	// Recreated (ActCreate) marks a merge request created again after
	// one was closed: the state forgets the closed version.
	Recreated bool
	// Consume are the boxes the action answers, unticked once it is done.
	Consume []dashboard.Kind
	// Err fails the slot before any write.
	Err error
	// Split says the branch carries the plain update and the security
	// update goes on the vulnerability branch, decided on its own.
	Split bool
}

// Limited reports whether the rate limits hold back a new merge request.
func (in DecisionInput) Limited() bool {
	l := in.Limits
	return l.OpenMRs > 0 && in.OpenMRs >= l.OpenMRs ||
		l.NewMRsPerRun > 0 && in.CreatedThisRun >= l.NewMRsPerRun
}

// decide is the policy for one slot: which update its branch carries, and
// whether the run creates, rebuilds, leaves, holds back or acknowledges
// the closing of its merge request.
func decide(in DecisionInput) Decision {
	t := in.Ticks
	approved := in.Pending != nil && (t.Approve || in.PendingApproved)
	want := in.Offered
	if approved {
		want = in.Pending
	}
	d := Decision{Want: want}
	if (in.Plain != nil || in.VulnOpen) && in.Group == "" && want != nil && want == in.Offered && want.Update.Security {
		d.Want, d.Split = route(in)
		want = d.Want
	}
	// Without the data (or part of it) an open security merge request
	// the pin is still below stays as it is (or only moves up); one the
	// pin reached is obsolete whatever the data, and cleanup closes it.
	if mr := in.Record; in.HasRecord && mr.State == "opened" && mrbot.IsSecurityTitle(mr.Title) && below(in.Pinned, mr.Title) &&
		(in.NoVulnData || in.VulnIncomplete && !raises(mr.Title, want)) {
		d.Action, d.Section, d.Want, d.Split = ActLeave, SectionOpen, nil, false
		d.Entry = dashboard.Entry{Branch: in.Branch, Title: mr.Title, MR: mrEntry(mr)}
		return d
	}
	if in.Pending != nil && want != in.Pending {
		e := entryOf(in.Branch, in.Name, in.Pending.Update)
		d.PendingEntry = &e
	}
	if want == nil {
		d.Action = ActIdle
		return d
	}
	if in.Group != "" {
		return decideGroup(in, d, approved)
	}
	title := mrbot.UpdateTitle(in.Name, want.Update.To, want.Update.Security)
	d.Title = title
	d.Entry = entryOf(in.Branch, in.Name, want.Update)
	mr := in.Record
	// A closed MR is matched by title, like Renovate does; the version
	// remembered in state covers a retitled or vanished one.
	closedBefore := in.ClosedVersion == want.Update.To || (want.Update.Security && in.VulnClosedVersion == want.Update.To)
	switch {
	case in.HasRecord && mr.State == "opened":
		return keepCurrent(in, d, approved)
	case in.HasRecord && mr.State == "merged" && mr.Title == title:
		d.Action = ActLeave
		return d
	case in.HasRecord && mr.State == "locked":
		// GitLab is merging it right now; neither open for a rebuild nor
		// closed by a person.
		d.Action, d.Section = ActLeave, SectionOpen
		d.Entry = dashboard.Entry{Branch: in.Branch, Title: mr.Title, MR: mrEntry(mr)}
		return d
	case in.HasRecord && mr.State != "merged" && (mr.Title == title || closedBefore):
		return closedMR(in, d, mr, approved)
	case !in.HasRecord && closedBefore:
		return closedMR(in, d, state.MergeRequestRecord{}, approved)
	}

	return hold(in, d, approved)
}

// route is the update a stream branch carries when a security update
// replaced a newer plain one, and whether the fix is split off onto the
// vulnerability branch: an open merge request is never rebuilt down to
// the fix. In order:
//  1. the open merge request has a security title: it stays a security
//     merge request, rebuilt up to the fix when it carries the fix or an
//     older one, kept at the plain update when that fixes all and is not
//     older than what it carries (retitled by 3); one carrying a version
//     above both (a plain update that fixed all before a newer advisory)
//     goes on to 2–4, so it is never rebuilt down;
//  2. the vulnerability branch has an open merge request: split (the
//     stream branch carries the plain update, or nothing if none),
//     unless there is no plain update and the open merge request
//     carries the fix or an older version: it then carries the fix, now
//     a security one, rather than sit beside the vulnerability branch's
//     (which tidy closes: supersededFix);
//  3. the open merge request's plain update fixes all too: it stays at
//     the plain update, now a security one (title, advisories);
//  4. an open merge request otherwise: split;
//  5. no open merge request: the branch carries the fix.
func route(in DecisionInput) (*Candidate, bool) {
	mr, plain := in.Record, in.Plain
	open := in.HasRecord && mr.State == "opened"
	carried, known := titleVersion(mr.Title)
	known = known && open
	if known && mrbot.IsSecurityTitle(mr.Title) {
		if notAbove(carried, in.Offered) {
			return in.Offered, false
		}
		if plain != nil && plain.Update.Security && notAbove(carried, plain) {
			return plain, false
		}
	}
	switch {
	case in.VulnOpen && plain == nil && known && notAbove(carried, in.Offered):
		return in.Offered, false
	case in.VulnOpen:
		// With no plain update the stream branch carries nothing: the
		// fix is on the vulnerability branch already (and an open merge
		// request above it is never rebuilt down to it).
		return plain, true
	case open && plain != nil && plain.Update.Security:
		return plain, false
	case open:
		return plain, true
	}
	return in.Offered, false
}

// below reports whether the pinned version is below the version the
// title names; true when either cannot be read (the cautious answer).
func below(pinned, title string) bool {
	carried, ok := titleVersion(title)
	pin, err := pep440.Parse(pinned)
	return !ok || err != nil || pin.Compare(carried) < 0
}

// raises reports whether want is a security update at or above the
// version the title names.
func raises(title string, want *Candidate) bool {
	carried, ok := titleVersion(title)
	return ok && want != nil && want.Update.Security && notAbove(carried, want)
}

// notAbove reports whether v is at most the candidate's version.
func notAbove(v pep440.Version, c *Candidate) bool {
	to, err := pep440.Parse(c.Update.To)
	return err == nil && v.Compare(to) <= 0
}

// titleVersion is the version an update title names; ok is false for a
// title pinwheel did not write or a version it cannot read.
func titleVersion(title string) (pep440.Version, bool) {
	_, version, ok := mrbot.ParseTitle(title)
	if !ok {
		return pep440.Version{}, false
	}
	v, err := pep440.Parse(version)
	return v, err == nil
}

// hold holds an update with no merge request back for the window or the
// limits, unless a box or its security fix bypasses them; else it is
// created.
func hold(in DecisionInput, d Decision, approved bool) Decision {
	t := in.Ticks
	// Only a branch carrying the fix bypasses: a stream branch left at
	// its plain update (route) waits like any other.
	security := in.Security && d.Want.Update != nil && d.Want.Update.Security
	bypass := t.Unschedule || t.Unlimit || approved || t.Retry || security
	if !bypass && (!in.InWindow || in.Limited()) {
		d.Action = ActHold
		d.Section = SectionRateLimited
		if !in.InWindow {
			d.Section = SectionAwaitingSchedule
		}
		return d
	}
	d.Action, d.Section = ActCreate, SectionOpen
	if !in.InWindow {
		d.FailSection, d.FailTicked = SectionAwaitingSchedule, t.Unschedule
	}
	for _, k := range []struct {
		on   bool
		kind dashboard.Kind
	}{{t.Unschedule, dashboard.KindUnschedule}, {t.Unlimit, dashboard.KindUnlimit}, {t.Retry, dashboard.KindRetry}, {approved, dashboard.KindApprove}} {
		if k.on {
			d.Consume = append(d.Consume, k.kind)
		}
	}
	return d
}

// keepCurrent keeps an open merge request current, at any time (like
// Renovate's updateNotScheduled): rebuilt from the target when a newer
// release arrived, the target's constraints changed, or its rebase box is
// ticked. The window only holds back merge requests nobody asked for.
func keepCurrent(in DecisionInput, d Decision, approved bool) Decision {
	t, mr := in.Ticks, in.Record
	if d.Want.Err != nil {
		d.Err = d.Want.Err
		return d
	}
	// A standing approval (PendingApproved) is no reason to rebuild.
	rebase := t.Rebase || t.Retry || approved && t.Approve
	// A head other than the one pinwheel recorded is not enough to call
	// the branch someone else's: a run that lost the answer to its commit
	// left pinwheel's own head there, with the MR still to retitle. The
	// build looks at the head commit itself and leaves a person's alone
	// (mrbot.ErrEdited) until they tick rebase.
	stale := mr.Title != d.Title || mr.BuiltSHA == "" || mr.Blob != d.Want.Blob ||
		d.Want.Versions != nil && !maps.Equal(mr.Versions, d.Want.Versions)
	d.Section = SectionOpen
	if !rebase && !stale {
		d.Action = ActLeave
		d.Entry.Title, d.Entry.MR = mr.Title, mrEntry(mr)
		return d
	}
	d.Action = ActUpdate
	if rebase {
		d.Action = ActRebase
	}
	for _, k := range []struct {
		on   bool
		kind dashboard.Kind
	}{{t.Rebase, dashboard.KindRebase}, {t.Retry, dashboard.KindRetry}, {t.Approve, dashboard.KindApprove}} {
		if k.on {
			d.Consume = append(d.Consume, k.kind)
		}
	}
	return d
}

// closedMR handles an update whose merge request was closed without
// merging: it is not proposed again (a newer version is) unless its
// recreate box is ticked. The first run that sees it says so on the merge
// request, once.
func closedMR(in DecisionInput, d Decision, mr state.MergeRequestRecord, approved bool) Decision {
	d.Note = mr.IID != 0 && !mr.Noted
	if !in.Ticks.Recreate {
		d.Action, d.Section = ActClose, SectionClosed
		if d.Entry.MR = mrEntry(mr); d.Entry.MR != nil {
			d.Entry.MR.Pipeline = "" // a closed MR's pipeline tells nothing
		}
		return d
	}
	d.Action, d.Section, d.Recreated = ActCreate, SectionOpen, true
	d.Consume = []dashboard.Kind{dashboard.KindRecreate}
	if approved {
		d.Consume = append(d.Consume, dashboard.KindApprove)
	}
	return d
}

// decideGroup is decide for a group slot. Its title never changes, so a
// closed merge request is matched by the versions it carried instead:
// those are left out of the candidates already (groupCandidates), and the
// rest is proposed like any update; the closed one is acknowledged first
// (Note).
func decideGroup(in DecisionInput, d Decision, approved bool) Decision {
	t, mr, want := in.Ticks, in.Record, d.Want
	d.Title = mrbot.GroupTitle(in.Group)
	d.Entry = dashboard.Entry{Branch: in.Branch, Title: d.Title, Packages: want.Packages}
	if in.Pending != nil && d.PendingEntry != nil {
		d.PendingEntry = &dashboard.Entry{Branch: in.Branch, Title: d.Title, Packages: in.Pending.Packages}
	}
	closed := in.HasRecord && mr.State == "closed"
	d.Note = closed && mr.IID != 0 && !mr.Noted
	if o := in.Offered; o != nil && !o.Ignored && len(o.ClosedPackages) > 0 {
		d.ClosedEntry = &dashboard.Entry{Branch: in.Branch, Title: d.Title, Packages: o.ClosedPackages}
	}
	switch {
	case in.HasRecord && mr.State == "opened" && t.Recreate:
		// The recreate box of the closed versions listed beside the
		// open merge request: it is rebuilt with them (the candidates
		// include them already), over anyone's commits.
		d = keepCurrent(in, d, approved)
		if d.Err == nil {
			d.Action, d.Recreated = ActRebase, true
			d.Consume = append(d.Consume, dashboard.KindRecreate)
		}
		return d
	case in.HasRecord && mr.State == "opened":
		return keepCurrent(in, d, approved)
	case in.HasRecord && mr.State == "locked":
		d.Action, d.Section = ActLeave, SectionOpen
		d.Entry.MR = mrEntry(mr)
		return d
	case want.Merged:
		// Like a single package's merge request merged with this very
		// update: nothing to propose, listed nowhere.
		d.Action = ActLeave
		return d
	case want.Ignored:
		d.Action, d.Section = ActClose, SectionClosed
		if closed {
			if d.Entry.MR = mrEntry(mr); d.Entry.MR != nil {
				d.Entry.MR.Pipeline = ""
			}
		}
		return d
	case t.Recreate:
		d.Action, d.Section, d.Recreated = ActCreate, SectionOpen, true
		d.Consume = []dashboard.Kind{dashboard.KindRecreate}
		if approved {
			d.Consume = append(d.Consume, dashboard.KindApprove)
		}
		return d
	}
	return hold(in, d, approved)
}

func entryOf(branch, name string, u *plan.Update) dashboard.Entry {
	e := dashboard.Entry{
		Branch: branch, Title: mrbot.UpdateTitle(name, u.To, u.Security), From: u.From, To: u.To,
		UpdateType: string(u.Type), Released: u.ReleaseDate,
	}
	if u.Pending {
		e.Eligible = u.EligibleAt
	}
	return e
}
