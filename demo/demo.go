// Package demo runs pinwheel end to end against the built-in GitLab and
// package index simulators, with a sample project, and narrates what a
// maintainer would see: the dependency dashboard and the merge requests
// after a weekday run, after ticking a box, and after a weekend run; then
// a developer's "@pinwheel test" on a merge request of the team's package.
//
// It needs no network and no config; `pinwheel demo` calls Run. The
// simulators, the state file and the clock are its own; everything between
// them is the production code path (config parsing, the index and GitLab
// clients, the scheduler).
package demo

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/check"
	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/constraints"
	"github.com/pinwheel-dev/pinwheel/gitlabsim"
	"github.com/pinwheel-dev/pinwheel/indexsim"
	"github.com/pinwheel-dev/pinwheel/registry"
	"github.com/pinwheel-dev/pinwheel/scheduler"
	"github.com/pinwheel-dev/pinwheel/state"
	"github.com/pinwheel-dev/pinwheel/testbot"
)

//go:embed constraints.txt
var sampleConstraints string

// The demo's week, in the project's time zone: a Wednesday morning, an hour
// later, and the Saturday after.
var (
	prague    = mustZone("Europe/Prague")
	wednesday = time.Date(2026, 11, 25, 10, 0, 0, 0, prague)
	saturday  = time.Date(2026, 11, 28, 10, 0, 0, 0, prague)
)

const (
	projectPath = "group/app"
	tokenEnv    = "PINWHEEL_DEMO_TOKEN"
)

// Options tune a demo run; the zero value is the full demo.
type Options struct {
	// StateDir holds the state file; default a temporary directory removed
	// at the end.
	StateDir string
}

// Run plays the demo and writes its narration to w.
func Run(ctx context.Context, w io.Writer, opts Options) error {
	d, err := newWorld(opts)
	if err != nil {
		return err
	}
	defer d.close()
	return d.play(ctx, w)
}

