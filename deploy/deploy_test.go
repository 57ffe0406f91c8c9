package deploy

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/gitlabauth"
	"github.com/pinwheel-dev/pinwheel/gitlabsim"
)

const projectPath = "group/app"

// fixture is GitLab (the simulator, with repository reads answered from
// the bare repository, see repoFront), a bare repository as the git remote,
// and a Deployer whose git calls and logs are recorded.
type fixture struct {
	t       *testing.T
	sim     *gitlabsim.Server
	project *gitlabsim.Project
	remote  *remoteRepo
	token   string
	webURL  string
	d       *Deployer
	argv    func() string
	logs    *bytes.Buffer
	// remoteArg is Request.Remote: "" (the default, <WebURL>/group/app.git,
	// served over HTTP with the token) or a local path.
	remoteArg string

	mu  sync.Mutex
	now time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	f.sim = gitlabsim.New(gitlabsim.Options{Clock: f.clock})
	t.Cleanup(f.sim.Close)
	_, f.token = f.sim.AddUser("deployer")
	f.project = f.sim.CreateProject(projectPath, "main")
	f.remote = newRemoteRepo(t)
	front := httptest.NewServer(newRepoFront(t, f.sim.URL(), projectPath, f.remote.bare, f.token))
	t.Cleanup(front.Close)
	f.webURL = front.URL

	creds := gitlabauth.Credentials{Token: f.token, Source: "GITLAB_TOKEN"}
	api, err := gitlabauth.NewClient(front.URL, creds, gitlab.WithoutRetries())
	if err != nil {
		t.Fatal(err)
	}
	g, argv := recordingGit(t)
	f.argv = argv
	f.logs = &bytes.Buffer{}
	log := logrus.New()
	log.SetOutput(f.logs)
	log.SetLevel(logrus.DebugLevel)
	f.d = &Deployer{API: api, WebURL: front.URL, Creds: creds, Git: g, Log: log}
	return f
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

func (f *fixture) deploy(sha string) (Result, error) {
	f.t.Helper()
	f.advance(time.Hour)
	return f.d.Deploy(context.Background(), Request{Project: projectPath, SHA: sha, Remote: f.remoteArg})
}

func (f *fixture) mustDeploy(sha string) Result {
	f.t.Helper()
	res, err := f.deploy(sha)
	if err != nil {
		f.t.Fatalf("deploy %s: %v", short(sha), err)
	}
	return res
}

// deployments lists what GitLab recorded as "sha:status", oldest first.
func (f *fixture) deployments() []string {
	var out []string
	for _, d := range f.sim.Deployments(f.project) {
		if d.Environment != DefaultEnvironment || d.Ref != DefaultBranch || d.Tag {
			f.t.Errorf("deployment %d: environment %q ref %q tag %v", d.ID, d.Environment, d.Ref, d.Tag)
		}
		out = append(out, short(d.SHA)+":"+d.Status)
	}
	return out
}

// assertNoToken checks that the token shows in no git argv, log line or
// given text (errors, output).
func (f *fixture) assertNoToken(texts ...string) {
	f.t.Helper()
	argv := ""
	if _, err := os.Stat(filepath.Dir(f.d.Git.Path) + "/argv.log"); err == nil {
		argv = f.argv()
	}
	for name, s := range map[string]string{"git argv": argv, "logs": f.logs.String()} {
		if strings.Contains(s, f.token) {
			f.t.Errorf("token in %s:\n%s", name, s)
		}
	}
	for _, s := range texts {
		if strings.Contains(s, f.token) {
			f.t.Errorf("token in %q", s)
		}
	}
}

func equalLists(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }

func TestDeployMovesBranchAndRecordsDeployments(t *testing.T) {
	t.Parallel()
	for _, remote := range []string{"default over HTTP", "local path"} {
		t.Run(remote, func(t *testing.T) { testDeployMovesBranch(t, remote == "local path") })
	}
}

func testDeployMovesBranch(t *testing.T, localPath bool) {
	f := newFixture(t)
	if localPath {
		f.remoteArg = f.remote.bare
	}
	a, b, c := f.remote.commit("one"), f.remote.commit("two"), f.remote.commit("three")

	steps := []struct {
		sha, wantFrom, wantTo string
	}{
		{sha: b, wantFrom: "", wantTo: b},     // first deployment creates the branch
		{sha: c[:10], wantFrom: b, wantTo: c}, // abbreviated SHA
		{sha: a, wantFrom: c, wantTo: a},      // backwards is allowed
		{sha: a, wantFrom: a, wantTo: a},      // redeploy
	}
	var out bytes.Buffer
	for _, s := range steps {
		res, err := f.deploy(s.sha)
		if err != nil {
			t.Fatalf("deploy %s: %v", s.sha, err)
		}
		if res.From != s.wantFrom || res.To != s.wantTo {
			t.Errorf("deploy %s: %s → %s, want %s → %s", s.sha, res.From, res.To, s.wantFrom, s.wantTo)
		}
		if got := f.remote.head("production"); got != s.wantTo {
			t.Errorf("after deploy %s production is at %s", s.sha, got)
		}
		if err := WriteResult(&out, res); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{short(b) + ":success", short(c) + ":success", short(a) + ":success", short(a) + ":success"}
	if got := f.deployments(); !equalLists(got, want) {
		t.Errorf("deployments = %v, want %v", got, want)
	}
	last := f.sim.Deployments(f.project)[3]
	wantOut := "production: " + a + " → " + a + "\nenvironment production: " + f.webURL + "/group/app/-/environments/1\n"
	if !strings.HasSuffix(out.String(), wantOut) {
		t.Errorf("output ends %q, want %q", out.String(), wantOut)
	}
	if res, _ := f.deploy(c); res.DeploymentID != int64(last.ID)+1 {
		t.Errorf("deployment id %d, want %d", res.DeploymentID, last.ID+1)
	}
	if main := f.remote.head("main"); main != c {
		t.Errorf("main moved to %s", main)
	}
	f.assertNoToken(out.String())
}

func TestDeployRefusesUnknownCommit(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := f.remote.commit("one")
	f.mustDeploy(a)
	before := f.deployments()

	for _, sha := range []string{strings.Repeat("0123", 10), "deadbee"} {
		_, err := f.deploy(sha)
		var unknown *UnknownCommitError
		if !errors.Is(err, ErrUnknownCommit) || !errors.As(err, &unknown) {
			t.Fatalf("deploy %s: err = %v, want an unknown commit", sha, err)
		}
		if want := "commit " + sha + " is not in group/app's history; nothing changed"; err.Error() != want {
			t.Errorf("message %q, want %q", err.Error(), want)
		}
		f.assertNoToken(err.Error())
	}
	if got := f.remote.head("production"); got != a {
		t.Errorf("production moved to %s", got)
	}
	if got := f.deployments(); !equalLists(got, before) {
		t.Errorf("deployments = %v, want unchanged %v", got, before)
	}
}

// A merge request's commit (from a fork, say) is in the repository under
// refs/merge-requests/, so GitLab's commit lookup finds it; it is still not
// the project's history and must not be deployed.
func TestDeployRefusesCommitOnNoBranch(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := f.remote.commit("one")
	f.mustDeploy(a)
	gitOut(t, f.remote.work, "checkout", "--quiet", "-b", "fork-feature")
	mr := f.remote.commit("from a fork")
	gitOut(t, f.remote.bare, "update-ref", "refs/heads/main", a)
	gitOut(t, f.remote.bare, "update-ref", "refs/merge-requests/1/head", mr)
	before := f.deployments()

	_, err := f.deploy(mr)
	var unknown *UnknownCommitError
	if !errors.As(err, &unknown) || !unknown.OnNoBranch || !errors.Is(err, ErrUnknownCommit) {
		t.Fatalf("err = %v, want a commit on no branch", err)
	}
	if want := "commit " + mr + " is on no branch of group/app (only in a merge request?); nothing changed"; err.Error() != want {
		t.Errorf("message %q, want %q", err.Error(), want)
	}
	if got := f.remote.head("production"); got != a {
		t.Errorf("production moved to %s", got)
	}
	if got := f.deployments(); !equalLists(got, before) {
		t.Errorf("deployments = %v, want unchanged %v", got, before)
	}
}

func TestDeployRejectsNonCommitIDs(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.remote.commit("one")
	for _, sha := range []string{"main", "HEAD~1", "abc12", ""} {
		if _, err := f.deploy(sha); !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("deploy %q: err = %v, want ErrInvalidRequest", sha, err)
		}
	}
	if got := f.deployments(); len(got) != 0 {
		t.Errorf("recorded %v", got)
	}
}

func TestDeployLeaseMismatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		start     bool // production exists before
		wantStart string
	}{
		{name: "branch moved", start: true},
		{name: "branch created", start: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			a, b, c := f.remote.commit("one"), f.remote.commit("two"), f.remote.commit("three")
			var before []string
			expected := ""
			if tt.start {
				f.mustDeploy(a)
				expected = a
				before = f.deployments()
			}
			// Someone else moves production after pinwheel read it.
			f.d.beforePush = func(context.Context) error {
				f.remote.setBranch("production", b)
				return nil
			}
			_, err := f.deploy(c)
			var lease *LeaseError
			if !errors.As(err, &lease) {
				t.Fatalf("err = %v, want a lease error", err)
			}
			if want := (LeaseError{Branch: "production", Expected: expected, Actual: b}); *lease != want {
				t.Errorf("lease error %+v, want %+v", *lease, want)
			}
			if !strings.Contains(err.Error(), "nothing changed") {
				t.Errorf("message %q does not say nothing changed", err)
			}
			if got := f.remote.head("production"); got != b {
				t.Errorf("production = %s, want %s (the other move)", got, b)
			}
			want := append(before, short(c)+":canceled")
			if got := f.deployments(); !equalLists(got, want) {
				t.Errorf("deployments = %v, want %v", got, want)
			}
			f.assertNoToken(err.Error())
		})
	}
}

