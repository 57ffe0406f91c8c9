package deploy

import (
	"errors"
	"fmt"
	"strings"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

// TokenKind tells how GitLab expects a token to be presented.
type TokenKind int

const (
	// PersonalToken is a personal, project or group access token: API
	// header PRIVATE-TOKEN, git user name "oauth2".
	PersonalToken TokenKind = iota
	// JobToken is a CI job token: API header JOB-TOKEN, git user name
	// "gitlab-ci-token".
	// https://docs.gitlab.com/ci/jobs/ci_job_token/
	JobToken
)

// Credentials is a GitLab token and how to present it. Its String method
// never shows the token, so it is safe to log.
type Credentials struct {
	Token string
	Kind  TokenKind
	// Source names the environment variable the token came from.
	Source string
}

// ErrNoToken is returned by CredentialsFromEnv when no variable is set.
var ErrNoToken = errors.New("no GitLab token: set PINWHEEL_GITLAB_TOKEN, GITLAB_TOKEN or CI_JOB_TOKEN")

// tokenVars is the lookup order: the most specific name first, and the job
// token last because it is always present in CI jobs but has the fewest
// rights (it can only push when the project allows job-token pushes).
var tokenVars = []struct {
	name string
	kind TokenKind
}{
	{"PINWHEEL_GITLAB_TOKEN", PersonalToken},
	{"GITLAB_TOKEN", PersonalToken},
	{"CI_JOB_TOKEN", JobToken},
}

// CredentialsFromEnv returns the first non-empty token among
// PINWHEEL_GITLAB_TOKEN, GITLAB_TOKEN and CI_JOB_TOKEN, read with getenv
// (os.Getenv in production).
func CredentialsFromEnv(getenv func(string) string) (Credentials, error) {
	for _, v := range tokenVars {
		if tok := strings.TrimSpace(getenv(v.name)); tok != "" {
			return Credentials{Token: tok, Kind: v.kind, Source: v.name}, nil
		}
	}
	return Credentials{}, ErrNoToken
}

// gitUser is the user name GitLab expects next to the token over HTTPS.
func (c Credentials) gitUser() string {
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

func (c Credentials) scrubErr(err error) error {
	if err == nil || c.Token == "" || !strings.Contains(err.Error(), c.Token) {
		return err
	}
	return errors.New(c.scrub(err.Error()))
}

// scrub removes the token from text that is about to be shown or wrapped
// into an error.
func (c Credentials) scrub(s string) string {
	if c.Token == "" {
		return s
	}
	return strings.ReplaceAll(s, c.Token, "[REDACTED]")
}

// NewAPIClient returns a client-go client for the instance at webURL that
// presents creds the way their kind requires.
func NewAPIClient(webURL string, creds Credentials, opts ...gitlab.ClientOptionFunc) (*gitlab.Client, error) {
	opts = append([]gitlab.ClientOptionFunc{gitlab.WithBaseURL(webURL)}, opts...)
	var (
		c   *gitlab.Client
		err error
	)
	if creds.Kind == JobToken {
		c, err = gitlab.NewJobClient(creds.Token, opts...)
	} else {
		c, err = gitlab.NewClient(creds.Token, opts...)
	}
	if err != nil {
		return nil, fmt.Errorf("GitLab client for %s: %w", webURL, creds.scrubErr(err))
	}
	return c, nil
}
