package demo

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/app"
	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/constraints"
	"github.com/pinwheel-dev/pinwheel/gitlabauth"
	"github.com/pinwheel-dev/pinwheel/gitlabsim"
	"github.com/pinwheel-dev/pinwheel/indexsim"
	"github.com/pinwheel-dev/pinwheel/scheduler"
	"github.com/pinwheel-dev/pinwheel/state"
	"github.com/pinwheel-dev/pinwheel/testbot"
)

const (
	projectPath = "group/app"
	tokenEnv    = "PINWHEEL_DEMO_TOKEN"
)

// demoConfig is the config a team would write, pointed at the simulators.
// Every behaviour the demo shows comes from one of its keys.
const demoConfig = `index: {url: %q}
python: ["3.11"]
state: %q
gitlab: {url: %q, token_env: %s}
packages:
  - name: django
    allowed: "<5"              # stay on 4.2 LTS: Django 5.2 is not offered
  - name: numpy
    minimum_release_age: 3d    # a release must be 3 days old
projects:
  - path: %s
    constraints: constraints.txt
    yaml: pipeline/constraints.yml
    schedule: {days: [sat, sun], timezone: UTC}   # merge requests nobody asked for: weekends only
    limits: {open_mrs: 10, new_mrs_per_run: 3}
    automerge: [patch]         # patch updates merge themselves once their pipeline succeeds
    groups:                    # the test tools' updates share one merge request (one pipeline)
      - name: test-tools
        update_types: [minor, patch]
        packages: [pytest, "pytest-*", pluggy]
vulnerabilities:               # security updates skip the window, the release age and the limits
  source: osv
  osv_url: %q
bot:                           # "@pinwheel test" on a merge request of the team's package
  trigger_project: group/app   # runs this project's pipeline with the MR's code
  trigger_ref: main
  variables: {CKI_DEPLOYMENT_ENVIRONMENT: retrigger}
  packages: [{project: group/cki-lib, name: cki-lib}]
`

// world is the demo's GitLab, index, state and runner, and the people and
// the CI that act in it.
type world struct {
	clock   *clock
	gl      *gitlabsim.Server
	idx     *indexsim.Server
	project *gitlabsim.Project
	api     *gitlab.Client // pinwheel's own view, for printing what GitLab shows
	alice   *gitlab.Client // a maintainer
	ci      *gitlab.Client // the project's CI, reporting job results
	runner  *scheduler.Runner
	db      *state.DB
	dir     string // the state directory
	tmp     string // removed on close
	token   string // pinwheel's token on the GitLab simulator
	config  string // demoConfig filled in

	seen seen // what has been printed, so each change shows once

	markdown bool // print raw markdown (--markdown)

	// The test bot's part (bot.go).
	bot *testbot.Bot
	lib *gitlabsim.Project
	dev gitlabsim.User

	// The deploy step's part (deploy.go); nil until it runs.
	pkg *pkgRepo
}

