package osv

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/pinwheel-dev/pinwheel/buildinfo"
	"github.com/pinwheel-dev/pinwheel/internal/retry"
)

// ErrResponseTooLarge means a response body passed the client's size cap.
var ErrResponseTooLarge = errors.New("response too large")

// StatusError is an HTTP answer from OSV the client could not use.
type StatusError struct {
	Method     string
	URL        string
	StatusCode int
	// Message is OSV's own message from the error body ({"code": 3,
	// "message": "Invalid query."}), trimmed; "" when there is none.
	Message  string
	Attempts int
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("%s %s: %d %s", e.Method, e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.Attempts > 1 {
		msg += fmt.Sprintf(" (gave up after %d attempts)", e.Attempts)
	}
	return msg
}

const backoffBase = 500 * time.Millisecond

// call makes one OSV request, retrying network errors, 429 and 5xx.
//
// Both endpoints are reads: GET /v1/vulns/{id} is idempotent by HTTP's
// definition, and POST /v1/querybatch is a POST only to carry its query
// list in a body; it changes nothing on the server, so sending it again
// after a 5xx, a 429 or a dropped connection is as safe as a GET.
func (c *Client) call(ctx context.Context, method, url string, body []byte, limit int64) ([]byte, error) {
	for attempt := 1; ; attempt++ {
		status, header, resp, err := c.attempt(ctx, method, url, body, limit)
		var wait time.Duration
		switch {
		case err != nil && ctx.Err() != nil:
			return nil, ctx.Err()
		case err != nil && errors.Is(err, ErrResponseTooLarge):
			return nil, err
		case err != nil:
			if attempt > c.opts.MaxRetries {
				if attempt > 1 {
					err = fmt.Errorf("%w (gave up after %d attempts)", err, attempt)
				}
				return nil, err
			}
			wait = retry.Backoff(attempt, backoffBase, c.opts.MaxRetryWait)
		case status == http.StatusOK:
			return resp, nil
		case retry.Retryable(status) && attempt <= c.opts.MaxRetries:
			wait = retry.Backoff(attempt, backoffBase, c.opts.MaxRetryWait)
			if ra, ok := retry.After(header.Get("Retry-After"), c.opts.Clock()); ok {
				wait = min(ra, c.opts.MaxRetryWait)
			}
		default:
			return nil, &StatusError{Method: method, URL: url, StatusCode: status, Message: errorMessage(resp), Attempts: attempt}
		}
		c.log.WithField("url", url).WithField("attempt", attempt).WithField("wait", wait).Debug("OSV request failed; retrying")
		if err := c.opts.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// attempt makes one request. A non-200 answer comes back with at most
// 4 KiB of its body, for the error message.
func (c *Client) attempt(ctx context.Context, method, url string, body []byte, limit int64) (int, http.Header, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("%s %s: %w", method, url, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", buildinfo.UserAgent())
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.opts.HTTPClient.Do(req)
	if err != nil {
		return 0, nil, nil, err // *url.Error names the method and URL
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return resp.StatusCode, resp.Header, msg, nil
	}
	if resp.ContentLength > limit {
		return 0, nil, nil, fmt.Errorf("%s %s: %w: %d bytes, limit %d", method, url, ErrResponseTooLarge, resp.ContentLength, limit)
	}
	out, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("%s %s: read body: %w", method, url, err)
	}
	if int64(len(out)) > limit {
		return 0, nil, nil, fmt.Errorf("%s %s: %w: over %d bytes", method, url, ErrResponseTooLarge, limit)
	}
	return resp.StatusCode, resp.Header, out, nil
}

// errorMessage reads OSV's error body (grpc-gateway's {"code", "message"}),
// keeping a short single line of it.
func errorMessage(body []byte) string {
	var e struct {
		Message string `json:"message"`
	}
	msg := strings.TrimSpace(string(body))
	if json.Unmarshal(body, &e) == nil && e.Message != "" {
		msg = e.Message
	}
	msg = strings.Join(strings.Fields(msg), " ")
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return msg
}
