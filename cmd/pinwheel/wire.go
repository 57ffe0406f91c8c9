package main

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
	"github.com/pinwheel-dev/pinwheel/metrics"
	"github.com/pinwheel-dev/pinwheel/registry"
	"github.com/pinwheel-dev/pinwheel/scheduler"
	"github.com/pinwheel-dev/pinwheel/state"
)

// runnerOpts are what a command adds to the config when it builds a
// scheduler.Runner.
type runnerOpts struct {
	// DryRun writes nothing to GitLab and nothing to the state file: the
	// run works on a temporary copy of it (see openState).
	DryRun bool
	// Now, when set, is the time runs start at (for previews); the clock
	// then moves on from it at the real pace.
	Now time.Time
	// Log receives the runner's and the index client's entries.
	Log *logrus.Entry
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
	// State, when set, is the open state file to use; the caller closes it.
	State *state.DB
}

// buildRunner wires a Runner for cfg: the GitLab client with the token
// from the variable gitlab.token_env names, the index client with the
// credentials index.username_env and password_env name, and the state
// file. close releases the state file.
func buildRunner(cfg *config.Config, opts runnerOpts) (*scheduler.Runner, func() error, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	log := opts.Log
	if log == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		log = logrus.NewEntry(l)
	}
	clock := clockFrom(opts.Now)

	lookup := opts.LookupEnv
	if lookup == nil {
		lookup = func(k string) (string, bool) { v := getenv(k); return v, v != "" }
	}
	creds, err := gitlabauth.FromVar(lookup, cfg.GitLab.TokenEnv)
	if err != nil {
		return nil, nil, err
	}
	if cfg.GitLab.URL == "" {
		return nil, nil, errors.New("gitlab.url is not set")
	}
	glOpts := opts.GitLabOptions
	if opts.HTTPClient != nil {
		glOpts = append([]gitlab.ClientOptionFunc{gitlab.WithHTTPClient(opts.HTTPClient)}, glOpts...)
	}
	gl, err := gitlabauth.NewClient(cfg.GitLab.URL, creds, glOpts...)
	if err != nil {
		return nil, nil, err
	}

	db, closeDB := opts.State, func() error { return nil }
	if db == nil {
		if db, closeDB, err = openState(cfg.State, clock, opts.DryRun, opts.Out, log); err != nil {
			return nil, nil, err
		}
	}
	idxOpts := check.ClientOptions(cfg.Index, getenv)
	idxOpts.Cache = db.HTTPCache()
	idxOpts.Clock = clock
	idxOpts.Logger = log.WithField("component", "index")
	index, err := registry.New(idxOpts)
	if err != nil {
		_ = closeDB()
		return nil, nil, fmt.Errorf("index client: %w", err)
	}
	r, err := scheduler.New(cfg, scheduler.Deps{
		GitLab: gl, Index: index, State: db, Clock: clock,
		Log: log, DryRun: opts.DryRun, Out: opts.Out, ManualRunBox: opts.ManualRunBox,
		Token: creds, Metrics: opts.Metrics,
	})
	if err != nil {
		_ = closeDB()
		return nil, nil, err
	}
	return r, closeDB, nil
}

// clockFrom is the real clock, or, when at is set, one that starts at at
// and moves on at the real pace (runnerOpts.Now).
func clockFrom(at time.Time) func() time.Time {
	if at.IsZero() {
		return time.Now
	}
	start := time.Now()
	return func() time.Time { return at.Add(time.Since(start)) }
}

// openState opens the state file. A dry run writes nothing anywhere, so it
// works on a temporary copy (state.OpenCopy): the file is only read, never
// created (a non-root user's first dry run needs no write access to
// /var/lib/pinwheel), and the copy is deleted at close. Beside a live
// daemon (which holds the file's lock) the copy starts empty: GitLab is the
// source of truth, so the preview is the same, only slower (full listings,
// no HTTP cache).
func openState(path string, clock func() time.Time, dryRun bool, out io.Writer, log *logrus.Entry) (*state.DB, func() error, error) {
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
