package scheduler

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/buildinfo"
)

// NewGitLabClient returns a client-go client for the instance at baseURL
// (without /api/v4) authenticating with token. httpClient may be nil.
//
// Retries (429 and 5xx, client-go's five attempts with backoff) are
// limited to idempotent requests: a POST that fails with a 5xx may have
// been applied, and retrying it could open a second merge request or
// issue; the next run converges instead. opts come last and may override
// this, e.g. tests pass gitlab.WithCustomBackoff to not wait.
func NewGitLabClient(baseURL, token string, httpClient *http.Client, opts ...gitlab.ClientOptionFunc) (*gitlab.Client, error) {
	all := []gitlab.ClientOptionFunc{
		gitlab.WithBaseURL(baseURL),
		gitlab.WithUserAgent(buildinfo.UserAgent()),
		gitlab.WithOnlyIdempotentRetries(),
	}
	if httpClient != nil {
		all = append(all, gitlab.WithHTTPClient(httpClient))
	}
	all = append(all, opts...)
	c, err := gitlab.NewClient(token, all...)
	if err != nil {
		return nil, fmt.Errorf("gitlab client for %s: %w", baseURL, err)
	}
	return c, nil
}

// fatal reports whether err from a GitLab call should stop the project's
// run: the request did not get an answer (network, cancelled), or GitLab
// kept failing after client-go's retries (5xx, 429), or the token is not
// accepted. Other client errors (400, 404, 409, 422...) concern one action
// only.
func fatal(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var er *gitlab.ErrorResponse
	if !errors.As(err, &er) {
		return true
	}
	code := status(err)
	return code >= 500 || code == 0 || code == http.StatusTooManyRequests || code == http.StatusUnauthorized
}

// status returns the HTTP status of a client-go error, 0 if none.
func status(err error) int {
	var er *gitlab.ErrorResponse
	if !errors.As(err, &er) {
		return 0
	}
	if er.Response != nil {
		return er.Response.StatusCode
	}
	return er.StatusCode
}
