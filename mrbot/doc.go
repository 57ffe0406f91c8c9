// Package mrbot writes one update to GitLab: the update's branch, its one
// commit and its merge request, plus the texts they carry (title,
// description, the note on a merge request closed without merging). It
// also cleans up: it closes a merge request whose update is no longer
// needed (Close) and deletes the branch of a closed one (RemoveBranch),
// leaving a branch alone when its head is someone else's commit.
//
// Everything is idempotent by branch: Build skips the commit when the
// branch already holds exactly what it would write on the same parent, and
// Open adopts the open merge request GitLab already has for the branch
// (409 on create), so a run interrupted at any call and run again ends in
// the same branches, commits and merge requests as an uninterrupted one.
//
// mrbot decides nothing: which updates get a branch, when, and within
// which limits is the scheduler's business. It never reads the dashboard.
package mrbot
