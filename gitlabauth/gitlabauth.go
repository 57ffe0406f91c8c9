// Package gitlabauth finds the GitLab token a pinwheel CI command runs
// with and presents it the way GitLab expects: to the REST API as a header
// (client-go), to git as the user name and password of HTTPS basic auth.
//
// Every command reads the token the same way (see FromEnv): from the
// environment only, so it never sits on a command line or in a CI log. The
// package also owns keeping the token out of text (Scrub, ScrubErr; URLs
// with user info go through package internal/redact). It does not own where the token is used: deploy hands it to
// git through a credential helper, prepare to the API for data projects.
// The daemon's configured token (config.GitLab.TokenEnv) is separate.
package gitlabauth

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/internal/redact"
)

// Kind tells how GitLab expects a token to be presented.
type Kind int

const (
	// PersonalToken is a personal, project or group access token: API
	// header PRIVATE-TOKEN, git user name "oauth2".
	PersonalToken Kind = iota
	// JobToken is a CI job token: API header JOB-TOKEN, git user name
	// "gitlab-ci-token".
	// https://docs.gitlab.com/ci/jobs/ci_job_token/
	JobToken
)

// Credentials is a GitLab token and how to present it. The zero value is
// "no token" (anonymous access to public projects). Its String method never
// shows the token, so it is safe to log.
type Credentials struct {
	Token string
	Kind  Kind
	// Source names the environment variable the token came from.
	Source string
}

// ErrNoToken is returned by FromEnv when no variable holds a token usable
// for the instance.
var ErrNoToken = errors.New("no GitLab token: set PINWHEEL_GITLAB_TOKEN, GITLAB_TOKEN or CI_JOB_TOKEN")

// Vars is the lookup order of FromEnv: the most specific name first, and
// the job token last because it is always present in CI jobs but has the
// fewest rights.
var Vars = []string{"PINWHEEL_GITLAB_TOKEN", "GITLAB_TOKEN", "CI_JOB_TOKEN"}

// FromEnv returns the first non-empty token among PINWHEEL_GITLAB_TOKEN,
// GITLAB_TOKEN and CI_JOB_TOKEN, read with getenv (os.Getenv in
// production), for the GitLab instance at baseURL.
//
// A job token is only valid on the instance that ran the job, so
// CI_JOB_TOKEN is skipped when CI_SERVER_URL names another host than
// baseURL: it is never sent to a third party.
func FromEnv(getenv func(string) string, baseURL string) (Credentials, error) {
	for _, name := range Vars {
		tok := strings.TrimSpace(getenv(name))
		if tok == "" {
			continue
		}
		if name != "CI_JOB_TOKEN" {
			return Credentials{Token: tok, Kind: PersonalToken, Source: name}, nil
		}
		if server := getenv("CI_SERVER_URL"); server != "" && !sameHost(server, baseURL) {
			continue
		}
		return Credentials{Token: tok, Kind: JobToken, Source: name}, nil
	}
	return Credentials{}, ErrNoToken
}

func sameHost(a, b string) bool {
	ua, errA := url.Parse(a)
	ub, errB := url.Parse(b)
	return errA == nil && errB == nil && ua.Host != "" && strings.EqualFold(ua.Host, ub.Host)
}

// GitUser is the user name GitLab expects next to the token over HTTPS.
func (c Credentials) GitUser() string {
	if c.Kind == JobToken {
		return "gitlab-ci-token"
	}
	return "oauth2"
}

func (c Credentials) String() string {
	if c.Token == "" {
		return "no token"
	}
	return "token from " + c.Source
}

// Scrub replaces the token with redact.Mask in text that is about to be
// shown or wrapped into an error.
func (c Credentials) Scrub(s string) string {
	if c.Token == "" {
		return s
	}
	return strings.ReplaceAll(s, c.Token, redact.Mask)
}

// ScrubErr flattens err to its scrubbed text when the text shows the
// token, and returns it unchanged (still unwrappable) otherwise.
func (c Credentials) ScrubErr(err error) error {
	if err == nil || c.Token == "" || !strings.Contains(err.Error(), c.Token) {
		return err
	}
	return errors.New(c.Scrub(err.Error()))
}

// NewClient returns a client-go client for the instance at baseURL that
// presents c the way its kind requires; with no token it is anonymous.
func NewClient(baseURL string, c Credentials, opts ...gitlab.ClientOptionFunc) (*gitlab.Client, error) {
	opts = append([]gitlab.ClientOptionFunc{gitlab.WithBaseURL(baseURL)}, opts...)
	var (
		gl  *gitlab.Client
		err error
	)
	if c.Kind == JobToken {
		gl, err = gitlab.NewJobClient(c.Token, opts...)
	} else {
		gl, err = gitlab.NewClient(c.Token, opts...)
	}
	if err != nil {
		return nil, fmt.Errorf("GitLab client for %s: %w", redact.URLs(baseURL), c.ScrubErr(err))
	}
	return gl, nil
}
