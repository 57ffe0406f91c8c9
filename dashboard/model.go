package dashboard

import "time"

// Dashboard is everything one rendering of the dashboard shows. Render
// lists the sections in a fixed order and leaves out empty ones.
type Dashboard struct {
	// AwaitingSchedule are updates whose merge request waits for the
	// schedule window. Box: [KindUnschedule].
	AwaitingSchedule []Entry
	// PendingReleaseAge are updates to a release younger than the minimum
	// release age; Entry.Eligible says when it becomes old enough.
	// Box: [KindApprove] (create it now anyway).
	PendingReleaseAge []Entry
	// RateLimited are updates held back by the limit on open merge
	// requests. Box: [KindUnlimit].
	RateLimited []Entry
	// Open are updates with an open merge request. Box: [KindRebase].
	Open []Entry
	// Closed are updates whose merge request was closed without merging;
	// pinwheel ignores them until asked. Box: [KindRecreate].
	Closed []Entry
	// Vulnerabilities are the pins with known vulnerabilities, also
	// those no release fixes yet (render_vulns.go).
	Vulnerabilities []Vulnerable
	// Ignored are the rules set by commands on merge requests, listed
	// under Closed / Ignored. Box: [KindUnignore] (lift the rule).
	Ignored []IgnoreRule
	// Problems are what went wrong in the run.
	Problems []Problem
	// Files are the constraints files read in the run, with every pin.
	Files []DependencyFile
	// ManualRunBox adds the "run pinwheel again" box to the footer. Set it
	// only when something watches the issue between runs (a webhook on
	// issue events); otherwise a tick would wait for the next scheduled
	// run anyway and the box would promise more than it does.
	ManualRunBox bool
}

// Entry is one update on the dashboard.
type Entry struct {
	// Branch is the update's branch, for example "pinwheel/requests-2.x".
	// It must satisfy ValidBranch; an entry whose branch does not is shown
	// without a box.
	Branch string
	// Title is the merge request title, for example
	// "Update requests to 2.32.4".
	Title string
	// From and To are the pinned and the offered version.
	From, To string
	// UpdateType is "major", "minor", "patch" or the like; "" if unknown.
	UpdateType string
	// Released is the upload time of the offered release; zero if unknown.
	Released time.Time
	// Eligible is when the release becomes old enough to be offered
	// (pending release age only); zero if not applicable.
	Eligible time.Time
	// MR is the update's merge request (open or closed), nil if none.
	MR *MergeRequest
	// Ticked renders the entry's box as ticked.
	Ticked bool
	// Packages are a group entry's packages, each listed under it; nil
	// for a one-package entry.
	Packages []PackageUpdate
}

// PackageUpdate is one package of a group entry.
type PackageUpdate struct {
	Name, From, To string
}

// MergeRequest is what the dashboard shows of an update's merge request.
type MergeRequest struct {
	IID int
	// WebURL is the merge request's page; the title links to it when it
	// is an http(s) URL without characters that would break the link.
	WebURL string
	// Pipeline is the latest pipeline's status as GitLab names it
	// ("success", "failed", "running", ...); "" if none.
	Pipeline string
}

// ProblemKind says what kind of thing went wrong.
type ProblemKind string

// Kinds of problems.
const (
	ProblemLookup     ProblemKind = "look-up failed"
	ProblemConstraint ProblemKind = "unparsable line"
	ProblemAPI        ProblemKind = "GitLab API failure"
	// ProblemVulnData means the run had no vulnerability data (OSV down
	// or slow) and went on without security updates.
	ProblemVulnData ProblemKind = "vulnerability data unavailable"
	// ProblemConfig is a configured value GitLab refuses (an unknown
	// reviewer's username).
	ProblemConfig ProblemKind = "configuration"
	// ProblemRepoConfig: the project's own config file was refused; the
	// run used the central settings.
	ProblemRepoConfig ProblemKind = "repository config ignored"
	// ProblemIgnoreUnconfirmed: the dashboard lists an ignore rule that
	// pinwheel's own answer on the merge request does not confirm (an
	// edited description); it is not applied.
	ProblemIgnoreUnconfirmed ProblemKind = "ignore rule not confirmed"
)

// Problem is one thing that went wrong in a run.
type Problem struct {
	Kind ProblemKind
	// Subject is what the problem is about: a package name, a file path,
	// an API call.
	Subject string
	// Line is the 1-based line number in Subject for file problems; 0
	// otherwise.
	Line int
	// Message is the error text.
	Message string
	// RetryBranch, when set (and valid), adds a [KindRetry] box for the
	// branch, for problems a retry may fix.
	RetryBranch string
}

// DependencyFile is one constraints file and what was found in it.
type DependencyFile struct {
	Path      string
	Pins      []Pin
	Unmanaged []UnmanagedLine
	// References are the "-r"/"-c" lines naming another file of the
	// repository; pinwheel lists them and does not follow them.
	References []Reference
}

// Reference is a "-r"/"-c" line of a constraints file.
type Reference struct {
	Line   int
	Option string // as written: "-r", "--constraint", ...
	// Path is the file named, relative to the repository root.
	Path string
}

// Pin is one pinned dependency.
type Pin struct {
	Line    int
	Name    string
	Version string
	// Ignored marks a pin pinwheel leaves alone by configuration; Note
	// says why.
	Ignored bool
	Note    string
}

// UnmanagedLine is a line of a constraints file that is not a pin pinwheel
// can manage (an editable install, a URL, an option line).
type UnmanagedLine struct {
	Line   int
	Text   string
	Reason string
}

// IgnoreRule is one "@pinwheel ignore this ..." rule on the dashboard.
type IgnoreRule struct {
	// Key identifies the rule; it must satisfy ValidBranch to get a box.
	Key string
	// Package is the package's name; What says what is ignored: "major
	// 3", "minor 3.1", "version 3.1.4" or "every update".
	Package, What string
	// By is who asked, MRIID on which merge request (0 if unknown).
	By    string
	MRIID int
	// Scope and Value are the rule as stored (plan.IgnoreScope and
	// plan.Ignore.Value), kept in the entry's hidden marker.
	Scope, Value string
}
