// Package app wires pinwheel's parts together once, for every binary and
// test that runs projects: from a parsed config it builds the GitLab
// client (gitlabauth.NewClient, with the token from the variable
// gitlab.token_env names), the index client (its credentials from
// index.username_env and password_env, its HTTP cache in the state file),
// the state file and the scheduler.Runner over them. The commands in
// cmd/pinwheel, the demo and the tests all call New, so they run the same
// thing (as Alertmanager's app.New does for its binaries).
//
// NewDaemon wires the service around it: the daemon.Loop that runs the
// projects, the HTTP server with the webhook routing and, in a fleet, the
// forwarding to the owning shard, the project chooser (ChooseProjects)
// and the test bot (NewBot). cmd/pinwheel keeps flags, output and exit
// codes.
package app

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/sirupsen/logrus"
	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/check"
	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/gitlabauth"
	"github.com/pinwheel-dev/pinwheel/internal/discard"
	"github.com/pinwheel-dev/pinwheel/metrics"
	"github.com/pinwheel-dev/pinwheel/registry"
	"github.com/pinwheel-dev/pinwheel/scheduler"
	"github.com/pinwheel-dev/pinwheel/state"
)

// Options are what a caller adds to the config when it builds an App.
type Options struct {
	// DryRun writes nothing to GitLab and nothing to the state file: the
	// run works on a temporary copy of it (see openState).
	DryRun bool
	// Clock is the time runs are measured at; default time.Now.
	Clock func() time.Time
	// Log receives the runner's and the index client's entries; default
	// discards.
	Log logrus.FieldLogger
	// Out receives one line per GitLab action.
	Out io.Writer
	// Getenv reads the secrets' variables; default none set.
	Getenv func(string) string
	// LookupEnv, when set, reads the GitLab token's variable, so an empty
	// one is told from an unset one; default Getenv.
	LookupEnv func(string) (string, bool)
	// HTTPClient sends GitLab requests; nil for client-go's default.
	HTTPClient *http.Client
	// GitLabOptions are added to the GitLab client's options.
	GitLabOptions []gitlab.ClientOptionFunc
	// Metrics counts the merge request commands the runner answers.
	Metrics *metrics.Metrics
	// ManualRunBox shows the dashboard's "run again" box; only for a
	// daemon whose webhook runs the project when it is ticked.
	ManualRunBox bool
	// State, when set, is the open state file to use; the caller closes it
	// (Close leaves it open).
	State *state.DB
	// Deps, when set, sees the Runner's dependencies before the Runner is
	// built, to add what no config key sets (an OSV client, Done).
	Deps func(*scheduler.Deps)
}

// App is a wired Runner and the parts it runs on.
type App struct {
	Runner *scheduler.Runner
	GitLab *gitlab.Client
	Index  *registry.Client
	State  *state.DB

	closeState func() error
}

// New wires an App for cfg. Close releases the state file it opened.
func New(cfg *config.Config, opts Options) (*App, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	log := opts.Log
	if log == nil {
		log = discard.Logger()
	}
	clock := opts.Clock
	if clock == nil {
		clock = time.Now
	}

	lookup := opts.LookupEnv
	if lookup == nil {
		lookup = func(k string) (string, bool) { v := getenv(k); return v, v != "" }
	}
	creds, err := gitlabauth.FromVar(lookup, cfg.GitLab.TokenEnv)
	if err != nil {
		return nil, err
	}
	if cfg.GitLab.URL == "" {
		return nil, errors.New("gitlab.url is not set")
	}
	gl, err := newGitLab(cfg.GitLab.URL, creds, opts.HTTPClient, opts.GitLabOptions)
	if err != nil {
		return nil, err
	}

	a := &App{GitLab: gl, State: opts.State, closeState: func() error { return nil }}
	if a.State == nil {
		if a.State, a.closeState, err = openState(cfg.State, clock, opts.DryRun, opts.Out, log); err != nil {
			return nil, err
		}
	}
	idxOpts := check.ClientOptions(cfg.Index, getenv)
	idxOpts.Cache = a.State.HTTPCache()
	idxOpts.Clock = clock
	idxOpts.Logger = log.WithField("component", "index")
	if a.Index, err = registry.New(idxOpts); err != nil {
		_ = a.Close()
		return nil, fmt.Errorf("index client: %w", err)
	}
	deps := scheduler.Deps{
		GitLab: gl, Index: a.Index, State: a.State, Clock: clock,
		Log: log, DryRun: opts.DryRun, Out: opts.Out, ManualRunBox: opts.ManualRunBox,
		Token: creds, Metrics: opts.Metrics,
	}
	if opts.Deps != nil {
		opts.Deps(&deps)
	}
	a.Runner, err = scheduler.New(cfg, deps)
	if err != nil {
		_ = a.Close()
		return nil, err
	}
	return a, nil
}

// newGitLab is gitlabauth.NewClient sending through hc (nil: client-go's
// default), with extra's options after.
func newGitLab(url string, creds gitlabauth.Credentials, hc *http.Client, extra []gitlab.ClientOptionFunc) (*gitlab.Client, error) {
	var opts []gitlab.ClientOptionFunc
	if hc != nil {
		opts = append(opts, gitlab.WithHTTPClient(hc))
	}
	return gitlabauth.NewClient(url, creds, append(opts, extra...)...)
}

// Close closes the state file New opened (not one Options.State gave).
func (a *App) Close() error { return a.closeState() }

// openState opens the state file. A dry run writes nothing anywhere, so it
// works on a temporary copy (state.OpenCopy): the file is only read, never
// created (a non-root user's first dry run needs no write access to
// /var/lib/pinwheel), and the copy is deleted at close. Beside a live
// daemon (which holds the file's lock) the copy starts empty: GitLab is the
// source of truth, so the preview is the same, only slower (full listings,
// no HTTP cache).
func openState(path string, clock func() time.Time, dryRun bool, out io.Writer, log logrus.FieldLogger) (*state.DB, func() error, error) {
	if !dryRun {
		db, err := state.Open(path, state.WithClock(clock))
		if err != nil {
			return nil, nil, err
		}
		return db, db.Close, nil
	}
	db, err := state.OpenCopy(path, state.WithClock(clock))
	if errors.Is(err, state.ErrLocked) {
		log.WithError(err).Debug("the dry run uses an empty temporary state instead")
		if out != nil {
			fmt.Fprintf(out, "note: %v; the dry run uses an empty temporary state instead\n", err)
		}
		db, err = state.OpenCopy("", state.WithClock(clock))
	}
	if err != nil {
		return nil, nil, err
	}
	return db, db.Close, nil
}
