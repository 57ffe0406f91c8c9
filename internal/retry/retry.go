// Package retry holds the retry rules pinwheel's own HTTP clients (the
// package index in registry, OSV in osv) share: which statuses are worth
// another try, exponential backoff with full jitter, and the server's
// Retry-After. The loops themselves stay with each client, since what a
// client does between tries (caching, 304s, credentials) is its own.
//
// GitLab requests are retried by client-go, not here.
package retry

import (
	"context"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// Retryable reports whether a response status is worth another try: 429
// and the 5xx that mean "not now" (not 501 or 505, which will not change).
func Retryable(status int) bool {
	return status == http.StatusTooManyRequests ||
		(status >= 500 && status != http.StatusNotImplemented && status != http.StatusHTTPVersionNotSupported)
}

// Backoff is exponential backoff with full jitter: a uniform wait up to
// base·2^(attempt-1) (attempt counts from 1), capped at limit.
// https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
func Backoff(attempt int, base, limit time.Duration) time.Duration {
	ceil := limit
	if attempt < 30 {
		ceil = min(ceil, base<<(attempt-1))
	}
	return rand.N(ceil + 1)
}

// After reads Retry-After as delay-seconds or an HTTP date
// (RFC 9110 §10.2.3); ok is false when the header is absent or unreadable.
func After(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil {
		// Clamp before multiplying: a huge value would overflow to a
		// negative wait and retry at once.
		const maxSeconds = int(math.MaxInt64 / int64(time.Second))
		return time.Duration(min(max(n, 0), maxSeconds)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// Sleep waits d, or until ctx ends (returning its error).
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
