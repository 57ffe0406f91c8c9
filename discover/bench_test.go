package discover_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/discover"
	"github.com/pinwheel-dev/pinwheel/gitlabauth"
	"github.com/pinwheel-dev/pinwheel/gitlabsim"
	"github.com/pinwheel-dev/pinwheel/internal/testclock"
	"github.com/pinwheel-dev/pinwheel/state"
)

// BenchmarkFind discovers 1,000 projects of one group (subgroups of 100)
// and reports the GitLab requests of the first round and of a round with
// nothing changed: go test -run - -bench Find ./discover.
func BenchmarkFind(b *testing.B) {
	c := testclock.New(time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC))
	gl := gitlabsim.New(gitlabsim.Options{Clock: c.Now})
	defer gl.Close()
	_, token := gl.AddUser("pinwheel")
	for i := range 1000 {
		p := gl.CreateProject(fmt.Sprintf("platform/team%d/app%d", i/100, i), "main")
		gl.Commit(p, "main", "Initial", map[string]string{"constraints.txt": "x==1\n"})
	}
	api, err := gitlabauth.NewClient(gl.URL(), gitlabauth.Credentials{Token: token}, gitlab.WithHTTPClient(&http.Client{}))
	if err != nil {
		b.Fatal(err)
	}
	cfg, err := config.Parse("c.yaml", []byte(fmt.Sprintf("gitlab: {url: %q}\nautodiscover: {groups: [platform]}\n", gl.URL())))
	if err != nil {
		b.Fatal(err)
	}
	var first, quiet int
	for range b.N {
		db, err := state.Open(filepath.Join(b.TempDir(), "state.db"), state.WithClock(c.Now))
		if err != nil {
			b.Fatal(err)
		}
		f := &discover.Finder{Config: cfg, GitLab: api, Cache: db.HTTPCache(), Clock: c.Now}
		gl.ResetStats()
		if res := f.Find(context.Background()); len(res.Projects) != 1000 || len(res.Problems) > 0 {
			b.Fatalf("found %d, problems %v", len(res.Projects), res.Problems)
		}
		first = gl.Stats().Requests
		gl.ResetStats()
		f.Find(context.Background())
		quiet = gl.Stats().Requests
		db.Close()
	}
	b.ReportMetric(float64(first), "requests/first")
	b.ReportMetric(float64(quiet), "requests/quiet")
}
