package scheduler

import (
	"fmt"

	"github.com/pinwheel-dev/pinwheel/check"
	"github.com/pinwheel-dev/pinwheel/constraints"
	"github.com/pinwheel-dev/pinwheel/pep440"
	"github.com/pinwheel-dev/pinwheel/plan"
)

// slot is one update branch and the updates the run computed for it: the
// offered one and a newer one still too young (pending release age).
type slot struct {
	branch string
	// name is the package as the file first writes it.
	name string
	key  string
	// res is the first line's result; it speaks for the package (links).
	res check.Result
	// offered and pending are the headline updates, the first line's that
	// has one: the title, branch and dashboard entry name them.
	offered *plan.Update
	pending *plan.Update
	// lines are the pinned lines the branch moves, in file order, each
	// with its own target (a line under a python_version marker may stop
	// at an older release than the others).
	lines []lineUpdate
	// group is the name of the group a group slot stands for ("" for one
	// package); members are its packages' slots, and offeredParts and
	// pendingParts what its branch carries for offered (a sentinel) and
	// pending (likewise, when a member has a pending update), computed
	// with the run's closed versions (groupCandidates).
	// security marks an update that fixes a known vulnerability of the
	// pin: it bypasses the window and the limits, and never joins a group.
	security bool
	// plain is the offered security update's Plain: the newer normal
	// update of the stream, which an open merge request keeps carrying
	// while the fix goes on the vulnerability branch (route).
	plain *plan.Update

	group                      string
	members                    []*slot
	offeredParts, pendingParts []part
}

// lineUpdate is one pinned line of a slot's package and its updates.
type lineUpdate struct {
	file    int // index into the run's files
	pin     constraints.Pin
	res     check.Result
	offered *plan.Update
	pending *plan.Update
}

// target is the line's update when the branch carries want: the line's
// pending one when the branch carries the headline's pending update (its
// approve box was ticked) and the line has one, else its offered one.
func (s *slot) target(l lineUpdate, want *plan.Update) *plan.Update {
	if want == s.pending && l.pending != nil {
		return l.pending
	}
	if want == s.plain && want != nil && l.offered != nil && l.offered.Plain != nil {
		return l.offered.Plain
	}
	return l.offered
}

// vulnSuffix ends the branch of a security update split off its stream's
// branch: "pinwheel/foo-2.x-vulnerability".
const vulnSuffix = "-vulnerability"

// vulnerability is the slot of s's security update on its own branch,
// when the stream's open merge request keeps the plain update (route).
func (s *slot) vulnerability() *slot {
	v := *s
	v.branch = s.branch + vulnSuffix
	v.plain, v.pending = nil, nil
	v.lines = make([]lineUpdate, len(s.lines))
	for i, l := range s.lines {
		l.pending = nil
		v.lines[i] = l
	}
	return &v
}

// lowestPin is the lowest version the slot's lines pin, "" when none
// parses: what decide's Pinned compares a merge request's version with.
func (s *slot) lowestPin() string {
	var low *pep440.Version
	out := ""
	for _, l := range s.lines {
		v, err := pep440.Parse(l.pin.Version)
		if err == nil && (low == nil || v.Compare(*low) < 0) {
			low, out = &v, l.pin.Version
		}
	}
	return out
}

// computeSlots groups the check's updates by package and stream, in file
// order across the files. A package pinned on several lines (under
// markers, or in several files) is one branch that moves each line to its
// own target; the first line with an update speaks for it. The major
// stream gets a branch of its own, because the branch names the new major.
func computeSlots(reps []*check.Report, prefix string) []*slot {
	var out []*slot
	type group struct {
		key   string
		major bool
	}
	byGroup := map[group]*slot{}
	for fi, rep := range reps {
		for _, res := range rep.Results {
			if res.Err != nil || res.Ignored() {
				continue
			}
			lineOf := map[*slot]int{}
			for _, u := range res.Plan.Updates {
				g := group{res.Pin.Key, u.Major}
				s := byGroup[g]
				if s == nil {
					s = &slot{branch: branchName(prefix, res.Pin.Key, u), name: res.Pin.Name, key: res.Pin.Key, res: res}
					byGroup[g] = s
					out = append(out, s)
				}
				i, ok := lineOf[s]
				if !ok {
					s.lines = append(s.lines, lineUpdate{file: fi, pin: res.Pin, res: res})
					i = len(s.lines) - 1
					lineOf[s] = i
				}
				u := u
				if u.Pending {
					s.lines[i].pending = &u
					if s.pending == nil {
						s.pending = &u
					}
				} else {
					s.lines[i].offered = &u
					if s.offered == nil {
						s.offered = &u
						s.security = u.Security
						s.plain = u.Plain
					}
				}
			}
		}
	}
	return out
}

// branchName is Renovate's default branch topic,
// "<prefix><name>-<newMajor>.x", with the PEP 503 name; an epoch other
// than 0 is part of the major.
func branchName(prefix, key string, u plan.Update) string {
	major := 0
	if r := u.ToVersion.Release(); len(r) > 0 {
		major = r[0]
	}
	if e := u.ToVersion.Epoch(); e != 0 {
		return fmt.Sprintf("%s%s-%d-%d.x", prefix, key, e, major)
	}
	return fmt.Sprintf("%s%s-%d.x", prefix, key, major)
}

// want is the update the branch should carry: the pending one when its
// approve box is ticked, else the offered one; nil when there is none.
func (s *slot) want(approved bool) *plan.Update {
	if approved && s.pending != nil {
		return s.pending
	}
	return s.offered
}
