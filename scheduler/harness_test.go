package scheduler_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/app"
	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/gitlabsim"
	"github.com/pinwheel-dev/pinwheel/indexsim"
	"github.com/pinwheel-dev/pinwheel/metrics"
	"github.com/pinwheel-dev/pinwheel/osv"
	"github.com/pinwheel-dev/pinwheel/scheduler"
	"github.com/pinwheel-dev/pinwheel/state"
)

// Wednesday and Saturday, inside and outside the default weekend window.
var (
	wednesday = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	saturday  = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	released  = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
)

const project = "group/app"

// oldHash is the hash urllib3's pin carries before the update.
var oldHash = strings.Repeat("ab", 32)

var initialConstraints = "# pins\n" +
	"requests==2.31.0\n" +
	"urllib3==2.0.7 \\\n    --hash=sha256:" + oldHash + "\n" +
	"idna==3.4  # via requests\n" +
	"certifi==2023.7.22\n" +
	"six==1.16.0 ; python_version < \"3.8\"\n" +
	"six==1.16.0 ; python_version >= \"3.8\"\n" +
	"-e ./local\n"

// clock is the injected time of both simulators and the runner.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is one GitLab simulator, one index simulator, a state file and a
// config for the project group/app.
type env struct {
	t      testing.TB
	gl     *gitlabsim.Server
	idx    *indexsim.Server
	proj   *gitlabsim.Project
	clock  *clock
	token  string
	bot    gitlabsim.User
	cfg    *config.Config
	dbPath string
	logs   bytes.Buffer
	out    bytes.Buffer
	// hook, when set, sees every GitLab request before it is sent; an
	// error fails the request without sending it.
	hook func(*http.Request) error
	// manualRunBox is passed to the runner.
	manualRunBox bool
	// metrics, when set, is passed to the runner.
	metrics *metrics.Metrics
	// wrap, when set, wraps the GitLab client's transport.
	wrap func(http.RoundTripper) http.RoundTripper
	// osv, when set, is the OSV client options (security_test.go); the
	// records are cached in the run's state file.
	osv       *osv.Options
	osvBudget time.Duration
	// deps, when set, adjusts the runner's Deps.
	deps func(*scheduler.Deps)
	// adjust, when set, adjusts each runner once it is built.
	adjust func(*scheduler.Runner)
}

// unlimited is project YAML that lifts the rate limits.
const unlimited = "    limits: {open_mrs: 0, new_mrs_per_run: 0}\n"

// openAll is an env without rate limits after a Saturday run, which
// opened a merge request for every update.
func openAll(t *testing.T) *env {
	t.Helper()
	e := newEnv(t, unlimited)
	e.clock.Set(saturday)
	e.mustRun()
	return e
}

func newEnv(t testing.TB, extraProjectYAML string) *env {
	t.Helper()
	e := &env{t: t, clock: &clock{t: wednesday}}
	e.gl = gitlabsim.New(gitlabsim.Options{Clock: e.clock.Now})
	t.Cleanup(e.gl.Close)
	e.idx = indexsim.New(indexsim.Options{Clock: e.clock.Now})
	t.Cleanup(e.idx.Close)
	e.bot, e.token = e.gl.AddUser("pinwheel")
	e.proj = e.gl.CreateProject(project, "main")
	e.gl.Commit(e.proj, "main", "Initial", map[string]string{"constraints.txt": initialConstraints, "README": "app\n"})

	e.release("requests", "2.31.0", released.AddDate(0, -6, 0))
	e.release("requests", "2.32.4", released)
	e.release("urllib3", "2.0.7", released.AddDate(0, -6, 0))
	e.release("urllib3", "2.2.3", released)
	e.release("idna", "3.4", released.AddDate(0, -6, 0))
	e.release("idna", "3.10", released)
	e.release("certifi", "2023.7.22", released.AddDate(0, -6, 0))
	e.release("certifi", "2024.8.30", released)
	e.release("six", "1.16.0", released.AddDate(0, -6, 0))
	e.release("six", "1.17.0", released)
	e.idx.SetProjectURLs("requests", map[string]string{"Changelog": "https://example.org/requests/changes", "Source": "https://example.org/requests"})

	e.dbPath = t.TempDir() + "/state.db"
	e.cfg = e.config(extraProjectYAML)
	return e
}

func (e *env) config(extra string) *config.Config {
	e.t.Helper()
	if !strings.Contains(extra, "limits:") {
		extra += "    limits: {open_mrs: 10, new_mrs_per_run: 3}\n"
	}
	text := fmt.Sprintf(`
index: {url: %q, json_api_url: %q, retries: 0}
state: %q
gitlab: {url: %q, token_env: PINWHEEL_TEST_TOKEN}
projects:
  - path: %s
%s`, e.idx.IndexURL(), e.idx.JSONAPIURL(), e.dbPath, e.gl.URL(), project, extra)
	cfg, err := config.Parse("test.yaml", []byte(text))
	if err != nil {
		e.t.Fatalf("config: %v", err)
	}
	return cfg
}

// release publishes a version with the simulator's synthesised files.
func (e *env) release(name, version string, at time.Time) {
	base := strings.ReplaceAll(name, "-", "_") + "-" + version
	e.idx.AddRelease(name, version,
		indexsim.File{Filename: base + ".tar.gz", UploadTime: at},
		indexsim.File{Filename: base + "-py3-none-any.whl", UploadTime: at})
}

