package metrics

import (
	"net/http"
	"strconv"
)

// Transport wraps base (http.DefaultTransport when nil) so that every
// request through it counts as a GitLab API call to its Endpoint, and as
// an error when no response came back or the status is 400 or above.
// With m nil it returns base unchanged.
//
// client-go retries through the same transport
// (gitlab.WithHTTPClient(&http.Client{Transport: metrics.Transport(…)})),
// so each attempt is counted: a 429 retried twice is three calls and three
// errors, which is what the GitLab instance saw.
func Transport(base http.RoundTripper, m *Metrics) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	if m == nil {
		return base
	}
	return &transport{base: base, m: m}
}

type transport struct {
	base http.RoundTripper
	m    *Metrics
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	status := ""
	switch {
	case err != nil:
		status = "transport"
	case resp.StatusCode >= http.StatusBadRequest:
		status = strconv.Itoa(resp.StatusCode)
	}
	t.m.observeAPI(Endpoint(req.Method, req.URL.EscapedPath()), status)
	return resp, err
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach base.
func (t *transport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
