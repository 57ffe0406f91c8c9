package scheduler

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/dashboard"
	"github.com/pinwheel-dev/pinwheel/mrbot"
	"github.com/pinwheel-dev/pinwheel/pep440"
	"github.com/pinwheel-dev/pinwheel/pkgname"
	"github.com/pinwheel-dev/pinwheel/plan"
	"github.com/pinwheel-dev/pinwheel/state"
)

// Groups (config.Group): the slots whose update a group matches become
// members of one group slot, with one branch, one commit and one merge
// request. A member's closed version is left out of the group (closing a
// group merge request ignores exactly the versions it carried); a member
// with no update left (removed from the file, or updated by a person)
// simply is no member any more, so the group's branch is rebuilt without
// it, and a group with no member left is closed as obsolete by tidy.

// groupBranchInfix follows the branch prefix on group branches.
const groupBranchInfix = "group-"

// groupOfBranch says whether branch is a group's branch
// (<prefix>group-<name>) and of which group, configured or not (cleanup
// closes the merge request of a group no longer configured). A name
// ending like a package branch ("-1.x") is a package's branch: the
// package "group-lasso" has <prefix>group-lasso-1.x, and config refuses
// such group names.
func groupOfBranch(prefix, branch string) (string, bool) {
	name, ok := strings.CutPrefix(branch, prefix+groupBranchInfix)
	if !ok || name == "" || config.EndsLikePackageBranch(name) {
		return "", false
	}
	return name, true
}

// isGroupBranch reports whether branch is a group's branch.
func isGroupBranch(prefix, branch string) bool {
	_, ok := groupOfBranch(prefix, branch)
	return ok
}

// part is one package a branch moves, and the update it moves it to.
type part struct {
	m *slot
	u *plan.Update
}

// groupSlots replaces the slots a group matches by one slot per group,
// where the group's first member was; the first matching group wins, and
// a package joins a group once (a second stream of it stays alone).
func groupSlots(slots []*slot, groups []config.Group, prefix string) []*slot {
	if len(groups) == 0 {
		return slots
	}
	byName := map[string]*slot{}
	var out []*slot
	for _, s := range slots {
		if s.security {
			// A security update always gets its own merge request.
			out = append(out, s)
			continue
		}
		head := s.offered
		if head == nil {
			head = s.pending
		}
		g, ok := config.GroupFor(groups, s.key, config.UpdateType(head.Type))
		if !ok {
			out = append(out, s)
			continue
		}
		gs := byName[g.Name]
		if gs == nil {
			gs = &slot{branch: prefix + groupBranchInfix + g.Name, name: g.Name, group: g.Name, offered: &plan.Update{}}
			byName[g.Name] = gs
			out = append(out, gs)
		}
		if slices.ContainsFunc(gs.members, func(m *slot) bool { return m.key == s.key }) {
			out = append(out, s)
			continue
		}
		if s.pending != nil && !g.Matches(s.key, config.UpdateType(s.pending.Type)) {
			// The group takes the member's offered update only: a
			// [patch] group never carries its young minor release (which
			// gets a merge request of its own once it is old enough).
			cut := *s
			cut.pending = nil
			s = &cut
		}
		gs.members = append(gs.members, s)
		if s.pending != nil && gs.pending == nil {
			gs.pending = &plan.Update{Pending: true}
		}
	}
	return out
}

// parts are the packages a branch carrying want moves.
func (s *slot) parts(want *plan.Update) []part {
	if s.group == "" {
		return []part{{s, want}}
	}
	if want == s.pending {
		return s.pendingParts
	}
	return s.offeredParts
}

// closedVersions are the member versions the group's closed merge
// requests carried, nil when its recreate box is ticked. A closed merge
// request not yet acknowledged counts already; when the state lost what
// it carried, it counts as carrying what the group would carry now (as
// Renovate matches closed merge requests by title).
func (run *projectRun) closedVersions(s *slot, recreate bool) map[string]string {
	if recreate {
		return nil
	}
	closed := maps.Clone(run.rec.ClosedGroups[s.branch])
	if closed == nil {
		closed = map[string]string{}
	}
	mr, ok := run.rec.MergeRequests[s.branch]
	if ok && mr.State == "closed" && !mr.Noted && mr.IID != 0 {
		if mr.Versions == nil {
			for _, m := range s.members {
				if u := m.want(false); u != nil {
					closed[m.key] = u.To
				}
			}
		}
		maps.Copy(closed, mr.Versions)
	}
	return closed
}

