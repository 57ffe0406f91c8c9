package demo

import (
	"context"
	"fmt"
	"strings"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/constraints"
)

// What people and the CI do between runs, each through GitLab's API as
// the browser or a CI runner would.

// tick is a maintainer ticking a box on the dashboard issue: GitLab's UI
// saves the whole description with one "[ ]" turned into "[x]".
func (d *world) tick(ctx context.Context, marker string) (string, error) {
	issues, _, err := d.alice.Issues.ListProjectIssues(projectPath, &gitlab.ListProjectIssuesOptions{
		Labels: &gitlab.LabelOptions{"dependency-dashboard"},
	}, gitlab.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("demo: find the dashboard: %w", err)
	}
	box := "<!-- " + marker + " -->"
	for _, is := range issues {
		line, ok := findLine(is.Description, box)
		if !ok {
			continue
		}
		desc := strings.Replace(is.Description, "- [ ] "+box, "- [x] "+box, 1)
		if _, _, err := d.alice.Issues.UpdateIssue(projectPath, is.IID, &gitlab.UpdateIssueOptions{Description: &desc}, gitlab.WithContext(ctx)); err != nil {
			return "", fmt.Errorf("demo: tick %s: %w", marker, err)
		}
		return fmt.Sprintf("@alice ticks a box on dashboard #%d: %s", is.IID, strings.TrimSpace(strings.Replace(line, box, "", 1))), nil
	}
	return "", fmt.Errorf("demo: no dashboard box %s", box)
}

func findLine(text, sub string) (string, bool) {
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, sub) {
			return strings.Replace(l, "- [ ]", "- [x]", 1), true
		}
	}
	return "", false
}

// openMR is the open merge request of a branch.
func (d *world) openMR(ctx context.Context, branch string) (*gitlab.BasicMergeRequest, error) {
	list, _, err := d.api.MergeRequests.ListProjectMergeRequests(projectPath, &gitlab.ListProjectMergeRequestsOptions{
		State: gitlab.Ptr("opened"), SourceBranch: &branch,
	}, gitlab.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("demo: find the merge request of %s: %w", branch, err)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("demo: no open merge request from %s", branch)
	}
	return list[0], nil
}

// pipelineDone is the project's CI finishing the pipeline of a branch's
// merge request: it reports its "test" job as running, then as status
// (the commit status API, as an external CI does).
func (d *world) pipelineDone(ctx context.Context, branch string, status gitlab.BuildStateValue) (string, error) {
	mr, err := d.openMR(ctx, branch)
	if err != nil {
		return "", err
	}
	for _, s := range []gitlab.BuildStateValue{gitlab.Running, status} {
		if _, _, err := d.ci.Commits.SetCommitStatus(projectPath, mr.SHA, &gitlab.SetCommitStatusOptions{
			State: s, Name: gitlab.Ptr("test"), Ref: &branch,
		}, gitlab.WithContext(ctx)); err != nil {
			return "", fmt.Errorf("demo: CI reports %s for !%d: %w", s, mr.IID, err)
		}
	}
	line := fmt.Sprintf("CI: the pipeline of !%d %q %s", mr.IID, mr.Title, map[gitlab.BuildStateValue]string{
		gitlab.Success: "succeeds", gitlab.Failed: "fails (job \"test\" is red)",
	}[status])
	after, _, err := d.api.MergeRequests.GetMergeRequest(projectPath, mr.IID, nil, gitlab.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("demo: read !%d: %w", mr.IID, err)
	}
	switch {
	case after.State == "merged":
		line += fmt.Sprintf("; auto-merge was set, so GitLab merges it into %s", after.TargetBranch)
	case after.MergeWhenPipelineSucceeds:
		line += "; auto-merge stays set, waiting for a green pipeline"
	}
	return line, nil
}

// closeMR is a maintainer closing a merge request without merging it.
func (d *world) closeMR(ctx context.Context, branch string) (string, error) {
	mr, err := d.openMR(ctx, branch)
	if err != nil {
		return "", err
	}
	if _, _, err := d.alice.MergeRequests.UpdateMergeRequest(projectPath, mr.IID, &gitlab.UpdateMergeRequestOptions{
		StateEvent: gitlab.Ptr("close"),
	}, gitlab.WithContext(ctx)); err != nil {
		return "", fmt.Errorf("demo: close !%d: %w", mr.IID, err)
	}
	return fmt.Sprintf("@alice closes !%d %q without merging it", mr.IID, mr.Title), nil
}

// comment is a maintainer writing a comment on a merge request. The demo
// has no webhook: the run's catch-up finds the command.
func (d *world) comment(ctx context.Context, branch, body string) (string, error) {
	mr, err := d.openMR(ctx, branch)
	if err != nil {
		return "", err
	}
	if _, _, err := d.alice.Notes.CreateMergeRequestNote(projectPath, mr.IID, &gitlab.CreateMergeRequestNoteOptions{
		Body: gitlab.Ptr(body),
	}, gitlab.WithContext(ctx)); err != nil {
		return "", fmt.Errorf("demo: comment on !%d: %w", mr.IID, err)
	}
	return fmt.Sprintf("@alice comments on !%d %q: %s", mr.IID, mr.Title, body), nil
}

// bump is a person pushing a commit to main that changes one pin in the
// constraints file (and its YAML copy, as the team's pre-commit hook does).
func (d *world) bump(ctx context.Context, pkg, version string) (string, error) {
	raw, _, err := d.alice.RepositoryFiles.GetRawFile(projectPath, "constraints.txt", &gitlab.GetRawFileOptions{Ref: gitlab.Ptr("main")}, gitlab.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("demo: read constraints.txt: %w", err)
	}
	f := constraints.ParseFile("constraints.txt", raw)
	if _, err := f.SetVersion(pkg, version, nil); err != nil {
		return "", fmt.Errorf("demo: bump %s: %w", pkg, err)
	}
	msg := fmt.Sprintf("Bump %s to %s", pkg, version)
	if _, _, err := d.alice.Commits.CreateCommit(projectPath, &gitlab.CreateCommitOptions{
		Branch: gitlab.Ptr("main"), CommitMessage: &msg,
		Actions: []*gitlab.CommitActionOptions{
			{Action: gitlab.Ptr(gitlab.FileUpdate), FilePath: gitlab.Ptr("constraints.txt"), Content: gitlab.Ptr(string(f.Bytes()))},
			{Action: gitlab.Ptr(gitlab.FileUpdate), FilePath: gitlab.Ptr("pipeline/constraints.yml"), Content: gitlab.Ptr(string(constraints.YAML(f, "constraints.txt")))},
		},
	}, gitlab.WithContext(ctx)); err != nil {
		return "", fmt.Errorf("demo: push %q: %w", msg, err)
	}
	return fmt.Sprintf("@alice pushes %q to main (constraints.txt: %s==%s)", msg, pkg, version), nil
}
