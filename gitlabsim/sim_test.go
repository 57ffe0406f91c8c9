package gitlabsim_test

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/gitlabsim"
)

var epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// noBackoff keeps client-go's retries from waiting in tests.
func noBackoff(_, _ time.Duration, _ int, _ *http.Response) time.Duration { return 0 }

type fixture struct {
	sim    *gitlabsim.Server
	client *gitlab.Client
	user   gitlabsim.User
	token  string
	proj   *gitlabsim.Project
	clock  *fakeClock
}

type fakeClock struct{ t time.Time }

// now advances a second per reading, so objects get distinct times.
func (c *fakeClock) now() time.Time { c.t = c.t.Add(time.Second); return c.t }

// setup starts a simulator with one user and a project "pinwheel/app"
// whose main branch holds constraints.txt.
func setup(t *testing.T) *fixture {
	t.Helper()
	clock := &fakeClock{t: epoch}
	sim := gitlabsim.New(gitlabsim.Options{Clock: clock.now})
	t.Cleanup(sim.Close)
	user, token := sim.AddUser("bot")
	proj := sim.CreateProject("pinwheel/app", "main")
	sim.Commit(proj, "main", "Initial commit", map[string]string{
		"constraints.txt": "requests==2.32.3\nurllib3==2.2.1\n",
		"README.md":       "# app\n",
	})
	return &fixture{sim: sim, client: newClient(t, sim, token), user: user, token: token, proj: proj, clock: clock}
}

func newClient(t testing.TB, sim *gitlabsim.Server, token string, opts ...gitlab.ClientOptionFunc) *gitlab.Client {
	t.Helper()
	opts = append([]gitlab.ClientOptionFunc{gitlab.WithBaseURL(sim.URL()), gitlab.WithCustomBackoff(noBackoff)}, opts...)
	c, err := gitlab.NewClient(token, opts...)
	if err != nil {
		t.Fatalf("new client: %v", err)
	}
	return c
}

func bearerClient(t testing.TB, sim *gitlabsim.Server, token string) *gitlab.Client {
	t.Helper()
	c, err := gitlab.NewOAuthClient(token, gitlab.WithBaseURL(sim.URL()))
	if err != nil {
		t.Fatalf("new oauth client: %v", err)
	}
	return c
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// wantAPIError asserts client-go's error carries status and, if msg is not
// empty, a message containing msg (client-go flattens bodies to
// "{message: ...}").
func wantAPIError(t *testing.T, err error, status int, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %d %q", status, msg)
	}
	var er *gitlab.ErrorResponse
	if !errors.As(err, &er) {
		t.Fatalf("error %v is not an *ErrorResponse", err)
	}
	if er.StatusCode != status {
		t.Fatalf("status = %d, want %d (%v)", er.StatusCode, status, err)
	}
	if msg != "" && !strings.Contains(er.Message, msg) {
		t.Fatalf("message = %q, want it to contain %q", er.Message, msg)
	}
}

func TestAuth(t *testing.T) {
	f := setup(t)
	tests := []struct {
		name   string
		client *gitlab.Client
		want   int
	}{
		{"private token", f.client, http.StatusOK},
		{"bearer", bearerClient(t, f.sim, f.token), http.StatusOK},
		{"bad token", newClient(t, f.sim, "nope"), http.StatusUnauthorized},
		{"no token", newClient(t, f.sim, ""), http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, _, err := tt.client.Users.CurrentUser()
			if tt.want != http.StatusOK {
				wantAPIError(t, err, tt.want, "401 Unauthorized")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if u.Username != "bot" || u.ID != int64(f.user.ID) {
				t.Fatalf("user = %+v", u)
			}
		})
	}
}

func TestGetProjectByIDAndPath(t *testing.T) {
	f := setup(t)
	for _, pid := range []any{f.proj.ID, "pinwheel/app"} {
		p, _, err := f.client.Projects.GetProject(pid, nil)
		if err != nil {
			t.Fatalf("get %v: %v", pid, err)
		}
		if p.PathWithNamespace != "pinwheel/app" || p.DefaultBranch != "main" || p.ID != int64(f.proj.ID) {
			t.Fatalf("project = %+v", p)
		}
	}
	_, _, err := f.client.Projects.GetProject("pinwheel/nope", nil)
	if !errors.Is(err, gitlab.ErrNotFound) {
		t.Fatalf("missing project: err = %v, want ErrNotFound", err)
	}
}

func TestUnmatchedRouteIs404(t *testing.T) {
	f := setup(t)
	resp, err := http.Get(f.sim.URL() + "/api/v4/nothing/here")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("status = %d", resp.StatusCode)
	}
	if got := f.sim.Stats().ByEndpoint["GET unmatched"]; got != 1 {
		t.Fatalf("unmatched count = %d", got)
	}
}

