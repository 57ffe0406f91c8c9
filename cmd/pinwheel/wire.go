package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/sirupsen/logrus"
	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/check"
	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/registry"
	"github.com/pinwheel-dev/pinwheel/scheduler"
	"github.com/pinwheel-dev/pinwheel/state"
)

// runnerOpts are what a command adds to the config when it builds a
// scheduler.Runner.
type runnerOpts struct {
	// DryRun writes nothing to GitLab and no project records to the state
	// file (the HTTP cache still fills).
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
	// HTTPClient sends GitLab requests; nil for client-go's default.
	HTTPClient *http.Client
	// GitLabOptions are added to the GitLab client's options.
	GitLabOptions []gitlab.ClientOptionFunc
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

	token := getenv(cfg.GitLab.TokenEnv)
	if cfg.GitLab.TokenEnv == "" || token == "" {
		return nil, nil, fmt.Errorf("the GitLab token: environment variable %q is not set (gitlab.token_env)", cfg.GitLab.TokenEnv)
	}
	if cfg.GitLab.URL == "" {
		return nil, nil, errors.New("gitlab.url is not set")
	}
	gl, err := scheduler.NewGitLabClient(cfg.GitLab.URL, token, opts.HTTPClient, opts.GitLabOptions...)
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

// openState opens the state file. A dry run next to a live daemon (which
// holds the file's lock) works on a fresh temporary state instead: GitLab
// is the source of truth, so the preview is the same, only slower (full
// listings, no HTTP cache).
func openState(path string, clock func() time.Time, dryRun bool, out io.Writer, log *logrus.Entry) (*state.DB, func() error, error) {
	db, err := state.Open(path, state.WithClock(clock))
	if err == nil {
		return db, db.Close, nil
	}
	if !dryRun || !errors.Is(err, state.ErrLocked) {
		return nil, nil, err
	}
	dir, derr := os.MkdirTemp("", "pinwheel-dry-run-")
	if derr != nil {
		return nil, nil, errors.Join(err, derr)
	}
	log.WithError(err).Warn("the dry run uses an empty temporary state instead")
	if out != nil {
		fmt.Fprintf(out, "note: %v; the dry run uses an empty temporary state instead\n", err)
	}
	db, err = state.Open(filepath.Join(dir, "state.db"), state.WithClock(clock))
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, fmt.Errorf("temporary state for the dry run: %w", err)
	}
	return db, func() error { err := db.Close(); os.RemoveAll(dir); return err }, nil
}
