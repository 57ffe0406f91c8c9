package scheduler

import (
	"fmt"

	"github.com/pinwheel-dev/pinwheel/check"
	"github.com/pinwheel-dev/pinwheel/plan"
)

// slot is one update branch and the updates the run computed for it: the
// offered one and a newer one still too young (pending release age).
type slot struct {
	branch string
	// name is the package as the file first writes it.
	name    string
	key     string
	res     check.Result
	offered *plan.Update
	pending *plan.Update
}

// computeSlots groups the check's updates by branch, in file order. A
// package pinned on several lines (under markers) is one update that moves
// all of them; its first pin speaks for it. The major update gets a branch
// of its own by construction, because the branch names the new major.
func computeSlots(rep *check.Report, prefix string) []*slot {
	var out []*slot
	byBranch := map[string]*slot{}
	seen := map[string]bool{}
	for _, res := range rep.Results {
		if res.Err != nil || res.Ignored() || seen[res.Pin.Key] {
			continue
		}
		seen[res.Pin.Key] = true
		for _, u := range res.Plan.Updates {
			branch := branchName(prefix, res.Pin.Key, u)
			s := byBranch[branch]
			if s == nil {
				s = &slot{branch: branch, name: res.Pin.Name, key: res.Pin.Key, res: res}
				byBranch[branch] = s
				out = append(out, s)
			}
			u := u
			if u.Pending {
				s.pending = &u
			} else {
				s.offered = &u
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
