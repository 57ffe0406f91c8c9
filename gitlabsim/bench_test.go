package gitlabsim_test

import (
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/gitlabsim"
)

func benchSetup(b *testing.B) (*gitlabsim.Server, *gitlab.Client, *gitlabsim.Project) {
	b.Helper()
	sim := gitlabsim.New(gitlabsim.Options{})
	b.Cleanup(sim.Close)
	_, token := sim.AddUser("bot")
	p := sim.CreateProject("pinwheel/app", "main")
	sim.Commit(p, "main", "init", map[string]string{"constraints.txt": "requests==2.32.3\n"})
	return sim, newClient(b, sim, token), p
}

// BenchmarkGetRawFile is the round trip a dashboard run starts with.
func BenchmarkGetRawFile(b *testing.B) {
	sim, client, p := benchSetup(b)
	sim.ResetStats()
	for b.Loop() {
		if _, _, err := client.RepositoryFiles.GetRawFile(p.ID, "constraints.txt", &gitlab.GetRawFileOptions{Ref: gitlab.Ptr("main")}); err != nil {
			b.Fatal(err)
		}
	}
	if st := sim.Stats(); st.Writes != 0 {
		b.Fatalf("reads wrote: %+v", st)
	}
}

// BenchmarkCreateCommit measures the commit path, graph and pipeline
// bookkeeping included, as history grows.
func BenchmarkCreateCommit(b *testing.B) {
	_, client, p := benchSetup(b)
	content := []string{"requests==2.32.4\n", "requests==2.32.3\n"}
	i := 0
	for b.Loop() {
		i++
		_, _, err := client.Commits.CreateCommit(p.ID, &gitlab.CreateCommitOptions{
			Branch: gitlab.Ptr("main"), CommitMessage: gitlab.Ptr("bump"),
			Actions: []*gitlab.CommitActionOptions{action(gitlab.FileUpdate, "constraints.txt", content[i%2])},
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