type hookTransport struct{ e *env }

func (h hookTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if h.e.hook != nil {
		if err := h.e.hook(r); err != nil {
			return nil, err
		}
	}
	return http.DefaultTransport.RoundTrip(r)
}

// runner builds a runner over a freshly opened state file, as a process
// would; the state is closed when the test ends.
func (e *env) runner(dryRun bool) (*scheduler.Runner, *state.DB) {
	e.t.Helper()
	db, err := state.Open(e.dbPath, state.WithClock(e.clock.Now))
	if err != nil {
		e.t.Fatal(err)
	}
	var rt http.RoundTripper = hookTransport{e}
	if e.wrap != nil {
		rt = e.wrap(rt)
	}
	l := logrus.New()
	l.SetOutput(&e.logs)
	l.SetLevel(logrus.DebugLevel)
	a, err := app.New(e.cfg, app.Options{
		Getenv:        func(k string) string { return map[string]string{"PINWHEEL_TEST_TOKEN": e.token}[k] },
		HTTPClient:    &http.Client{Transport: rt},
		GitLabOptions: []gitlab.ClientOptionFunc{gitlab.WithCustomBackoff(func(_, _ time.Duration, _ int, _ *http.Response) time.Duration { return 0 })},
		State:         db, Clock: e.clock.Now, Log: logrus.NewEntry(l),
		DryRun: dryRun, Out: &e.out, ManualRunBox: e.manualRunBox, Metrics: e.metrics,
		Deps: func(deps *scheduler.Deps) {
			deps.OSVBudget = e.osvBudget
			if e.osv != nil {
				opts := *e.osv
				opts.Cache = db.OSVCache()
				if opts.Clock == nil {
					opts.Clock = e.clock.Now // as app wires deps.Clock
				}
				var err error
				if deps.OSV, err = osv.New(opts); err != nil {
					e.t.Fatal(err)
				}
			}
			if e.deps != nil {
				e.deps(deps)
			}
		},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	if e.adjust != nil {
		e.adjust(a.Runner)
	}
	return a.Runner, db
}

// run runs the project once and closes the state.
func (e *env) run() scheduler.Report {
	e.t.Helper()
	return e.runCtx(context.Background(), false)
}

func (e *env) runCtx(ctx context.Context, dryRun bool) scheduler.Report {
	e.t.Helper()
	r, db := e.runner(dryRun)
	defer db.Close()
	rep, _ := r.RunProject(ctx, project)
	r.PruneCache() // as `pinwheel run` does at its end
	return rep
}

// mustRun runs and fails the test on a run error.
func (e *env) mustRun() scheduler.Report {
	e.t.Helper()
	rep := e.run()
	if rep.Err != nil {
		e.t.Fatalf("run: %v", rep.Err)
	}
	return rep
}

// dashboard returns the dashboard issue (there must be exactly one).
func (e *env) dashboard() gitlabsim.Issue {
	e.t.Helper()
	var found []gitlabsim.Issue
	for _, is := range e.gl.Issues(e.proj) {
		if is.Title == "Dependency Dashboard" {
			found = append(found, is)
		}
	}
	if len(found) != 1 {
		e.t.Fatalf("want one dashboard issue, have %d", len(found))
	}
	return found[0]
}

// tick ticks a box in the dashboard as a person would.
func (e *env) tick(kind, branch string) {
	e.t.Helper()
	is := e.dashboard()
	box := " - [ ] <!-- " + kind + "-branch=" + branch + " -->"
	if !strings.Contains(is.Description, box) {
		e.t.Fatalf("no box %q in the dashboard:\n%s", box, is.Description)
	}
	if err := e.gl.EditIssue(e.proj, is.IID, func(i *gitlabsim.Issue) {
		i.Description = strings.Replace(i.Description, box, strings.Replace(box, "[ ]", "[x]", 1), 1)
	}); err != nil {
		e.t.Fatal(err)
	}
}

// openMRs returns the open merge requests by source branch.
func (e *env) openMRs() map[string]gitlabsim.MergeRequest {
	out := map[string]gitlabsim.MergeRequest{}
	for _, mr := range e.gl.MergeRequests(e.proj) {
		if mr.State == "opened" {
			if _, dup := out[mr.SourceBranch]; dup {
				e.t.Fatalf("two open MRs for %s", mr.SourceBranch)
			}
			out[mr.SourceBranch] = mr
		}
	}
	return out
}

func (e *env) mrFor(branch string) gitlabsim.MergeRequest {
	e.t.Helper()
	mr, ok := e.openMRs()[branch]
	if !ok {
		e.t.Fatalf("no open MR for %s", branch)
	}
	return mr
}

func hasBox(body, kind, branch string) bool {
	return strings.Contains(body, "<!-- "+kind+"-branch="+branch+" -->")
}

// section returns the text of the dashboard section titled title.
func section(body, title string) string {
	_, rest, ok := strings.Cut(body, "## "+title+"\n")
	if !ok {
		return ""
	}
	if i := strings.Index(rest, "\n## "); i >= 0 {
		rest = rest[:i]
	}
	return rest
}
