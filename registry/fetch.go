package registry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/pinwheel-dev/pinwheel/buildinfo"
	"github.com/pinwheel-dev/pinwheel/internal/redact"
	"github.com/pinwheel-dev/pinwheel/internal/retry"
)

// StatusError is an HTTP response the client could not use.
type StatusError struct {
	URL        string // without credentials
	StatusCode int
	Attempts   int // requests made, retries included
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("GET %s: %d %s", e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Attempts > 1 {
		msg += fmt.Sprintf(" (gave up after %d attempts)", e.Attempts)
	}
	return msg
}

// Is makes a 404 match ErrNotFound.
func (e *StatusError) Is(target error) bool {
	return target == ErrNotFound && e.StatusCode == http.StatusNotFound
}

// response is a usable answer, fresh from the server or from the cache.
type response struct {
	url         string // final URL, after redirects
	contentType string
	body        []byte
	// unchanged is true when the body is the one the cache already held
	// (still fresh, trusted, or a 304): the index has nothing new here.
	unchanged bool
}

// attemptResult is what one request got back.
type attemptResult struct {
	status int
	header http.Header
	body   []byte
	url    string
}

const backoffBase = 500 * time.Millisecond

// get fetches rawURL through the cache, retrying what is worth retrying.
// trust, when positive, lets a stored entry that was fetched or
// revalidated less than trust ago answer without a request even though it
// is stale: the caller knows from another response that nothing it reads
// here has changed (see Lookups.Details).
func (c *Client) get(ctx context.Context, rawURL, accept string, trust time.Duration) (*response, error) {
	safeURL := redact.URLs(rawURL)
	key := cacheKey(accept, safeURL)
	cached := c.cacheGet(key)
	if cached != nil {
		c.refreshedMu.Lock()
		if exp, ok := c.refreshed[key]; ok {
			if exp.After(cached.Expires) {
				cached.Expires = exp
			}
			if !c.opts.Clock().Before(exp) {
				delete(c.refreshed, key)
			}
		}
		c.refreshedMu.Unlock()
	}
	if cached != nil && (c.opts.Clock().Before(cached.Expires) || trusted(cached, trust, c.opts.Clock())) {
		return &response{url: cached.URL, contentType: cached.ContentType, body: cached.body, unchanged: true}, nil
	}
	for attempt := 1; ; attempt++ {
		res, err := c.attempt(ctx, rawURL, accept, cached)
		var wait time.Duration
		switch {
		case err != nil && ctx.Err() != nil:
			return nil, ctx.Err()
		case err != nil && errors.Is(err, ErrResponseTooLarge):
			return nil, err
		case err != nil:
			if attempt > c.opts.MaxRetries {
				if attempt == 1 {
					return nil, err
				}
				return nil, fmt.Errorf("%w (gave up after %d attempts)", err, attempt)
			}
			wait = retry.Backoff(attempt, backoffBase, c.opts.MaxRetryWait)
		case res.status == http.StatusNotModified && cached != nil:
			return c.revalidated(key, cached, res), nil
		case res.status == http.StatusOK:
			return c.fresh(key, res), nil
		case retry.Retryable(res.status):
			if attempt > c.opts.MaxRetries {
				return nil, &StatusError{URL: safeURL, StatusCode: res.status, Attempts: attempt}
			}
			wait = retry.Backoff(attempt, backoffBase, c.opts.MaxRetryWait)
			if ra, ok := retry.After(res.header.Get("Retry-After"), c.opts.Clock()); ok {
				wait = min(ra, c.opts.MaxRetryWait)
			}
		default:
			return nil, &StatusError{URL: safeURL, StatusCode: res.status, Attempts: attempt}
		}
		fields := logrus.Fields{"url": safeURL, "attempt": attempt, "wait": wait}
		if err != nil {
			c.log.WithFields(fields).WithError(err).Debug("index request failed; retrying")
		} else {
			c.log.WithFields(fields).WithField("status", res.status).Debug("index request failed; retrying")
		}
		if err := c.opts.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// attempt makes one request, holding a concurrency slot for it.
func (c *Client) attempt(ctx context.Context, rawURL, accept string, cached *cacheEntry) (*attemptResult, error) {
	select {
	case c.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-c.slots }()
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", redact.URLs(rawURL), redactErr(err))
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", buildinfo.UserAgent())
	if cached != nil {
		if cached.ETag != "" {
			req.Header.Set("If-None-Match", cached.ETag)
		}
		if cached.LastModified != "" {
			req.Header.Set("If-Modified-Since", cached.LastModified)
		}
	}
	if (c.opts.Username != "" || c.opts.Password != "") && origin(req.URL) == c.authOrigin {
		req.SetBasicAuth(c.opts.Username, c.opts.Password)
	}
	resp, err := c.opts.HTTPClient.Do(req)
	if err != nil {
		return nil, redactErr(err)
	}
	defer resp.Body.Close()
	// The final URL is the base for relative file links, so it must not
	// carry the index URL's userinfo into File.URL.
	final := *resp.Request.URL
	final.User = nil
	res := &attemptResult{status: resp.StatusCode, header: resp.Header, url: final.String()}
	if resp.StatusCode != http.StatusOK {
		// Drain a little so the connection can be reused.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return res, nil
	}
	limit := c.opts.MaxResponseBytes
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("GET %s: %w: %d bytes, limit %d", redact.URLs(rawURL), ErrResponseTooLarge, resp.ContentLength, limit)
	}
	var buf bytes.Buffer
	if resp.ContentLength > 0 {
		buf.Grow(int(resp.ContentLength) + 1) // +1: the read that sees EOF
	}
	_, err = buf.ReadFrom(io.LimitReader(resp.Body, limit+1))
	body := buf.Bytes()
	if err != nil {
		return nil, fmt.Errorf("GET %s: read body: %w", redact.URLs(rawURL), redactErr(err))
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("GET %s: %w: over %d bytes", redact.URLs(rawURL), ErrResponseTooLarge, limit)
	}
	res.body = body
	return res, nil
}

func (c *Client) fresh(key string, res *attemptResult) *response {
	out := &response{url: res.url, contentType: res.header.Get("Content-Type"), body: res.body}
	store, expires := cachePolicy(res.header, c.opts.Clock())
	e := &cacheEntry{
		URL: out.url, ContentType: out.contentType, Expires: expires,
		ETag: res.header.Get("ETag"), LastModified: res.header.Get("Last-Modified"), body: res.body,
		Stored: c.opts.Clock(),
	}
	if store && (e.ETag != "" || e.LastModified != "" || expires.After(c.opts.Clock())) {
		c.cachePut(key, e)
	}
	return out
}

// revalidated answers from a cached entry after a 304 (RFC 9111 §4.3.4).
// It rewrites the stored entry only when the validators changed, or once
// a day so the store can tell the entry is still in use: rewriting the
// body on every 304 made the state file grow with every run. The new
// freshness lifetime is kept in memory instead (Client.refreshed): a
// restarted process revalidates once more, which costs a 304.
func (c *Client) revalidated(key string, e *cacheEntry, res *attemptResult) *response {
	store, expires := cachePolicy(res.header, c.opts.Clock())
	changed := false
	if v := res.header.Get("ETag"); v != "" && v != e.ETag {
		e.ETag, changed = v, true
	}
	if v := res.header.Get("Last-Modified"); v != "" && v != e.LastModified {
		e.LastModified, changed = v, true
	}
	now := c.opts.Clock()
	e.Expires = expires
	if store && (changed || now.Sub(e.Stored) >= RestampAfter) {
		e.Stored = now
		c.cachePut(key, e)
	} else if store && expires.After(now) {
		c.refreshedMu.Lock()
		c.refreshed[key] = expires
		c.refreshedMu.Unlock()
	}
	return &response{url: e.URL, contentType: e.ContentType, body: e.body, unchanged: true}
}

// trusted reports whether e was fetched or revalidated less than trust
// ago. Stored says so because a 304 restamps an entry once it is
// RestampAfter old: with trust ≤ RestampAfter, an entry older than trust
// is revalidated and, at RestampAfter, restamped, so trust is renewed
// once per RestampAfter at the cost of one 304.
func trusted(e *cacheEntry, trust time.Duration, now time.Time) bool {
	return trust > 0 && !e.Stored.IsZero() && !now.Before(e.Stored) && now.Sub(e.Stored) < trust
}

// redactErr rewrites net/http's *url.Error, whose text carries the URL
// (with the user name even when net/http masks the password).
func redactErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s %s: %w", ue.Op, redact.URLs(ue.URL), ue.Err)
	}
	return err
}
