package scheduler

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/dashboard"
)

// dashboardLabelColor is the colour of the dashboard label pinwheel
// creates when it is missing.
const dashboardLabelColor = "#6699cc"

// findIssue finds the dashboard issue: the configured title exactly,
// authored by pinwheel's own user; the oldest when there are several (the
// others are reported). Its body gives the run's ticks. One list request,
// which returns the descriptions too.
//
// The label is not a filter: a person may take it off, and with a lost
// state file pinwheel would then create a second dashboard. Like
// Renovate, which matches its issue by title, the run finds it anyway and
// puts the label back when it writes.
func (run *projectRun) findIssue(ctx context.Context) error {
	d := run.p.Dashboard
	if !d.Enabled {
		return nil
	}
	opts := &gitlab.ListProjectIssuesOptions{
		ListOptions: gitlab.ListOptions{PerPage: 100},
		State:       gitlab.Ptr("all"),
		AuthorID:    gitlab.Ptr(run.rec.UserID),
		Search:      gitlab.Ptr(d.Title),
		In:          gitlab.Ptr("title"),
		OrderBy:     gitlab.Ptr("created_at"),
		Sort:        gitlab.Ptr("asc"),
	}
	list, _, err := run.gl.Issues.ListProjectIssues(run.p.Path, opts, gitlab.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("find the dashboard issue: %w", err)
	}
	var found []*gitlab.Issue
	for _, is := range list {
		if is.Title == d.Title && is.Author != nil && is.Author.ID == run.rec.UserID {
			found = append(found, is)
		}
	}
	if len(found) == 0 && run.rec.DashboardIID != 0 {
		// Someone may have taken the label off; the remembered issue is
		// still ours if GitLab agrees.
		is, _, err := run.gl.Issues.GetIssue(run.p.Path, run.rec.DashboardIID, gitlab.WithContext(ctx))
		switch {
		case err == nil && is.Title == d.Title && is.Author != nil && is.Author.ID == run.rec.UserID:
			found = append(found, is)
		case err != nil && !errors.Is(err, gitlab.ErrNotFound):
			return fmt.Errorf("read dashboard issue #%d: %w", run.rec.DashboardIID, err)
		}
	}
	if len(found) == 0 {
		run.rec.DashboardIID = 0
		return nil
	}
	slices.SortFunc(found, func(a, b *gitlab.Issue) int { return int(a.IID - b.IID) })
	run.issue = found[0]
	run.rec.DashboardIID = found[0].IID
	if len(found) > 1 {
		var others []string
		for _, is := range found[1:] {
			others = append(others, fmt.Sprintf("#%d", is.IID))
		}
		run.problems = append(run.problems, dashboard.Problem{
			Kind: dashboard.ProblemAPI, Subject: "dashboard issue",
			Message: fmt.Sprintf("several issues are titled %q; using #%d, ignoring %s", d.Title, found[0].IID, strings.Join(others, ", ")),
		})
	}
	run.ticks = dashboard.Parse(run.issue.Description)
	return nil
}

// writeDashboard renders the model and writes the issue when its text (or
// state, or label) needs it. Right before a write it re-reads the issue
// and carries over the boxes ticked since the run read it, which the run
// did not act on (Renovate lost those: renovatebot/renovate#4355, fixed by
// re-reading in PR #10457). A tick made between that re-read and the write
// is found afterwards in GitLab's checklist notes and put back
// (recoverLateTicks).
func (run *projectRun) writeDashboard(ctx context.Context) error {
	d := run.p.Dashboard
	if !d.Enabled {
		return nil
	}
	body := dashboard.Render(run.model)
	if run.issue == nil {
		return run.createIssue(ctx, body)
	}
	is := run.issue
	if dashboard.Equal(body, is.Description) && is.State == "opened" && run.hasLabel(is) {
		return nil
	}
	fresh, _, err := run.gl.Issues.GetIssue(run.p.Path, is.IID, gitlab.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("re-read dashboard issue #%d: %w", is.IID, err)
	}
	body, dropped := dashboard.CarryOver(body, fresh.Description, func(b dashboard.Box) bool { return run.consumed[b] })
	for _, b := range dropped {
		run.log.WithField("box", string(b.Kind)+" "+b.Branch).Info("ticked box has no entry any more; dropped")
	}
	opts := &gitlab.UpdateIssueOptions{}
	var what []string
	if !dashboard.Equal(body, fresh.Description) {
		opts.Description = gitlab.Ptr(body)
		what = append(what, "update dashboard #"+fmt.Sprint(is.IID)+" ("+diffSummary(fresh.Description, body)+")")
	}
	if fresh.State != "opened" {
		opts.StateEvent = gitlab.Ptr("reopen")
		what = append(what, fmt.Sprintf("reopen dashboard #%d", is.IID))
	}
	if !run.hasLabel(fresh) {
		opts.AddLabels = gitlab.Ptr(gitlab.LabelOptions{d.Label})
		what = append(what, fmt.Sprintf("label dashboard #%d %s", is.IID, d.Label))
	}
	if len(what) == 0 {
		return nil
	}
	run.action(strings.Join(what, ", "))
	if run.r.deps.DryRun {
		return nil
	}
	if _, _, err := run.gl.Issues.UpdateIssue(run.p.Path, is.IID, opts, gitlab.WithContext(ctx)); err != nil {
		return fmt.Errorf("write dashboard issue #%d: %w", is.IID, err)
	}
	if opts.Description == nil || fresh.UpdatedAt == nil {
		return nil
	}
	// A tick between the re-read and this write was overwritten.
	return run.recoverLateTicks(ctx, is.IID, *fresh.UpdatedAt)
}

func (run *projectRun) hasLabel(is *gitlab.Issue) bool {
	l := run.p.Dashboard.Label
	return l == "" || slices.Contains(is.Labels, l)
}

func (run *projectRun) createIssue(ctx context.Context, body string) error {
	d := run.p.Dashboard
	if d.Label != "" {
		run.action("create label " + d.Label)
		if !run.r.deps.DryRun {
			_, _, err := run.gl.Labels.CreateLabel(run.p.Path, &gitlab.CreateLabelOptions{
				Name: gitlab.Ptr(d.Label), Color: gitlab.Ptr(dashboardLabelColor),
				Description: gitlab.Ptr("pinwheel's dependency dashboard"),
			}, gitlab.WithContext(ctx))
			if err != nil && status(err) != http.StatusConflict {
				return fmt.Errorf("create label %s: %w", d.Label, err)
			}
		}
	}
	run.action(fmt.Sprintf("create dashboard issue %q", d.Title))
	if run.r.deps.DryRun {
		return nil
	}
	opts := &gitlab.CreateIssueOptions{Title: gitlab.Ptr(d.Title), Description: gitlab.Ptr(body)}
	if d.Label != "" {
		opts.Labels = gitlab.Ptr(gitlab.LabelOptions{d.Label})
	}
	is, _, err := run.gl.Issues.CreateIssue(run.p.Path, opts, gitlab.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("create dashboard issue: %w", err)
	}
	run.rec.DashboardIID = is.IID
	return nil
}

// diffSummary says how many lines a write adds and removes.
func diffSummary(old, new string) string {
	count := map[string]int{}
	for _, l := range strings.Split(dashboard.Normalize(old), "\n") {
		count[l]++
	}
	added := 0
	for _, l := range strings.Split(dashboard.Normalize(new), "\n") {
		if count[l] > 0 {
			count[l]--
		} else {
			added++
		}
	}
	removed := 0
	for _, n := range count {
		removed += n
	}
	return fmt.Sprintf("+%d -%d lines", added, removed)
}
