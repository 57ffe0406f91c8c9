package deploy

import (
	"net/http"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/gitlabauth"
	"github.com/pinwheel-dev/pinwheel/gitlabsim"
)

// A 502 on the deployment POST, answered after GitLab saved the record (a
// proxy timing out), is not retried: a retry would record a second
// deployment left "running". The client is the one every command uses, with
// retries on, so only the idempotency rule stops the retry.
func TestDeploymentPostIsNotRetried(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	noWait := gitlab.WithCustomBackoff(func(_, _ time.Duration, _ int, _ *http.Response) time.Duration { return 0 })
	api, err := gitlabauth.NewClient(f.webURL, f.d.Creds, noWait)
	if err != nil {
		t.Fatal(err)
	}
	f.d.API = api
	a := f.remote.commit("one")
	const route = "POST /projects/:id/deployments"
	f.sim.Inject(gitlabsim.Fault{Status: http.StatusBadGateway, Match: route, AfterServing: true})
	before := f.sim.Stats().ByEndpoint[route]
	_, err = f.deploy(a)
	if n := f.sim.Stats().ByEndpoint[route] - before; n != 1 {
		t.Errorf("deployment POSTs = %d, want 1 (no retry)", n)
	}
	if got := f.deployments(); len(got) != 1 || got[0] != short(a)+":running" {
		t.Errorf("deployments = %v, want the one the failed POST recorded", got)
	}
	if f.remote.head("production") != "" {
		t.Errorf("production moved to %s after a failed record", f.remote.head("production"))
	}
	for _, want := range []string{"502", "branch was not moved", "may have recorded the deployment as running"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to say %q", err, want)
		}
	}
}