func TestPaginationWalksAllPages(t *testing.T) {
	f := setup(t)
	for i := range 45 {
		if _, _, err := f.client.Issues.CreateIssue(f.proj.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("issue " + string(rune('a'+i%26)))}); err != nil {
			t.Fatal(err)
		}
	}
	opt := &gitlab.ListProjectIssuesOptions{ListOptions: gitlab.ListOptions{PerPage: 20}}
	first, resp, err := f.client.Issues.ListProjectIssues(f.proj.ID, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 20 || resp.TotalItems != 45 || resp.TotalPages != 3 || resp.NextPage != 2 || resp.CurrentPage != 1 {
		t.Fatalf("page 1: %d items, headers %+v", len(first), resp)
	}
	if resp.NextLink == "" || resp.LastLink == "" || resp.FirstLink == "" {
		t.Fatalf("Link header incomplete: next=%q last=%q", resp.NextLink, resp.LastLink)
	}
	f.sim.ResetStats()
	all, err := gitlab.ScanAndCollect(func(p gitlab.PaginationOptionFunc) ([]*gitlab.Issue, *gitlab.Response, error) {
		return f.client.Issues.ListProjectIssues(f.proj.ID, opt, p)
	})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	for _, is := range all {
		seen[is.IID] = true
	}
	if len(all) != 45 || len(seen) != 45 {
		t.Fatalf("collected %d issues (%d distinct), want 45", len(all), len(seen))
	}
	if st := f.sim.Stats(); st.Requests != 3 || st.Writes != 0 {
		t.Fatalf("stats = %+v, want 3 requests, 0 writes", st)
	}
	// Past the end: an empty page, no next.
	opt.Page = 9
	last, resp, err := f.client.Issues.ListProjectIssues(f.proj.ID, opt)
	if err != nil || len(last) != 0 || resp.NextPage != 0 {
		t.Fatalf("page 9: %d items, next %d, err %v", len(last), resp.NextPage, err)
	}
}