func newWorld(opts Options) (_ *world, err error) {
	d := &world{clock: &clock{t: wednesday}}
	defer func() {
		if err != nil {
			d.close()
		}
	}()
	d.gl = gitlabsim.New(gitlabsim.Options{Clock: d.clock.now})
	d.idx = indexsim.New(indexsim.Options{Clock: d.clock.now})
	publish(d.idx)

	var pinwheel gitlabsim.User
	pinwheel, d.token = d.gl.AddUser("pinwheel")
	alice, aliceToken := d.gl.AddUser("alice")
	_, ciToken := d.gl.AddUser("ci")
	d.project = d.gl.CreateProject(projectPath, "main")
	// A maintainer: pinwheel carries out her merge request commands.
	d.gl.AddMember(d.project, alice, gitlabsim.MaintainerAccess)
	pins := constraints.ParseFile("constraints.txt", []byte(sampleConstraints))
	d.gl.Commit(d.project, "main", "Add constraints", map[string]string{
		"constraints.txt":          sampleConstraints,
		"pipeline/constraints.yml": string(constraints.YAML(pins, "constraints.txt")),
		".gitlab-ci.yml":           "include: pipeline/prepare.yml\n",
	})

	d.dir = opts.StateDir
	if d.dir == "" {
		if d.tmp, err = os.MkdirTemp("", "pinwheel-demo-"); err != nil {
			return nil, fmt.Errorf("demo state dir: %w", err)
		}
		d.dir = d.tmp
	}
	d.config = fmt.Sprintf(demoConfig, d.idx.IndexURL(), filepath.Join(d.dir, "state.db"), d.gl.URL(), tokenEnv, projectPath, d.idx.OSVURL())
	cfg, err := config.Parse("demo.yaml", []byte(d.config))
	if err != nil {
		return nil, fmt.Errorf("demo config: %w", err)
	}
	getenv := func(name string) string {
		if name == tokenEnv {
			return d.token
		}
		return ""
	}
	noWait := gitlab.WithCustomBackoff(func(_, _ time.Duration, _ int, _ *http.Response) time.Duration { return 0 })
	for _, c := range []struct {
		client **gitlab.Client
		token  string
	}{{&d.api, d.token}, {&d.alice, aliceToken}, {&d.ci, ciToken}} {
		if *c.client, err = gitlabauth.NewClient(cfg.GitLab.URL, gitlabauth.Credentials{Token: c.token, Source: cfg.GitLab.TokenEnv}, noWait); err != nil {
			return nil, err
		}
	}
	if d.db, err = state.Open(cfg.State); err != nil {
		return nil, err
	}
	a, err := app.New(cfg, app.Options{Getenv: getenv, Clock: d.clock.now, State: d.db, GitLabOptions: []gitlab.ClientOptionFunc{noWait}})
	if err != nil {
		return d, err
	}
	d.runner = a.Runner
	return d, d.setUpBot(cfg, d.api, pinwheel)
}

// closeState closes the state file, so that another process (a
// `pinwheel run` beside --serve) can open it.
func (d *world) closeState() {
	if d.db != nil {
		d.db.Close()
		d.db = nil
	}
}

func (d *world) close() {
	d.closeState()
	d.pkg.close()
	if d.gl != nil {
		d.gl.Close()
	}
	if d.idx != nil {
		d.idx.Close()
	}
	if d.tmp != "" {
		os.RemoveAll(d.tmp)
	}
}

// waitingBox marks a dashboard entry waiting for something (schedule,
// release age, rate limit) rather than having a merge request.
var waitingBox = regexp.MustCompile(`<!-- (unschedule|approve|unlimit)-branch=`)

// run is one pinwheel run, as the daemon's hourly tick makes it, and its
// one-line summary.
func (d *world) run(ctx context.Context, w io.Writer) error {
	before := d.gl.Stats().Requests
	rep, err := d.runner.RunProject(ctx, projectPath)
	if err != nil {
		return err
	}
	requests := d.gl.Stats().Requests - before
	waiting := 0
	for _, is := range d.gl.Issues(d.project) {
		waiting += len(waitingBox.FindAllString(is.Description, -1))
	}
	fmt.Fprintf(w, "pinwheel run at %s: %s opened, %d rebuilt, %d closed as no longer needed; %s waiting; %s, %d of them writes\n",
		stamp(d.clock.now()), count(rep.MRsOpened, "merge request"), rep.MRsUpdated, rep.MRsClosed,
		count(waiting, "update"), count(requests, "GitLab request"), rep.Writes)
	for _, a := range rep.Actions {
		fmt.Fprintf(w, "  • %s\n", a)
	}
	return nil
}

// stamp is how the demo writes a time: always in UTC, as the dashboard
// does.
func stamp(t time.Time) string { return t.UTC().Format("Mon 2006-01-02 15:04 UTC") }

// count says "1 update" or "2 updates".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
