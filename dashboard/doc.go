// Package dashboard renders pinwheel's dependency dashboard issue and reads
// the boxes people tick in it.
//
// The dashboard is one GitLab issue whose description lists every update
// pinwheel knows about, grouped by what holds it back (schedule, release
// age, rate limit, an open or a closed merge request), the problems of the
// last run and every pin found in the constraints files. Its checkbox lines
// use Renovate's syntax, so people who know Renovate's dependency dashboard
// can use it as they are used to; a box line reads
// " - [ ] <!-- unschedule-branch=pinwheel/requests-2.x -->Update requests to 2.32.4"
// (see https://docs.renovatebot.com/key-concepts/dashboard/ and
// lib/workers/repository/dependency-dashboard.ts in renovatebot/renovate).
//
// The package is pure text in, text out: [Render] turns a [Dashboard] into
// markdown, [Parse] reads the ticked boxes back into [Ticks], [CarryOver]
// keeps boxes ticked while a run was in flight, and [Equal] tells whether a
// write is needed. Finding, reading and writing the issue on GitLab belongs
// to the run that uses this package.
//
// # Trust
//
// The issue is editable by anyone who can edit the issue, so its text is
// input from outside. A marker only SELECTS among the branches the daemon
// computed in the same run: the caller matches [Ticks] against its own set
// of branches ([Ticks.Has], [Ticks.Selected]) and never uses text from the
// issue as a branch name, a path or a command. [Parse] drops markers whose
// branch does not match [ValidBranch] or whose type it does not know, but a
// well-formed marker naming a branch that is not an update is still
// reported; it is the caller's set that makes it harmless.
//
// Everything Render takes from outside (package names, versions, error
// texts, paths) is flattened to one line, shortened and escaped, so it
// cannot start a new line, fake a checkbox marker, inject HTML, mention
// users or reference issues.
package dashboard
