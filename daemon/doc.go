// Package daemon keeps pinwheel running unattended: it runs every
// configured project once at start and then on a cron schedule, runs a
// project early when a GitLab webhook says its dashboard issue was edited,
// and serves /healthz, /metrics and /hooks/gitlab over HTTP.
//
// Note and Pipeline Hooks (comments, pipeline status) go to a BotHandler,
// the test bot, which only queues them: the handler answers GitLab at once
// either way. A comment the bot does not take goes to the CommandHandler
// (commands on pinwheel's own merge requests), which records it and names
// the project whose run answers it; the loop is triggered for it. A loop
// may have no projects (LoopConfig.NoProjects) when the daemon only
// serves the bot.
//
// It owns when runs happen, never what a run does: a run is a RunFunc the
// caller supplies (package app wraps the scheduler's Runner), so this
// package imports no GitLab or index code. It does not enforce one daemon
// per state file either; the state package's lock does.
//
// # Runs
//
// Each project has one worker goroutine, which runs it one run at a time
// (the RunFunc, scheduler.Runner, is what serialises runs of one project
// for every caller, and what recovers a run that panics);
// LoopConfig.Parallel bounds how many projects run at once.
// Trigger marks a project pending and the worker starts a run after
// LoopConfig.Debounce, so a burst of webhook calls becomes one run. A
// trigger that arrives while the project runs is kept and causes exactly
// one follow-up run; a schedule tick that passes during a run is dropped,
// since the run that just ended covers it. Loop.SetProjects (called by
// Loop.Refresh on the schedule, for discovered projects) adds workers and
// retires them: a retired project's run in flight finishes, and it never
// runs again.
//
// # Shards
//
// In a fleet (package shard), a Forwarder sends a hook for a project
// another instance owns to that instance, and the test bot's hooks to
// shard 0, so one webhook URL serves every instance; a comment on a merge
// request may go to both, and each takes only its part. A forward that
// fails is still answered 2xx, so GitLab never disables the hook for it.
//
// # Stopping
//
// When the context given to Loop.Run (or Serve) is cancelled, no new run
// starts, and a run in flight goes on with a context that the stop does
// not cancel: it is cancelled only LoopConfig.Grace later. The run learns
// of the stop through stop.Signal(ctx) (package internal/stop, the one
// home of the signal), a channel closed at the stop, and should return
// at its next safe point (between two GitLab writes, say), so no branch
// is left half-written. Serve then shuts the HTTP server down
// and returns. A process supervisor's kill timeout (systemd's
// TimeoutStopSec, Kubernetes' terminationGracePeriodSeconds) should exceed
// Grace.
//
// All timing goes through a Clock, so tests move time by hand.
package daemon
