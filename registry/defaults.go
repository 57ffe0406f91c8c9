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
	// latency-bound until parsing takes the CPU: a cold check of 1,000 pins
	// at 100 ms per request took 9.1 s with 16 in flight, 3.0 s with 64,
	// 2.4 s with 128, and no less with 256 or 512 on 2 cores, where a weak
	// index also starts dropping connections (BenchmarkIndexConcurrency in
	// internal/fleetbench).
	DefaultConcurrency = 128
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