// play runs the demo's steps in d.
func (d *world) play(ctx context.Context, w io.Writer) error {
	steps := []struct {
		title string
		at    time.Time
		do    func() error
		quiet bool // print the dashboard only, not the merge requests again
		// instead, when set, replaces the run and the dashboard.
		instead func() error
	}{
		{"Wednesday 10:00: the hourly run finds updates; outside the weekend window it opens no merge request", wednesday, nil, false, nil},
		{"Wednesday 11:00: a maintainer ticked the box for requests; the next run opens just that merge request", wednesday.Add(time.Hour), func() error {
			return d.tick("pinwheel/requests-2.x")
		}, false, nil},
		{"Saturday 10:00: inside the window, pinwheel opens the rest (at most 4 new merge requests per run; the rest wait, rate-limited)", saturday, nil, false, nil},
		{"Saturday 11:00: the next hourly run opens what the limit held back", saturday.Add(time.Hour), nil, true, nil},
		{"Saturday 12:00: nothing changed on the index or in GitLab, so the run writes nothing", saturday.Add(2 * time.Hour), nil, true, nil},
		{"Saturday 12:30: a developer asks pinwheel to test their merge request of the team's package cki-lib in group/app's pipeline", saturday.Add(150 * time.Minute), nil, false, func() error {
			return d.botStep(ctx, w)
		}},
	}
	for i, s := range steps {
		fmt.Fprintf(w, "\n━━━ Step %d. %s\n\n", i+1, s.title)
		if s.do != nil {
			if err := s.do(); err != nil {
				return err
			}
		}
		d.clock.set(s.at)
		if s.instead != nil {
			if err := s.instead(); err != nil {
				return err
			}
			continue
		}
		if err := d.run(ctx, w); err != nil {
			return err
		}
		if err := d.show(ctx, w, !s.quiet); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\nThat was pinwheel against its built-in simulators. Point a config at your GitLab (see config.example.yaml) and run `pinwheel run --config FILE --dry-run`.\n")
	return nil
}

// world is the demo's GitLab, index, state and runner.
type world struct {
	clock   *clock
	gl      *gitlabsim.Server
	idx     *indexsim.Server
	project *gitlabsim.Project
	api     *gitlab.Client
	runner  *scheduler.Runner
	db      *state.DB
	tmp     string
	// The test bot's part (bot.go).
	bot *testbot.Bot
	lib *gitlabsim.Project
	dev gitlabsim.User
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

	pinwheel, token := d.gl.AddUser("pinwheel")
	d.project = d.gl.CreateProject(projectPath, "main")
	pins := constraints.ParseFile("constraints.txt", []byte(sampleConstraints))
	d.gl.Commit(d.project, "main", "Add constraints", map[string]string{
		"constraints.txt":          sampleConstraints,
		"pipeline/constraints.yml": string(constraints.YAML(pins, "constraints.txt")),
		".gitlab-ci.yml":           "include: pipeline/prepare.yml\n",
	})

	dir := opts.StateDir
	if dir == "" {
		if d.tmp, err = os.MkdirTemp("", "pinwheel-demo-"); err != nil {
			return nil, fmt.Errorf("demo state dir: %w", err)
		}
		dir = d.tmp
	}
	cfg, err := config.Parse("demo.yaml", []byte(fmt.Sprintf(demoConfig,
		d.idx.IndexURL(), filepath.Join(dir, "state.db"), d.gl.URL(), tokenEnv, projectPath)))
	if err != nil {
		return nil, fmt.Errorf("demo config: %w", err)
	}
	getenv := func(name string) string {
		if name == tokenEnv {
			return token
		}
		return ""
	}
	noWait := gitlab.WithCustomBackoff(func(_, _ time.Duration, _ int, _ *http.Response) time.Duration { return 0 })
	if d.api, err = scheduler.NewGitLabClient(cfg.GitLab.URL, getenv(cfg.GitLab.TokenEnv), nil, noWait); err != nil {
		return nil, err
	}
	if d.db, err = state.Open(cfg.State); err != nil {
		return nil, err
	}
	idxOpts := check.ClientOptions(cfg.Index, getenv)
	idxOpts.Cache, idxOpts.Clock = d.db.HTTPCache(), d.clock.now
	index, err := registry.New(idxOpts)
	if err != nil {
		return nil, err
	}
	quiet := logrus.New()
	quiet.SetOutput(io.Discard)
	d.runner, err = scheduler.New(cfg, scheduler.Deps{
		GitLab: d.api, Index: index, State: d.db, Clock: d.clock.now, Log: logrus.NewEntry(quiet),
	})
	if err != nil {
		return d, err
	}
	return d, d.setUpBot(cfg, d.api, pinwheel)
}

// demoConfig is the config a team would write, pointed at the simulators.
const demoConfig = `
index: {url: %q}
python: ["3.11"]
state: %q
gitlab: {url: %q, token_env: %s}
packages:
  - name: django
    allowed: "<5"
  - name: numpy
    minimum_release_age: 3d
projects:
  - path: %s
    constraints: constraints.txt
    yaml: pipeline/constraints.yml
    schedule: {days: [sat, sun], timezone: Europe/Prague}
    limits: {open_mrs: 10, new_mrs_per_run: 4}
bot:
  trigger_project: group/app
  trigger_ref: main
  variables: {CKI_DEPLOYMENT_ENVIRONMENT: retrigger}
  packages: [{project: group/cki-lib, name: cki-lib}]
`

func (d *world) close() {
	if d.db != nil {
		d.db.Close()
	}
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

func (d *world) run(ctx context.Context, w io.Writer) error {
	before := d.gl.Stats().Requests
	rep, err := d.runner.RunProject(ctx, projectPath)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "pinwheel run at %s: %s found, %s opened, %d updated; %s, %d of them writes\n",
		d.clock.now().Format("Mon 2006-01-02 15:04 MST"), count(rep.UpdatesFound, "update"),
		count(rep.MRsOpened, "merge request"), rep.MRsUpdated,
		count(d.gl.Stats().Requests-before, "GitLab request"), rep.Writes)
	for _, a := range rep.Actions {
		fmt.Fprintf(w, "  • %s\n", a)
	}
	return nil
}

// tick does what a maintainer does in GitLab's UI: tick a box on the
// dashboard issue.
func (d *world) tick(branch string) error {
	marker := "<!-- unschedule-branch=" + branch + " -->"
	for _, is := range d.gl.Issues(d.project) {
		if !strings.Contains(is.Description, marker) {
			continue
		}
		return d.gl.EditIssue(d.project, is.IID, func(is *gitlabsim.Issue) {
			is.Description = strings.Replace(is.Description, "- [ ] "+marker, "- [x] "+marker, 1)
		})
	}
	return fmt.Errorf("demo: no dashboard box for %s", branch)
}

// count says "1 update" or "2 updates".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