func TestPerPageIsCappedAt100(t *testing.T) {
	f := setup(t)
	_, resp, err := f.client.Branches.ListBranches(f.proj.ID, &gitlab.ListBranchesOptions{ListOptions: gitlab.ListOptions{PerPage: 500}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.ItemsPerPage != 100 {
		t.Fatalf("X-Per-Page = %d, want 100", resp.ItemsPerPage)
	}
}

func TestRateLimitStormIsRetried(t *testing.T) {
	f := setup(t)
	f.sim.RateLimit(3, 0)
	f.sim.ResetStats()
	u, resp, err := f.client.Users.CurrentUser()
	if err != nil {
		t.Fatalf("client did not retry through 429s: %v", err)
	}
	if u.Username != "bot" || resp.StatusCode != http.StatusOK {
		t.Fatalf("user %+v status %d", u, resp.StatusCode)
	}
	if got := f.sim.Stats().Requests; got != 4 {
		t.Fatalf("requests = %d, want 3 throttled + 1", got)
	}
}

func TestRateLimitHeaders(t *testing.T) {
	f := setup(t)
	f.sim.RateLimit(1, 30*time.Second)
	req, _ := http.NewRequest(http.MethodGet, f.sim.URL()+"/api/v4/user", nil)
	req.Header.Set("PRIVATE-TOKEN", f.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("status = %d", resp.StatusCode)
	}
	for h, want := range map[string]string{
		"Retry-After":         "30",
		"RateLimit-Remaining": "0",
		"RateLimit-Reset":     itoa64(f.clock.t.Add(30 * time.Second).Unix()),
	} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
}

func TestFailNextMatchesPattern(t *testing.T) {
	f := setup(t)
	f.sim.FailNext(1, http.StatusServiceUnavailable, "GET /projects/:id/repository/branches/:branch")
	// Other endpoints are unaffected.
	if _, _, err := f.client.Projects.GetProject(f.proj.ID, nil); err != nil {
		t.Fatal(err)
	}
	noRetry := newClient(t, f.sim, f.token, gitlab.WithoutRetries())
	_, _, err := noRetry.Branches.GetBranch(f.proj.ID, "main")
	wantAPIError(t, err, http.StatusServiceUnavailable, "503")
	if _, _, err := noRetry.Branches.GetBranch(f.proj.ID, "main"); err != nil {
		t.Fatalf("fault should be used up: %v", err)
	}
	// With retries, a 5xx is retried through.
	f.sim.FailNext(2, http.StatusBadGateway, "GET")
	if _, _, err := f.client.Branches.GetBranch(f.proj.ID, "main"); err != nil {
		t.Fatalf("client did not retry 502: %v", err)
	}
}

func TestStatsCountWrites(t *testing.T) {
	f := setup(t)
	f.sim.ResetStats()
	f.client.Projects.GetProject(f.proj.ID, nil)
	f.client.Labels.CreateLabel(f.proj.ID, &gitlab.CreateLabelOptions{Name: gitlab.Ptr("deps"), Color: gitlab.Ptr("#ff0000")})
	st := f.sim.Stats()
	if st.Requests != 2 || st.Writes != 1 || st.ByEndpoint["POST /projects/:id/labels"] != 1 || st.ByEndpoint["GET /projects/:id"] != 1 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestFailNextAnyRequest(t *testing.T) {
	f := setup(t)
	f.sim.FailNext(1, http.StatusTooManyRequests)
	noRetry := newClient(t, f.sim, f.token, gitlab.WithoutRetries())
	_, resp, err := noRetry.Users.CurrentUser()
	wantAPIError(t, err, http.StatusTooManyRequests, "")
	if resp.Header.Get("RateLimit-Reset") == "" || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("429 without rate-limit headers: %v", resp.Header)
	}
	if _, _, err := noRetry.Users.CurrentUser(); err != nil {
		t.Fatal(err)
	}
}

// A fault after serving makes the change and loses the answer: the
// issue exists although the client saw a 502, and client-go (which does
// not retry a POST with WithOnlyIdempotentRetries) made one request.
func TestFaultAfterServingKeepsTheWrite(t *testing.T) {
	f := setup(t)
	f.sim.Inject(gitlabsim.Fault{Status: http.StatusBadGateway, Match: "POST", Skip: 1, AfterServing: true})
	c := newClient(t, f.sim, f.token, gitlab.WithOnlyIdempotentRetries())
	for i, title := range []string{"first", "second", "third"} {
		_, _, err := c.Issues.CreateIssue(f.proj.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr(title)})
		if (err != nil) != (i == 1) {
			t.Fatalf("create %s: %v", title, err)
		}
		if i == 1 {
			wantAPIError(t, err, http.StatusBadGateway, "502")
		}
	}
	if got := len(f.sim.Issues(f.proj)); got != 3 {
		t.Fatalf("issues = %d, want 3 (the failed answer's write is kept)", got)
	}
	if st := f.sim.Stats(); st.ByEndpoint["POST /projects/:id/issues"] != 3 {
		t.Fatalf("POSTs = %d, want 3 (no retry)", st.ByEndpoint["POST /projects/:id/issues"])
	}
}

// A push to a merge request's source branch and a note on it touch the
// merge request, as in GitLab, so updated_after listings see both.
// (client-go sends updated_after with whole seconds.)
func TestPushAndNoteTouchMergeRequest(t *testing.T) {
	f := setup(t)
	f.sim.Commit(f.proj, "feature", "Work", map[string]string{"a.txt": "a\n"})
	mr, _, err := f.client.MergeRequests.CreateMergeRequest(f.proj.ID, &gitlab.CreateMergeRequestOptions{
		SourceBranch: gitlab.Ptr("feature"), TargetBranch: gitlab.Ptr("main"), Title: gitlab.Ptr("Feature"),
	})
	if err != nil {
		t.Fatal(err)
	}
	updatedSince := func(after time.Time) bool {
		t.Helper()
		list, _, err := f.client.MergeRequests.ListProjectMergeRequests(f.proj.ID, &gitlab.ListProjectMergeRequestsOptions{UpdatedAfter: gitlab.Ptr(after)})
		if err != nil {
			t.Fatal(err)
		}
		return len(list) == 1 && list[0].IID == mr.IID
	}
	last := *mr.UpdatedAt
	if updatedSince(last.Add(time.Second)) {
		t.Fatal("listed before any change")
	}
	sha := f.sim.Commit(f.proj, "feature", "More work", map[string]string{"a.txt": "b\n"})
	if !updatedSince(last.Add(time.Second)) {
		t.Fatal("a push to the source branch did not touch the merge request")
	}
	got, _ := f.sim.MergeRequest(f.proj, int(mr.IID))
	if got.SHA() != sha {
		t.Fatalf("head %s, want %s", got.SHA(), sha)
	}
	last = got.UpdatedAt
	if _, _, err := f.client.Notes.CreateMergeRequestNote(f.proj.ID, mr.IID, &gitlab.CreateMergeRequestNoteOptions{Body: gitlab.Ptr("hi")}); err != nil {
		t.Fatal(err)
	}
	if !updatedSince(last.Add(time.Second)) {
		t.Fatal("a note did not touch the merge request")
	}
}
