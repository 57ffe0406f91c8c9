package demo

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/mdtext"
)

// seen is what the demo printed last of the dashboard and of each merge
// request, so that it prints each one again only when it changed.
type seen struct {
	dashboard string
	mrs       map[int64]mrSeen
	notes     map[int64]bool
}

type mrSeen struct {
	state, title, description, diff, sha string
	autoMerge                            bool
}

// show prints what a maintainer sees in GitLab after a step, read through
// the API as any client would: the dashboard issue (when v asks for it and
// it changed) and every merge request opened or changed, with the notes
// added to it.
func (d *world) show(ctx context.Context, w io.Writer, v view, markdown bool) error {
	if v&viewDashboard != 0 {
		if err := d.showDashboard(ctx, w, markdown); err != nil {
			return err
		}
	}
	if v&viewMRs != 0 {
		return d.showMRs(ctx, w, markdown)
	}
	return nil
}

func (d *world) showDashboard(ctx context.Context, w io.Writer, markdown bool) error {
	issues, _, err := d.api.Issues.ListProjectIssues(projectPath, &gitlab.ListProjectIssuesOptions{
		Labels: &gitlab.LabelOptions{"dependency-dashboard"},
	}, gitlab.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("demo: list dashboard: %w", err)
	}
	for _, is := range issues {
		if is.Description == d.seen.dashboard {
			fmt.Fprintf(w, "\n(dashboard #%d unchanged)\n", is.IID)
			continue
		}
		d.seen.dashboard = is.Description
		fmt.Fprintf(w, "\n┌─ Issue #%d %q (%s) %s\n", is.IID, is.Title, is.State, is.WebURL)
		box(w, render(is.Description, markdown))
		fmt.Fprintln(w, "└─")
	}
	return nil
}

func (d *world) showMRs(ctx context.Context, w io.Writer, markdown bool) error {
	if d.seen.mrs == nil {
		d.seen.mrs, d.seen.notes = map[int64]mrSeen{}, map[int64]bool{}
	}
	list, _, err := d.api.MergeRequests.ListProjectMergeRequests(projectPath, &gitlab.ListProjectMergeRequestsOptions{
		State: gitlab.Ptr("all"), ListOptions: gitlab.ListOptions{PerPage: 100},
	}, gitlab.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("demo: list merge requests: %w", err)
	}
	slices.SortFunc(list, func(a, b *gitlab.BasicMergeRequest) int { return int(a.IID - b.IID) })
	for _, mr := range list {
		full, _, err := d.api.MergeRequests.GetMergeRequest(projectPath, mr.IID, nil, gitlab.WithContext(ctx))
		if err != nil {
			return fmt.Errorf("demo: read !%d: %w", mr.IID, err)
		}
		now := mrSeen{state: mr.State, title: mr.Title, description: mr.Description, sha: mr.SHA, autoMerge: full.MergeWhenPipelineSucceeds}
		if mr.State == "opened" {
			if now.diff, err = d.diff(ctx, mr.SHA); err != nil {
				return fmt.Errorf("demo: diff of !%d: %w", mr.IID, err)
			}
		}
		was, known := d.seen.mrs[mr.IID]
		d.seen.mrs[mr.IID] = now
		switch {
		case !known:
			d.printMR(w, mr, now, "opened", markdown)
		case now.state != "opened" && now.state != was.state:
			fmt.Fprintf(w, "\n── !%d %q is %s%s\n", mr.IID, mr.Title, now.state, mergedBy(full))
		case changes(now.diff) != changes(was.diff):
			d.printMR(w, mr, now, "changed", markdown)
		case now.sha != was.sha || now.description != was.description:
			edits, ok := lineEdits(render(was.description, markdown), render(now.description, markdown))
			if !ok {
				d.printMR(w, mr, now, "changed", markdown)
				break
			}
			what := "description rewritten"
			if now.sha != was.sha {
				what = "branch rebuilt on the new " + mr.TargetBranch + ", same change"
			}
			fmt.Fprintf(w, "\n── !%d %q: %s%s\n", mr.IID, mr.Title, what, autoMergeNote(now))
			for _, e := range edits {
				fmt.Fprintf(w, "   %s\n", e)
			}
		case now.title != was.title:
			fmt.Fprintf(w, "\n── !%d retitled %q\n", mr.IID, mr.Title)
		}
		if err := d.showNotes(ctx, w, mr.IID, markdown); err != nil {
			return err
		}
	}
	return nil
}

