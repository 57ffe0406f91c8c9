package gitlabsim_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/gitlabsim"
)

func action(a gitlab.FileActionValue, path, content string) *gitlab.CommitActionOptions {
	o := &gitlab.CommitActionOptions{Action: gitlab.Ptr(a), FilePath: gitlab.Ptr(path)}
	if content != "" {
		o.Content = gitlab.Ptr(content)
	}
	return o
}

func TestCreateCommitOnNewBranch(t *testing.T) {
	f := setup(t)
	base, _ := f.sim.Branch(f.proj, "main")
	c, resp, err := f.client.Commits.CreateCommit(f.proj.ID, &gitlab.CreateCommitOptions{
		Branch:        gitlab.Ptr("pinwheel/requests-2.x"),
		StartBranch:   gitlab.Ptr("main"),
		CommitMessage: gitlab.Ptr("Update requests to 2.32.4"),
		Actions: []*gitlab.CommitActionOptions{
			action(gitlab.FileUpdate, "constraints.txt", "requests==2.32.4\nurllib3==2.2.1\n"),
			action(gitlab.FileCreate, "CHANGELOG.md", "bump\n"),
			action(gitlab.FileDelete, "README.md", ""),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated || len(c.ParentIDs) != 1 || c.ParentIDs[0] != base || len(c.ID) != 40 {
		t.Fatalf("commit = %+v", c)
	}
	if c.Title != "Update requests to 2.32.4" || c.AuthorName != "bot" || c.Stats == nil || c.Stats.Additions != 2 || c.Stats.Deletions != 2 {
		t.Fatalf("commit details = %+v stats %+v", c, c.Stats)
	}
	if head, _ := f.sim.Branch(f.proj, "pinwheel/requests-2.x"); head != c.ID {
		t.Fatalf("branch head = %s, want %s", head, c.ID)
	}
	if head, _ := f.sim.Branch(f.proj, "main"); head != base {
		t.Fatal("main moved")
	}
	diff := f.sim.CommitDiff(f.proj, c.ID)
	var got []string
	for _, ch := range diff {
		got = append(got, ch.NewPath+":"+flag(ch))
	}
	if strings.Join(got, " ") != "CHANGELOG.md:new README.md:deleted constraints.txt:modified" {
		t.Fatalf("diff = %v", got)
	}
	if b, _ := f.sim.File(f.proj, "pinwheel/requests-2.x", "constraints.txt"); string(b) != "requests==2.32.4\nurllib3==2.2.1\n" {
		t.Fatalf("content = %q", b)
	}
}

func flag(ch gitlabsim.FileChange) string {
	switch {
	case ch.NewFile:
		return "new"
	case ch.DeletedFile:
		return "deleted"
	case ch.RenamedFile:
		return "renamed"
	}
	return "modified"
}

func TestCreateCommitErrors(t *testing.T) {
	f := setup(t)
	f.sim.Commit(f.proj, "feature", "feature work", map[string]string{"f.txt": "f\n"})
	head, _ := f.sim.Branch(f.proj, "main")
	stale := "0000000000000000000000000000000000000000"
	update := func(lastCommit string) *gitlab.CommitActionOptions {
		a := action(gitlab.FileUpdate, "constraints.txt", "requests==9\n")
		if lastCommit != "" {
			a.LastCommitID = gitlab.Ptr(lastCommit)
		}
		return a
	}
	tests := []struct {
		name    string
		opt     gitlab.CreateCommitOptions
		status  int
		message string
	}{
		{"stale last_commit_id", gitlab.CreateCommitOptions{Branch: gitlab.Ptr("main"), Actions: []*gitlab.CommitActionOptions{update(stale)}},
			400, "The file has changed since you started editing it: constraints.txt"},
		{"branch exists without force", gitlab.CreateCommitOptions{Branch: gitlab.Ptr("feature"), StartBranch: gitlab.Ptr("main"), Actions: []*gitlab.CommitActionOptions{update("")}},
			400, "A branch called 'feature' already exists. Switch to that branch in order to make changes"},
		{"both starts", gitlab.CreateCommitOptions{Branch: gitlab.Ptr("x"), StartBranch: gitlab.Ptr("main"), StartSHA: gitlab.Ptr(head), Actions: []*gitlab.CommitActionOptions{update("")}},
			400, "You can't pass both start_branch and start_sha"},
		{"no branch no start", gitlab.CreateCommitOptions{Branch: gitlab.Ptr("new"), Actions: []*gitlab.CommitActionOptions{update("")}},
			400, "You can only create or edit files when you are on a branch"},
		{"create existing", gitlab.CreateCommitOptions{Branch: gitlab.Ptr("main"), Actions: []*gitlab.CommitActionOptions{action(gitlab.FileCreate, "README.md", "x")}},
			400, "A file with this name already exists"},
		{"update missing", gitlab.CreateCommitOptions{Branch: gitlab.Ptr("main"), Actions: []*gitlab.CommitActionOptions{action(gitlab.FileUpdate, "nope", "x")}},
			400, "A file with this name doesn't exist"},
		{"delete missing", gitlab.CreateCommitOptions{Branch: gitlab.Ptr("main"), Actions: []*gitlab.CommitActionOptions{action(gitlab.FileDelete, "nope", "")}},
			400, "A file with this name doesn't exist"},
		{"missing message", gitlab.CreateCommitOptions{Branch: gitlab.Ptr("main"), Actions: []*gitlab.CommitActionOptions{update("")}},
			400, "{error: commit_message is missing}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := tt.opt
			if tt.name != "missing message" {
				opt.CommitMessage = gitlab.Ptr("msg")
			}
			_, _, err := f.client.Commits.CreateCommit(f.proj.ID, &opt)
			wantAPIError(t, err, tt.status, tt.message)
			if now, _ := f.sim.Branch(f.proj, "main"); now != head {
				t.Fatal("a failed commit moved main")
			}
		})
	}
}

func TestCreateCommitLastCommitIDMatches(t *testing.T) {
	f := setup(t)
	file, _, err := f.client.RepositoryFiles.GetFile(f.proj.ID, "constraints.txt", &gitlab.GetFileOptions{Ref: gitlab.Ptr("main")})
	if err != nil {
		t.Fatal(err)
	}
	// Another file changing does not make constraints.txt stale.
	f.sim.Commit(f.proj, "main", "docs", map[string]string{"README.md": "# docs\n"})
	a := action(gitlab.FileUpdate, "constraints.txt", "requests==2.32.4\n")
	a.LastCommitID = gitlab.Ptr(file.LastCommitID)
	if _, _, err := f.client.Commits.CreateCommit(f.proj.ID, &gitlab.CreateCommitOptions{
		Branch: gitlab.Ptr("main"), CommitMessage: gitlab.Ptr("bump"), Actions: []*gitlab.CommitActionOptions{a},
	}); err != nil {
		t.Fatalf("fresh last_commit_id refused: %v", err)
	}
}

func TestCreateCommitForceOverwritesBranch(t *testing.T) {
	f := setup(t)
	f.sim.Commit(f.proj, "pinwheel/requests-2.x", "old attempt", map[string]string{"constraints.txt": "requests==2.0\n"})
	main, _ := f.sim.Branch(f.proj, "main")
	c, _, err := f.client.Commits.CreateCommit(f.proj.ID, &gitlab.CreateCommitOptions{
		Branch: gitlab.Ptr("pinwheel/requests-2.x"), StartBranch: gitlab.Ptr("main"), Force: gitlab.Ptr(true),
		CommitMessage: gitlab.Ptr("Update requests"),
		Actions:       []*gitlab.CommitActionOptions{action(gitlab.FileUpdate, "constraints.txt", "requests==2.32.4\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.ParentIDs) != 1 || c.ParentIDs[0] != main {
		t.Fatalf("force commit parents = %v, want [%s]", c.ParentIDs, main)
	}
	hist := f.sim.Commits(f.proj, "pinwheel/requests-2.x")
	for _, h := range hist {
		if h.Title() == "old attempt" {
			t.Fatal("force push kept the old commit in the branch history")
		}
	}
}

func TestCreateCommitStartSHAAndMove(t *testing.T) {
	f := setup(t)
	first, _ := f.sim.Branch(f.proj, "main")
	f.sim.Commit(f.proj, "main", "later", map[string]string{"later.txt": "x"})
	move := &gitlab.CommitActionOptions{Action: gitlab.Ptr(gitlab.FileMove), FilePath: gitlab.Ptr("docs/README.md"), PreviousPath: gitlab.Ptr("README.md")}
	c, _, err := f.client.Commits.CreateCommit(f.proj.ID, &gitlab.CreateCommitOptions{
		Branch: gitlab.Ptr("from-sha"), StartSHA: gitlab.Ptr(first), CommitMessage: gitlab.Ptr("move"),
		Actions: []*gitlab.CommitActionOptions{move},
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.ParentIDs[0] != first {
		t.Fatalf("parent = %s, want %s", c.ParentIDs[0], first)
	}
	if _, ok := f.sim.File(f.proj, "from-sha", "later.txt"); ok {
		t.Fatal("branch from start_sha contains a later commit")
	}
	if b, ok := f.sim.File(f.proj, "from-sha", "docs/README.md"); !ok || string(b) != "# app\n" {
		t.Fatalf("moved file = %q %v", b, ok)
	}
	diff, _, err := f.client.Commits.GetCommitDiff(f.proj.ID, c.ID, nil)
	if err != nil || len(diff) != 1 || !diff[0].RenamedFile || diff[0].OldPath != "README.md" {
		t.Fatalf("diff = %+v, %v", diff, err)
	}
}

func TestListAndGetCommits(t *testing.T) {
	f := setup(t)
	for i := range 4 {
		f.sim.Commit(f.proj, "main", "change "+string(rune('1'+i)), map[string]string{"n.txt": string(rune('1' + i))})
	}
	head, _ := f.sim.Branch(f.proj, "main")
	list, resp, err := f.client.Commits.ListCommits(f.proj.ID, &gitlab.ListCommitsOptions{RefName: gitlab.Ptr("main"), ListOptions: gitlab.ListOptions{PerPage: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != head || list[0].Title != "change 4" || resp.NextPage != 2 {
		t.Fatalf("list = %v next=%d", list, resp.NextPage)
	}
	if resp.Header.Get("X-Total") != "" || resp.Header.Get("X-Total-Pages") != "" {
		t.Fatal("commits list must not send X-Total / X-Total-Pages")
	}
	all, err := gitlab.ScanAndCollect(func(p gitlab.PaginationOptionFunc) ([]*gitlab.Commit, *gitlab.Response, error) {
		return f.client.Commits.ListCommits(f.proj.ID, &gitlab.ListCommitsOptions{RefName: gitlab.Ptr("main"), ListOptions: gitlab.ListOptions{PerPage: 2}}, p)
	})
	if err != nil || len(all) != 5 || all[4].Title != "Initial commit" {
		t.Fatalf("all = %d commits, %v", len(all), err)
	}

	c, _, err := f.client.Commits.GetCommit(f.proj.ID, head[:8], nil)
	if err != nil || c.ID != head {
		t.Fatalf("get by short sha = %+v, %v", c, err)
	}
	_, _, err = f.client.Commits.GetCommit(f.proj.ID, "deadbeefdeadbeefdeadbeefdeadbeefdeadbeef", nil)
	if !errors.Is(err, gitlab.ErrNotFound) {
		t.Fatalf("unknown sha: %v", err)
	}
	// A commit from another project is not found here.
	other := f.sim.CreateProject("pinwheel/other", "main")
	foreign := f.sim.Commit(other, "main", "elsewhere", map[string]string{"x": "y"})
	_, _, err = f.client.Commits.GetCommit(f.proj.ID, foreign, nil)
	if !errors.Is(err, gitlab.ErrNotFound) {
		t.Fatalf("foreign sha: %v", err)
	}
}

func TestCompareAndMergeBase(t *testing.T) {
	f := setup(t)
	fork, _ := f.sim.Branch(f.proj, "main")
	f.sim.Commit(f.proj, "feature", "feature change", map[string]string{"constraints.txt": "requests==3\n"})
	f.sim.Commit(f.proj, "main", "main change", map[string]string{"README.md": "# changed\n"})

	mb, _, err := f.client.Repositories.MergeBase(f.proj.ID, &gitlab.MergeBaseOptions{Ref: &[]string{"main", "feature"}})
	if err != nil || mb.ID != fork {
		t.Fatalf("merge base = %v, %v; want %s", mb, err, fork)
	}

	cmp, _, err := f.client.Repositories.Compare(f.proj.ID, &gitlab.CompareOptions{From: gitlab.Ptr("main"), To: gitlab.Ptr("feature")})
	if err != nil {
		t.Fatal(err)
	}
	if len(cmp.Commits) != 1 || cmp.Commits[0].Title != "feature change" || len(cmp.Diffs) != 1 || cmp.Diffs[0].NewPath != "constraints.txt" {
		t.Fatalf("compare (merge base) = %d commits, diffs %+v", len(cmp.Commits), cmp.Diffs)
	}
	if cmp.Diffs[0].Diff != "@@ -1,2 +1 @@\n-requests==2.32.3\n-urllib3==2.2.1\n+requests==3\n" {
		t.Fatalf("unified diff = %q", cmp.Diffs[0].Diff)
	}
	straight, _, err := f.client.Repositories.Compare(f.proj.ID, &gitlab.CompareOptions{From: gitlab.Ptr("main"), To: gitlab.Ptr("feature"), Straight: gitlab.Ptr(true)})
	if err != nil || len(straight.Diffs) != 2 {
		t.Fatalf("straight compare diffs = %+v, %v (want README.md reverted too)", straight.Diffs, err)
	}
}

func TestHumanCommitDeletesAndDiffs(t *testing.T) {
	f := setup(t)
	sha := f.sim.Commit(f.proj, "main", "drop readme", map[string]string{"README.md": gitlabsim.Deleted, "new.txt": "n\n"})
	if _, ok := f.sim.File(f.proj, "main", "README.md"); ok {
		t.Fatal("README.md still present")
	}
	var got []string
	for _, ch := range f.sim.CommitDiff(f.proj, sha) {
		got = append(got, ch.NewPath+":"+flag(ch))
	}
	if strings.Join(got, " ") != "README.md:deleted new.txt:new" {
		t.Fatalf("diff = %v", got)
	}
	commits := f.sim.Commits(f.proj, "main")
	if len(commits) != 2 || commits[0].ID != sha || commits[0].Parents[0] != commits[1].ID {
		t.Fatalf("history = %+v", commits)
	}
}
