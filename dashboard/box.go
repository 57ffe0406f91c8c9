package dashboard

import (
	"regexp"
	"slices"
	"strings"
)

// Kind is the type of a checkbox: what ticking it asks pinwheel to do.
// The per-update kinds are Renovate's marker types, written in the marker
// as "<kind>-branch=<branch>"; the others stand alone.
type Kind string

// Per-update boxes, one per entry.
const (
	KindUnschedule Kind = "unschedule" // create the MR outside the schedule
	KindApprove    Kind = "approve"    // create the MR before the release is old enough
	KindUnlimit    Kind = "unlimit"    // create the MR despite the rate limit
	KindRebase     Kind = "rebase"     // rebuild the open MR's branch now
	KindRecreate   Kind = "recreate"   // create again an MR that was closed
	KindRetry      Kind = "retry"      // retry what failed for the branch
	// KindUnignore lifts an ignore rule set by a command on a merge
	// request ("@pinwheel ignore this major"); its Branch is the rule's
	// key, not a branch.
	KindUnignore Kind = "unignore"
)

// Boxes without a branch: Renovate's bulk boxes and the manual-run box.
const (
	KindCreateAllAwaitingSchedule Kind = "create-all-awaiting-schedule-prs"
	KindCreateAllRateLimited      Kind = "create-all-rate-limited-prs"
	KindRebaseAllOpen             Kind = "rebase-all-open-prs"
	KindManualRun                 Kind = "manual job"
)

// bulkOf maps a bulk box to the per-update kind it ticks for every entry
// of its section. There is deliberately no bulk box for pending release
// age: the minimum age guards against compromised releases, and skipping
// it should be a choice made per update.
var bulkOf = map[Kind]Kind{
	KindCreateAllAwaitingSchedule: KindUnschedule,
	KindCreateAllRateLimited:      KindUnlimit,
	KindRebaseAllOpen:             KindRebase,
}

// Bulk returns the bulk box that ticks k for every entry of its section;
// ok is false for a kind no bulk box covers.
func (k Kind) Bulk() (bulk Kind, ok bool) {
	for b, single := range bulkOf {
		if single == k {
			return b, true
		}
	}
	return "", false
}

var perBranchKinds = []Kind{KindUnschedule, KindApprove, KindUnlimit, KindRebase, KindRecreate, KindRetry, KindUnignore}

// PerBranchKinds lists the per-update kinds, each of which a box carries
// with its branch.
func PerBranchKinds() []Kind { return slices.Clone(perBranchKinds) }

func (k Kind) perBranch() bool { return slices.Contains(perBranchKinds, k) }

func (k Kind) standalone() bool {
	_, bulk := bulkOf[k]
	return bulk || k == KindManualRun
}

// Box identifies one checkbox: a per-update kind with its branch, or a
// standalone kind with an empty Branch.
type Box struct {
	Kind   Kind
	Branch string
}

// marker is the HTML comment that identifies the box in the text.
func (b Box) marker() string {
	if b.Branch == "" {
		return "<!-- " + string(b.Kind) + " -->"
	}
	return "<!-- " + string(b.Kind) + "-branch=" + b.Branch + " -->"
}

// MaxBranchLength bounds the branch names a marker may carry.
const MaxBranchLength = 200

var branchChars = regexp.MustCompile(`^[A-Za-z0-9._/-]+$`)

// ValidBranch reports whether name is acceptable as a branch in a marker:
// letters, digits, ".", "_", "/" and "-", at most MaxBranchLength bytes,
// and within git's ref rules for those characters (no "..", no "//", no
// part starting with "." or "-", no trailing "/", "." or ".lock"; see
// git-check-ref-format(1)).
func ValidBranch(name string) bool {
	if len(name) > MaxBranchLength || !branchChars.MatchString(name) {
		return false
	}
	if strings.Contains(name, "..") || strings.HasSuffix(name, ".lock") ||
		strings.HasSuffix(name, ".") {
		return false
	}
	for _, part := range strings.Split(name, "/") {
		if part == "" || part[0] == '.' || part[0] == '-' {
			return false
		}
	}
	return true
}

// boxLine matches a checkbox line: optional indentation, a "-", "*" or "+"
// bullet, the box, and a marker comment. Group 1 is the box content
// (" ", "x" or "X"), group 2 what is inside the comment. RE2 runs in
// linear time, so hostile lines cannot make parsing slow.
var boxLine = regexp.MustCompile(`^[ \t]*[-*+][ \t]+\[([ xX])\][ \t]*<!--[ \t]*(.*?)[ \t]*-->`)

// branchMarker is the inside of a per-update marker.
var branchMarker = regexp.MustCompile(`^([a-zA-Z]+)-branch=(\S+)$`)

// parseLine reads the box on one line (without its line ending). ok is
// false when the line holds no box pinwheel knows: no marker, an unknown
// kind or a branch ValidBranch refuses. boxStart is the index of the box
// content byte, for rewriting the tick.
func parseLine(line string) (b Box, ticked bool, boxStart int, ok bool) {
	m := boxLine.FindStringSubmatchIndex(line)
	if m == nil {
		return Box{}, false, 0, false
	}
	ticked = line[m[2]] != ' '
	inner := line[m[4]:m[5]]
	if k := Kind(inner); k.standalone() {
		return Box{Kind: k}, ticked, m[2], true
	}
	bm := branchMarker.FindStringSubmatch(inner)
	if bm == nil {
		return Box{}, false, 0, false
	}
	k := Kind(bm[1])
	if !k.perBranch() || !ValidBranch(bm[2]) {
		return Box{}, false, 0, false
	}
	return Box{Kind: k, Branch: bm[2]}, ticked, m[2], true
}
