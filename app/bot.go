package app

import (
	"errors"
	"net/http"
	"strings"

	"github.com/sirupsen/logrus"
	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/daemon"
	"github.com/pinwheel-dev/pinwheel/gitlabauth"
	"github.com/pinwheel-dev/pinwheel/internal/discard"
	"github.com/pinwheel-dev/pinwheel/metrics"
	"github.com/pinwheel-dev/pinwheel/state"
	"github.com/pinwheel-dev/pinwheel/testbot"
)

// BotOptions are NewBot's inputs besides the config.
type BotOptions struct {
	Getenv func(string) string
	// LookupEnv, when set, reads the token variables, so an empty one is
	// told from an unset one; default Getenv.
	LookupEnv     func(string) (string, bool)
	State         *state.DB
	HTTPClient    *http.Client
	GitLabOptions []gitlab.ClientOptionFunc
	Metrics       *metrics.Metrics
	Log           logrus.FieldLogger
	Clock         daemon.Clock // nil = the real time
	AfterWork     func()       // see testbot.Deps
}

// NewBot wires the test bot for cfg's bot section: the GitLab client
// with the token gitlab.token_env names, and the trigger token from the
// variable bot.trigger_token_env names (unset: the API token creates the
// pipelines).
func NewBot(cfg *config.Config, o BotOptions) (*testbot.Bot, error) {
	if cfg.Bot == nil {
		return nil, errors.New("the config has no bot section")
	}
	if o.Log == nil {
		o.Log = discard.Logger()
	}
	lookup := o.LookupEnv
	if lookup == nil && o.Getenv == nil {
		lookup = func(string) (string, bool) { return "", false }
	}
	if lookup == nil {
		lookup = func(k string) (string, bool) { v := o.Getenv(k); return v, v != "" }
	}
	creds, err := gitlabauth.FromVar(lookup, cfg.GitLab.TokenEnv)
	if err != nil {
		return nil, err
	}
	trigger := ""
	if env := cfg.Bot.TriggerTokenEnv; env != "" {
		raw, set := lookup(env)
		switch trigger = strings.TrimSpace(raw); {
		case !set:
			o.Log.Infof("test bot: environment variable %s is not set; pinwheel's API token creates the pipelines", env)
		case trigger == "":
			o.Log.Infof("test bot: environment variable %s is empty; pinwheel's API token creates the pipelines", env)
		}
	}
	gl, err := newGitLab(cfg.GitLab.URL, creds, o.HTTPClient, o.GitLabOptions)
	if err != nil {
		return nil, err
	}
	return testbot.New(testbot.Deps{
		Config: *cfg.Bot, TriggerToken: trigger, GitLab: gl, State: o.State,
		Clock: o.Clock, Metrics: o.Metrics, Log: o.Log.WithField("component", "testbot"), AfterWork: o.AfterWork,
	})
}
