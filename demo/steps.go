package demo

import (
	"context"
	"io"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

// The demo's week, in UTC (the project's schedule is in UTC too, so one
// time zone reads throughout): a Wednesday morning, then the weekend.
var (
	wednesday = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	saturday  = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	sunday    = saturday.AddDate(0, 0, 1)
)

// step is one scene of the demo: at a time, people (or the CI) act, then
// pinwheel runs as its hourly tick would, then the demo shows what GitLab
// shows. Adding a scene is adding an entry to steps.
type step struct {
	title string
	at    time.Time
	// act is what happens before the run; it returns what it did, one
	// line per action. nil: nothing, only time passed.
	act func(ctx context.Context, d *world) ([]string, error)
	// show is what to print after the run.
	show view
	// narrate, when set, replaces the run and what it shows: a step of
	// pinwheel's other jobs (the test bot), told by itself.
	narrate func(ctx context.Context, d *world, w io.Writer) error
}

// view selects what a step prints after the run.
type view int

const (
	viewDashboard view = 1 << iota // the dashboard issue, when it changed
	viewMRs                        // merge requests opened or changed (with their diffs) and new notes

	viewAll = viewDashboard | viewMRs
)

// acts chains actions into a step's act.
func acts(fs ...func(ctx context.Context, d *world) (string, error)) func(context.Context, *world) ([]string, error) {
	return func(ctx context.Context, d *world) ([]string, error) {
		var lines []string
		for _, f := range fs {
			line, err := f(ctx, d)
			if err != nil {
				return lines, err
			}
			lines = append(lines, line)
		}
		return lines, nil
	}
}

func tick(marker string) func(context.Context, *world) (string, error) {
	return func(ctx context.Context, d *world) (string, error) { return d.tick(ctx, marker) }
}

func pipeline(branch string, status gitlab.BuildStateValue) func(context.Context, *world) (string, error) {
	return func(ctx context.Context, d *world) (string, error) { return d.pipelineDone(ctx, branch, status) }
}

func closeMR(branch string) func(context.Context, *world) (string, error) {
	return func(ctx context.Context, d *world) (string, error) { return d.closeMR(ctx, branch) }
}

func comment(branch, body string) func(context.Context, *world) (string, error) {
	return func(ctx context.Context, d *world) (string, error) { return d.comment(ctx, branch, body) }
}

func bump(pkg, version string) func(context.Context, *world) (string, error) {
	return func(ctx context.Context, d *world) (string, error) { return d.bump(ctx, pkg, version) }
}

// steps is the demo, in order.
var steps = []step{
	{
		title: "The hourly run finds updates; outside the weekend window it opens no merge request",
		at:    wednesday, show: viewAll,
	},
	{
		title: "A maintainer ticks the box for requests; the next run opens just that merge request",
		at:    wednesday.Add(time.Hour), show: viewAll,
		act: acts(tick("unschedule-branch=pinwheel/requests-2.x")),
	},
	{
		title: "Still Wednesday: OSV publishes an advisory for the pinned Django; the next run opens the security update at once, and only it",
		at:    wednesday.Add(2 * time.Hour), show: viewAll,
		act: acts(publishAdvisory(djangoAdvisory)),
	},
	{
		title: "The weekend: inside the window pinwheel opens the rest, at most 3 per run (new_mrs_per_run); patch updates get auto-merge",
		at:    saturday, show: viewAll,
	},
	{
		title: "The next hourly run opens what the limit held back",
		at:    saturday.Add(time.Hour), show: viewAll,
	},
	{
		title: "CI: Django's pipeline fails; the dashboard shows it",
		at:    saturday.Add(2 * time.Hour), show: viewAll,
		act: acts(pipeline("pinwheel/django-4.x", gitlab.Failed)),
	},
	{
		title: "CI: PyYAML's pipeline succeeds and GitLab merges it (auto-merge); pinwheel rebuilds the other branches on the new main",
		at:    saturday.Add(3 * time.Hour), show: viewAll,
		act: acts(pipeline("pinwheel/pyyaml-6.x", gitlab.Success)),
	},
	{
		title: "A maintainer closes the six merge request: pinwheel lists it under Closed / Ignored, with a box to recreate it",
		at:    sunday, show: viewAll,
		act: acts(closeMR("pinwheel/six-1.x")),
	},
	{
		title: "A person bumps urllib3 on main by hand: pinwheel closes its merge request as no longer needed",
		at:    sunday.Add(time.Hour), show: viewAll,
		act: acts(bump("urllib3", "2.5.0")),
	},
	{
		title: "A maintainer comments \"@pinwheel rebase\" on the Django merge request: with no webhook set up, the next run finds the command among the notes and answers it",
		at:    sunday.Add(80 * time.Minute), show: viewAll,
		act: acts(comment("pinwheel/django-4.x", "@pinwheel rebase")),
	},
	{
		title:   "A developer comments \"@pinwheel test\" on a merge request of the team's package cki-lib: pinwheel runs group/app's pipeline with that code and reports the result",
		at:      sunday.Add(90 * time.Minute),
		narrate: func(ctx context.Context, d *world, w io.Writer) error { return d.botStep(ctx, w) },
	},
	{
		title:   "The team deploys cki-lib by moving its production branch with `pinwheel deploy`, then rolls back with `pinwheel rollback`; GitLab records each deployment",
		at:      sunday.Add(100 * time.Minute),
		narrate: func(ctx context.Context, d *world, w io.Writer) error { return d.deployStep(ctx, w) },
	},
	{
		title: "pytest, pytest-cov and pluggy publish new releases: the weekend run opens one merge request for the test-tools group, one table row per package",
		at:    sunday.Add(110 * time.Minute), show: viewAll,
		act: acts(publishTestTools),
	},
	{
		title: "Nothing changed on the index or in GitLab, so the run writes nothing",
		at:    sunday.Add(2 * time.Hour), show: viewAll,
	},
}
