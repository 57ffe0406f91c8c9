package gitlabauth

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/buildinfo"
	"github.com/pinwheel-dev/pinwheel/internal/redact"
)

// ErrBadURL means a GitLab address is not an absolute http(s) URL.
var ErrBadURL = errors.New("not an http(s) URL")

// CheckURL reports whether baseURL can address a GitLab instance: an
// absolute http or https URL with a host. client-go accepts almost any
// string and only logs a warning, so a typo would show as a confusing
// request error later.
func CheckURL(baseURL string) error {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("GitLab URL %q: %w, e.g. https://gitlab.example.com", redact.URLs(baseURL), ErrBadURL)
	}
	return nil
}

// NewClient returns the client-go client every pinwheel command uses for
// the instance at baseURL (without /api/v4), presenting c the way its kind
// requires; with no token it is anonymous.
//
// The rules are the same everywhere: pinwheel's User-Agent, and retries
// (429 and 5xx, client-go's attempts with backoff) only for idempotent
// requests. A POST that failed with a 5xx may have been applied behind a
// proxy; retrying it could open a second merge request or record a second
// deployment left "running". The caller converges instead (the next run,
// or the person reading deploy's error). opts come last and may add to
// this, e.g. gitlab.WithHTTPClient, or a quick backoff in tests.
func NewClient(baseURL string, c Credentials, opts ...gitlab.ClientOptionFunc) (*gitlab.Client, error) {
	if err := CheckURL(baseURL); err != nil {
		return nil, err
	}
	all := []gitlab.ClientOptionFunc{
		gitlab.WithBaseURL(baseURL),
		gitlab.WithUserAgent(buildinfo.UserAgent()),
		gitlab.WithOnlyIdempotentRetries(),
		// CheckURL has vetted the URL; client-go would log to slog's
		// default (stderr) beside our own message.
		gitlab.WithURLWarningLogger(slog.New(slog.DiscardHandler)),
	}
	all = append(all, opts...)
	var (
		gl  *gitlab.Client
		err error
	)
	if c.Kind == JobToken {
		gl, err = gitlab.NewJobClient(c.Token, all...)
	} else {
		gl, err = gitlab.NewClient(c.Token, all...)
	}
	if err != nil {
		return nil, fmt.Errorf("GitLab client for %s: %w", redact.URLs(baseURL), c.ScrubErr(err))
	}
	return gl, nil
}

// Explain adds what a person should do to a GitLab error: a 401 means
// the token from c.Source was refused. Other errors are returned as they
// are.
func Explain(err error, c Credentials) error {
	if err == nil || httpStatus(err) != http.StatusUnauthorized {
		return err
	}
	where := "the token's variable"
	if c.Source != "" {
		where = "the variable " + c.Source
	}
	return fmt.Errorf("%w (GitLab refused the token: check %s)", err, where)
}

// ProjectNotFound wraps a 404 from a request about project itself (GET
// /projects/:id) into the message every command shows: GitLab answers 404,
// not 403, for a project the token may not see. Other errors are returned
// as they are.
func ProjectNotFound(err error, project string) error {
	if err == nil || !errors.Is(err, gitlab.ErrNotFound) {
		return err
	}
	return fmt.Errorf("project %s not found (or the token cannot see it): %w", project, err)
}

func httpStatus(err error) int {
	var er *gitlab.ErrorResponse
	if !errors.As(err, &er) {
		return 0
	}
	if er.Response != nil {
		return er.Response.StatusCode
	}
	return er.StatusCode
}