// groupCandidates are the group's offered and pending candidates: the
// members' updates without the closed versions, or, when every update
// is a closed version, an ignored candidate listing them.
func (run *projectRun) groupCandidates(s *slot, recreate bool) (offered, pending *Candidate) {
	closed := run.closedVersions(s, recreate)
	// The versions the branch's merged merge request carried are not
	// proposed again (a target read before the merge still shows them).
	var merged map[string]string
	if mr, ok := run.rec.MergeRequests[s.branch]; ok && mr.State == "merged" {
		merged = mr.Versions
	}
	split := func(approved bool) (keep, ignored, done []part) {
		for _, m := range s.members {
			u := m.want(approved)
			switch {
			case u == nil:
			case merged[m.key] == u.To:
				done = append(done, part{m, u})
			case closed[m.key] == u.To:
				ignored = append(ignored, part{m, u})
			default:
				keep = append(keep, part{m, u})
			}
		}
		return keep, ignored, done
	}
	keep, ignored, done := split(false)
	keep = run.fitting(s, keep)
	s.offeredParts = keep
	switch {
	case len(keep) > 0:
		offered = &Candidate{Update: s.offered, Packages: packagesOf(keep)}
		if len(ignored) > 0 {
			offered.ClosedPackages = packagesOf(ignored)
		}
	case len(ignored) > 0:
		offered = &Candidate{Update: s.offered, Ignored: true, Packages: packagesOf(ignored)}
	case len(done) > 0:
		offered = &Candidate{Update: s.offered, Merged: true, Packages: packagesOf(done)}
	}
	if s.pending != nil {
		keep, _, _ := split(true)
		keep = run.fitting(s, keep)
		s.pendingParts = keep
		if len(keep) > 0 && !samePackages(keep, s.offeredParts) {
			pending = &Candidate{Update: s.pending, Packages: packagesOf(keep)}
		}
	}
	return offered, pending
}

// fitting drops the parts the files cannot carry (the index's data does
// not fit the pin): that package fails, with its error on the dashboard,
// and the rest of the group goes on. Each package is tried alone only
// when the group as a whole does not fit.
func (run *projectRun) fitting(s *slot, ps []part) []part {
	probe := &slot{branch: s.branch, group: s.group, offered: s.offered, offeredParts: ps}
	var ce contentError
	if _, err := run.changes(probe, s.offered); !errors.As(err, &ce) || len(ps) == 0 {
		return ps
	}
	var out []part
	for _, p := range ps {
		probe.offeredParts = []part{p}
		if _, err := run.changes(probe, s.offered); errors.As(err, &ce) {
			if !run.reported[p.m.key] {
				run.reported[p.m.key] = true
				run.problems = append(run.problems, dashboard.Problem{
					Kind: dashboard.ProblemAPI, Subject: p.m.name, Message: err.Error(), RetryBranch: s.branch,
				})
			}
			continue
		}
		out = append(out, p)
	}
	return out
}

func samePackages(a, b []part) bool {
	return slices.EqualFunc(a, b, func(x, y part) bool { return x.m == y.m && x.u == y.u })
}

func packagesOf(ps []part) []dashboard.PackageUpdate {
	out := make([]dashboard.PackageUpdate, len(ps))
	for i, p := range ps {
		out[i] = dashboard.PackageUpdate{Name: p.m.name, From: p.u.From, To: p.u.To}
	}
	return out
}

// versionsOf maps each part's PEP 503 name to its version; nil for a
// single package's branch.
func versionsOf(s *slot, want *plan.Update) map[string]string {
	if s.group == "" {
		return nil
	}
	out := map[string]string{}
	for _, p := range s.parts(want) {
		out[p.m.key] = p.u.To
	}
	return out
}

// title is the merge request title of a branch carrying want.
func (s *slot) title(want *plan.Update) string {
	if s.group != "" {
		return mrbot.GroupTitle(s.group)
	}
	return mrbot.UpdateTitle(s.name, want.To, want.Security)
}

// message is the commit message of a branch carrying want.
func (s *slot) message(want *plan.Update) string {
	if s.group == "" {
		return s.title(want) + "\n\nFrom " + want.From + " to " + want.To + ".\n"
	}
	var b strings.Builder
	b.WriteString(s.title(want) + "\n\n")
	for _, p := range s.parts(want) {
		fmt.Fprintf(&b, "%s: from %s to %s.\n", p.m.name, p.u.From, p.u.To)
	}
	return b.String()
}

// ackGroupClosed acknowledges a group merge request closed without
// merging: its versions are remembered as closed, and the first run that
// sees it says so on it, once, and deletes its branch.
func (run *projectRun) ackGroupClosed(ctx context.Context, s *slot, d Decision) error {
	mr := run.rec.MergeRequests[s.branch]
	if !d.Note {
		return nil
	}
	closed := mr.Versions
	if closed == nil {
		closed = run.closedVersions(s, false)
	}
	var list []string
	for _, k := range slices.Sorted(maps.Keys(closed)) {
		list = append(list, k+" "+closed[k])
	}
	if err := run.bot.NoteClosedGroup(ctx, mr.IID, s.group, list); err != nil {
		return err
	}
	if err := run.bot.RemoveBranch(ctx, s.branch, mr.Title, mr.BuiltSHA); err != nil && !errors.Is(err, mrbot.ErrEdited) {
		return err
	}
	run.touched[s.branch] = true
	if run.r.deps.DryRun {
		return nil
	}
	if run.rec.ClosedGroups == nil {
		run.rec.ClosedGroups = map[string]map[string]string{}
	}
	if run.rec.ClosedGroups[s.branch] == nil {
		run.rec.ClosedGroups[s.branch] = map[string]string{}
	}
	maps.Copy(run.rec.ClosedGroups[s.branch], closed)
	run.changeRecord(s.branch, func(r *state.MergeRequestRecord) { r.Noted = true })
	return nil
}