func mergedBy(mr *gitlab.MergeRequest) string {
	if mr.State == "merged" && mr.MergedBy != nil {
		return " (merged by @" + mr.MergedBy.Username + " into " + mr.TargetBranch + ")"
	}
	return ""
}

func autoMergeNote(m mrSeen) string {
	if m.autoMerge {
		return "; auto-merge on"
	}
	return ""
}

func (d *world) printMR(w io.Writer, mr *gitlab.BasicMergeRequest, m mrSeen, what string, markdown bool) {
	auto := ""
	if m.autoMerge {
		auto = " · auto-merge on"
	}
	fmt.Fprintf(w, "\n┌─ Merge request !%d %s: %s\n│ %s → %s · labels %s%s · %s\n├─ description\n",
		mr.IID, what, mr.Title, mr.SourceBranch, mr.TargetBranch, strings.Join(mr.Labels, ", "), auto, mr.WebURL)
	box(w, render(m.description, markdown))
	if m.diff != "" {
		fmt.Fprintln(w, "├─ changes")
		box(w, m.diff)
	}
	fmt.Fprintln(w, "└─")
}

// changes is what a diff changes: its file headers and its added and
// removed lines, without the context a rebase moves.
func changes(diff string) string {
	var b strings.Builder
	for _, l := range strings.Split(diff, "\n") {
		if strings.HasPrefix(l, "+") || strings.HasPrefix(l, "-") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// lineEdits lists the lines that differ between two texts of as many
// lines, as "old → new"; ok is false when the line counts differ.
func lineEdits(old, new string) (edits []string, ok bool) {
	a, b := strings.Split(old, "\n"), strings.Split(new, "\n")
	if len(a) != len(b) {
		return nil, false
	}
	for i := range a {
		if a[i] != b[i] {
			edits = append(edits, "description: "+strings.TrimSpace(a[i])+"  →  "+strings.TrimSpace(b[i]))
		}
	}
	return edits, true
}

// diff is a commit's change as git shows it.
func (d *world) diff(ctx context.Context, sha string) (string, error) {
	diffs, _, err := d.api.Commits.GetCommitDiff(projectPath, sha, nil, gitlab.WithContext(ctx))
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, df := range diffs {
		fmt.Fprintf(&b, "--- a/%s\n+++ b/%s\n%s", df.OldPath, df.NewPath, df.Diff)
		if !strings.HasSuffix(df.Diff, "\n") {
			b.WriteString("\n")
		}
	}
	return b.String(), nil
}

// showNotes prints the notes added to a merge request since the last
// look, as its page shows them.
func (d *world) showNotes(ctx context.Context, w io.Writer, iid int64, markdown bool) error {
	notes, _, err := d.api.Notes.ListMergeRequestNotes(projectPath, iid, &gitlab.ListMergeRequestNotesOptions{
		Sort: gitlab.Ptr("asc"), OrderBy: gitlab.Ptr("created_at"),
	}, gitlab.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("demo: notes of !%d: %w", iid, err)
	}
	for _, n := range notes {
		if d.seen.notes[n.ID] {
			continue
		}
		d.seen.notes[n.ID] = true
		fmt.Fprintf(w, "   💬 @%s on !%d:\n", n.Author.Username, iid)
		for _, l := range strings.Split(strings.TrimSpace(render(n.Body, markdown)), "\n") {
			fmt.Fprintln(w, strings.TrimRight("      "+l, " "))
		}
	}
	return nil
}

// render is markdown as a person sees it on GitLab, or as it is.
func render(md string, markdown bool) string {
	if markdown {
		return md
	}
	return mdtext.Plain(md)
}

// box prints text inside the left border of a ┌─ … └─ box.
func box(w io.Writer, text string) {
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		fmt.Fprintln(w, strings.TrimRight("│ "+line, " "))
	}
}