func TestDeployPushRefusedMarksFailed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a, b := f.remote.commit("one"), f.remote.commit("two")
	f.mustDeploy(a)
	hook := filepath.Join(f.remote.bare, "hooks", "pre-receive")
	script := "#!/bin/sh\necho 'GitLab: You are not allowed to force push code to a protected branch on this project.' >&2\nexit 1\n"
	if err := os.WriteFile(hook, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := f.deploy(b)
	if err == nil || !strings.Contains(err.Error(), "refused, [remote rejected] (pre-receive hook declined)") ||
		!strings.Contains(err.Error(), "not allowed to force push") {
		t.Fatalf("err = %v, want a rejected push", err)
	}
	var lease *LeaseError
	if errors.As(err, &lease) {
		t.Errorf("a refused push is not a lease error: %v", err)
	}
	if got := f.remote.head("production"); got != a {
		t.Errorf("production = %s, want %s", got, a)
	}
	want := []string{short(a) + ":success", short(b) + ":failed"}
	if got := f.deployments(); !equalLists(got, want) {
		t.Errorf("deployments = %v, want %v", got, want)
	}
	f.assertNoToken(err.Error())
}

func TestDeployCancelledStillRecordsOutcome(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a, b := f.remote.commit("one"), f.remote.commit("two")
	f.mustDeploy(a)
	ctx, cancel := context.WithCancel(context.Background())
	f.d.beforePush = func(context.Context) error { cancel(); return nil }
	_, err := f.d.Deploy(ctx, Request{Project: projectPath, SHA: b, Remote: f.remoteArg})
	if err == nil {
		t.Fatal("deploy with a cancelled context succeeded")
	}
	want := []string{short(a) + ":success", short(b) + ":failed"}
	if got := f.deployments(); !equalLists(got, want) {
		t.Errorf("deployments = %v, want %v", got, want)
	}
	if got := f.remote.head("production"); got != a {
		t.Errorf("production = %s, want %s", got, a)
	}
}

