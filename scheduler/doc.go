// Package scheduler runs pinwheel for GitLab projects: one run reads a
// project's constraints file through the API, looks its pins up on the
// package index, finds (or creates) the dependency dashboard issue, reads
// the boxes people ticked, decides per update branch what to do inside the
// schedule window and the rate limits (decide: a pure function of plain
// data, so a dry run decides and executes nothing), groups updates into one
// branch per configured group, has package mrbot write branches,
// commits and merge requests, cleans up after them (closes merge requests
// the target made unnecessary, deletes the branches of closed ones), and
// writes the dashboard back only when its text changed. Before the
// look-ups it answers the commands people gave on its merge requests
// ("@pinwheel rebase", "@pinwheel ignore this major", see commands.go and
// package mrcmd); Runner.HandleNote records them from the webhook.
//
// GitLab is the source of truth; the state file (package state) only
// caches what a run learnt (pinwheel's user id, the default branch, the
// latest merge request per update branch, listing cursors), so a run with
// nothing new costs a handful of GET requests and no write, and a lost
// state file costs one full listing. A run prunes the records of
// long-merged or closed merge requests; Runner.PruneCache drops stale
// index responses and OSV records when its caller says (the daemon's
// timer, the end of `pinwheel run`), so the file stays bounded over months.
//
// A run is safe to interrupt between any two GitLab calls; the next run
// converges. In the daemon it also stops between two updates once the
// daemon begins to stop (the signal of package internal/stop), and a
// panic ends only the project's run (ErrPanicked).
//
// The package is the per-project run and nothing around it: it owns
// neither the cron (config parses it into config.Cron, package daemon
// runs it) nor the schedule window (config.Schedule.Contains says whether
// a time is inside; the run only asks), nor webhooks (package daemon),
// rendering (package dashboard), the GitLab writes themselves (package
// mrbot) or its own wiring (package app). It imports no daemon code: a
// daemon's stop reaches it through package internal/stop, which both
// import.
package scheduler