// groupDescription is a group merge request's description.
func (run *projectRun) groupDescription(s *slot, want *plan.Update) string {
	g := mrbot.GroupUpdate{Group: s.group}
	for _, p := range s.parts(want) {
		u := mrbot.Update{Name: p.m.name, From: p.u.From, To: p.u.To, Type: string(p.u.Type), Released: p.u.ReleaseDate}
		if p.m.res.Project != nil {
			u.Links = p.m.res.Project.Links
		}
		g.Updates = append(g.Updates, u)
	}
	if files, err := run.changes(s, want); err == nil {
		for _, f := range files {
			g.Files = append(g.Files, f.Path)
		}
	}
	if run.p.YAML != "" {
		g.Files = append(g.Files, run.p.YAML)
	}
	return mrbot.GroupDescription(g, run.now)
}

// obsoleteGroup says why the open merge request of a group branch is no
// longer needed: the group has no member with an update left. It is not
// while a package the branch carries failed its look-up or is ignored
// (people took it in hand), or when the title is not the group's.
func (run *projectRun) obsoleteGroup(branch string, mr state.MergeRequestRecord) (string, bool) {
	group, ok := mrbot.ParseGroupTitle(mr.Title)
	if of, isGroup := groupOfBranch(run.p.BranchPrefix, branch); !ok || !isGroup || of != group {
		return "", false
	}
	for _, res := range run.results.Results {
		if _, carried := mr.Versions[res.Pin.Key]; carried && (res.Err != nil || res.Ignored()) {
			return "", false
		}
	}
	for _, f := range run.files {
		for _, e := range f.Errors() {
			if e.Line == 0 {
				return "", false // a file not read says nothing of its pins
			}
		}
	}
	if !slices.ContainsFunc(run.p.Groups, func(g config.Group) bool { return g.Name == group }) {
		return fmt.Sprintf("the group %s is no longer configured (its packages get merge requests of their own)", group), true
	}
	return fmt.Sprintf("no package of the group %s has an update left on %s", group, run.target), true
}

// inGroupMR says why a package's own merge request is no longer needed
// when an open group merge request carries the package now (the package
// joined a group since): one pipeline for it is enough.
func (run *projectRun) inGroupMR(key, name string) (string, bool) {
	for _, branch := range slices.Sorted(maps.Keys(run.rec.MergeRequests)) {
		mr := run.rec.MergeRequests[branch]
		if _, carried := mr.Versions[key]; carried && mr.State == "opened" && isGroupBranch(run.p.BranchPrefix, branch) {
			return fmt.Sprintf("%s is updated in the group MR !%d (%s)", name, mr.IID, mr.Title), true
		}
	}
	return "", false
}

// pruneClosedGroups forgets closed group versions that can no longer be
// proposed: the target pins the package at or above them (or no longer
// at all), or the group is no longer configured. A package whose pins
// cannot be compared keeps its entry.
func (run *projectRun) pruneClosedGroups() {
	for branch, closed := range run.rec.ClosedGroups {
		configured := slices.ContainsFunc(run.p.Groups, func(g config.Group) bool {
			return run.p.BranchPrefix+groupBranchInfix+g.Name == branch
		})
		for key, version := range closed {
			if !configured || run.pinnedAtLeast(key, version) {
				delete(closed, key)
			}
		}
		if len(closed) == 0 {
			delete(run.rec.ClosedGroups, branch)
		}
	}
}

// pinnedAtLeast reports whether every file read this run pins key at
// version or above, or not at all.
func (run *projectRun) pinnedAtLeast(key, version string) bool {
	want, err := pep440.Parse(version)
	if err != nil {
		return false
	}
	for _, f := range run.files {
		for _, e := range f.Errors() {
			if e.Line == 0 {
				return false // a file not read says nothing of its pins
			}
		}
		for _, p := range f.Lookup(key) {
			v, err := pep440.Parse(p.Version)
			if err != nil || v.Compare(want) < 0 {
				return false
			}
		}
		for _, u := range f.Unmanaged() {
			if n := leadingName.FindString(u.Text); n != "" && pkgname.Normalize(n) == key {
				return false
			}
		}
	}
	return true
}
