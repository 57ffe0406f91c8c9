package gitlabsim_test

import (
	"fmt"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/gitlabsim"
)

func Example() {
	sim := gitlabsim.New(gitlabsim.Options{})
	defer sim.Close()
	_, token := sim.AddUser("pinwheel-bot")
	proj := sim.CreateProject("group/app", "main")
	sim.Commit(proj, "main", "Initial commit", map[string]string{"constraints.txt": "requests==2.32.3\n"})

	client, err := gitlab.NewClient(token, gitlab.WithBaseURL(sim.URL()))
	if err != nil {
		panic(err)
	}
	raw, _, err := client.RepositoryFiles.GetRawFile("group/app", "constraints.txt", &gitlab.GetRawFileOptions{Ref: gitlab.Ptr("main")})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s", raw)
	st := sim.Stats()
	fmt.Println(st.Requests, "request,", st.Writes, "writes")
	// Output:
	// requests==2.32.3
	// 1 request, 0 writes
}
