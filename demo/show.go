package demo

import (
	"context"
	"fmt"
	"io"
	"strings"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

// show prints what a maintainer sees in GitLab after a run: the dashboard
// issue and, with mrs, every open update merge request with its diff, read
// through the API as any client would.
func (d *world) show(ctx context.Context, w io.Writer, mrs bool) error {
	issues, _, err := d.api.Issues.ListProjectIssues(projectPath, &gitlab.ListProjectIssuesOptions{
		Labels: &gitlab.LabelOptions{"dependency-dashboard"},
	}, gitlab.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("demo: list dashboard: %w", err)
	}
	for _, is := range issues {
		fmt.Fprintf(w, "\n┌─ Issue #%d %q (%s)\n", is.IID, is.Title, is.State)
		indent(w, is.Description)
	}
	if !mrs {
		return nil
	}
	opened := "opened"
	list, _, err := d.api.MergeRequests.ListProjectMergeRequests(projectPath, &gitlab.ListProjectMergeRequestsOptions{
		State: &opened,
	}, gitlab.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("demo: list merge requests: %w", err)
	}
	if len(list) == 0 {
		fmt.Fprintln(w, "\n(no open merge requests)")
	}
	for i := len(list) - 1; i >= 0; i-- {
		mr := list[i]
		fmt.Fprintf(w, "\n┌─ Merge request !%d %q  %s → %s  labels %v\n", mr.IID, mr.Title, mr.SourceBranch, mr.TargetBranch, []string(mr.Labels))
		indent(w, mr.Description)
		diffs, _, err := d.api.Commits.GetCommitDiff(projectPath, mr.SHA, nil, gitlab.WithContext(ctx))
		if err != nil {
			return fmt.Errorf("demo: diff of !%d: %w", mr.IID, err)
		}
		for _, df := range diffs {
			fmt.Fprintf(w, "│ --- a/%s\n│ +++ b/%s\n", df.OldPath, df.NewPath)
			indent(w, df.Diff)
		}
		fmt.Fprintln(w, "└─")
	}
	return nil
}

func indent(w io.Writer, text string) {
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		fmt.Fprintf(w, "│ %s\n", line)
	}
}
