package registry

import (
	"strings"
	"time"
)

// The defaults of Options' zero values; the config package shows and
// reuses them, so they live here only.
const (
	// DefaultIndexURL is PyPI's simple API, pip's default --index-url.
	DefaultIndexURL = "https://pypi.org/simple"
	// DefaultConcurrency bounds requests in flight. Look-ups are
	// latency-bound: 300 pins take 600 requests, about 1 s at 100 ms each
	// with 64 in flight and 4 s with 16.
	DefaultConcurrency = 64
	// DefaultTimeout bounds each request attempt, body included.
	DefaultTimeout = 30 * time.Second
	// DefaultRetries is how many times a request is retried after a 429,
	// a 5xx or a network error.
	DefaultRetries = 4
)

// JSONAPIFor finds PyPI's JSON API next to its simple API: the JSON API
// lives at /pypi where the simple API lives at /simple. Other indexes have
// no JSON API pinwheel could guess, so they get "".
func JSONAPIFor(indexURL string) string {
	if root, ok := strings.CutSuffix(strings.TrimRight(indexURL, "/"), "/simple"); ok {
		return root + "/pypi"
	}
	return ""
}