func TestDeployStatusUpdateFailureIsReported(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := f.remote.commit("one")
	f.sim.FailNext(1, 500, "PUT /projects/:id/deployments/:deployment_id")
	res, err := f.deploy(a)
	if err == nil || !strings.Contains(err.Error(), "production moved to "+short(a)+", but") {
		t.Fatalf("err = %v, want the move reported with the failed update", err)
	}
	if res.To != a || f.remote.head("production") != a {
		t.Errorf("result %+v, production %s: the push happened and must be reported", res, f.remote.head("production"))
	}
}

// The fixture answers repository reads from git (see repoFront); this checks
// the same reads against the simulator's own endpoints.
func TestRepositoryReadsAgainstSimulator(t *testing.T) {
	t.Parallel()
	sim := gitlabsim.New(gitlabsim.Options{})
	defer sim.Close()
	_, token := sim.AddUser("deployer")
	p := sim.CreateProject(projectPath, "main")
	sha := sim.Commit(p, "main", "one", map[string]string{"VERSION": "1\n"})
	api, err := gitlabauth.NewClient(sim.URL(), gitlabauth.Credentials{Token: token}, gitlab.WithoutRetries())
	if err != nil {
		t.Fatal(err)
	}
	d := &Deployer{API: api, WebURL: sim.URL(), Creds: gitlabauth.Credentials{Token: token}}
	ctx := context.Background()

	if got, err := d.resolveCommit(ctx, projectPath, sha[:9]); err != nil || got != sha {
		t.Errorf("resolveCommit(prefix) = %q, %v; want %q", got, err, sha)
	}
	if _, err := d.resolveCommit(ctx, projectPath, strings.Repeat("1", 40)); !errors.Is(err, ErrUnknownCommit) {
		t.Errorf("unknown commit: err = %v", err)
	}
	if got, err := d.branchHead(ctx, projectPath, "main"); err != nil || got != sha {
		t.Errorf("branchHead(main) = %q, %v; want %q", got, err, sha)
	}
	if got, err := d.branchHead(ctx, projectPath, "production"); err != nil || got != "" {
		t.Errorf("branchHead(production) = %q, %v; want a first deployment", got, err)
	}
	_, err = d.resolveCommit(ctx, "group/missing", sha)
	if err == nil || errors.Is(err, ErrUnknownCommit) || !strings.Contains(err.Error(), "project group/missing not found") {
		t.Errorf("missing project: err = %v", err)
	}
}
