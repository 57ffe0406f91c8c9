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
	"github.com/pinwheel-dev/pinwheel/registry"
	"github.com/pinwheel-dev/pinwheel/scheduler"
	"github.com/pinwheel-dev/pinwheel/state"
)

// runnerOpts are what a command adds to the config when it builds a
// scheduler.Runner.
type runnerOpts struct {
	// DryRun writes nothing to GitLab (nor to the state file).
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
	clock := time.Now
	if !opts.Now.IsZero() {
		start, at := time.Now(), opts.Now
		clock = func() time.Time { return at.Add(time.Since(start)) }
	}

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

	db, err := state.Open(cfg.State)
	if err != nil {
		return nil, nil, err
	}
	idxOpts := check.ClientOptions(cfg.Index, getenv)
	idxOpts.Cache = db.HTTPCache()
	idxOpts.Clock = clock
	idxOpts.Logger = log.WithField("component", "index")
	index, err := registry.New(idxOpts)
	if err != nil {
		_ = db.Close()
		return nil, nil, err
	}
	r, err := scheduler.New(cfg, scheduler.Deps{
		GitLab: gl, Index: index, State: db, Clock: clock,
		Log: log, DryRun: opts.DryRun, Out: opts.Out,
	})
	if err != nil {
		_ = db.Close()
		return nil, nil, err
	}
	return r, db.Close, nil
}
