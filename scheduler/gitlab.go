package scheduler

import (
	"context"
	"errors"
	"net/http"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

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
