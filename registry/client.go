// Package registry is pinwheel's client for a Python package index: given a
// pinned project it returns the releases the index lists (files, hashes,
// yanked marks, Requires-Python, upload times), plus the project's links and
// the pinned version's known vulnerabilities when the index also serves
// PyPI's JSON API.
//
// It speaks the simple repository API
// (https://packaging.python.org/specifications/simple-repository-api/),
// preferring PEP 691 JSON and falling back to PEP 503 HTML, and PyPI's JSON
// API (https://docs.pypi.org/api/json/). It bounds concurrent requests,
// retries throttling and server errors with backoff, and keeps an HTTP cache
// (ETag, Last-Modified, max-age) in a caller-supplied Cache. Lookups
// memoises one run's answers so projects that share packages share the
// requests.
//
// It decides nothing: which release to offer, and whether a yanked or too
// new release counts, is the update policy's business.
package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/pinwheel-dev/pinwheel/internal/discard"
	"github.com/pinwheel-dev/pinwheel/internal/redact"
	"github.com/pinwheel-dev/pinwheel/internal/retry"
	"github.com/pinwheel-dev/pinwheel/pkgname"
)

// NoJSONAPI, as Options.JSONAPIURL, turns the JSON API off.
const NoJSONAPI = "-"

// ErrNotFound means the index has no such project.
var ErrNotFound = errors.New("project not found on the index")

// ErrResponseTooLarge means a response exceeded Options.MaxResponseBytes.
var ErrResponseTooLarge = errors.New("response too large")

// Options configure a Client. The zero value talks to PyPI.
type Options struct {
	// IndexURL is the simple API's base, like pip's --index-url.
	IndexURL string
	// JSONAPIURL is the PyPI JSON API's base. Empty derives it from
	// IndexURL (JSONAPIFor); NoJSONAPI turns it off.
	JSONAPIURL string
	// Concurrency bounds requests in flight across all lookups; default
	// DefaultConcurrency.
	Concurrency int
	// Timeout bounds each request attempt, body included; default
	// DefaultTimeout.
	Timeout time.Duration
	// MaxRetries is how many times a request is retried after a 429, a 5xx
	// or a network error; default DefaultRetries, negative for none.
	MaxRetries int
	// MaxRetryWait caps one wait between attempts, Retry-After included;
	// default 30s.
	MaxRetryWait time.Duration
	// MaxResponseBytes caps a response body; default 64 MiB.
	MaxResponseBytes int64
	// Cache keeps responses between runs; nil means no caching.
	Cache Cache
	// Clock is the time source for cache freshness; default time.Now.
	Clock func() time.Time
	// Sleep waits between retries; default a timer that respects ctx.
	Sleep func(ctx context.Context, d time.Duration) error
	// HTTPClient sends the requests; default one with a connection pool
	// sized to Concurrency.
	HTTPClient *http.Client
	// Username and Password are HTTP Basic credentials for the index. They
	// never appear in errors or logs.
	Username string
	Password string
	// Logger receives retries and cache failures; default discards.
	Logger logrus.FieldLogger
}

// Client looks projects up on one index. It is safe for concurrent use.
type Client struct {
	opts       Options
	jsonAPI    string
	authOrigin string // credentials go to the index's origin only
	slots      chan struct{}
	log        logrus.FieldLogger

	// refreshed holds the freshness a 304 renewed, by cache key, so the
	// stored entry need not be rewritten (see revalidated).
	refreshedMu sync.Mutex
	refreshed   map[string]time.Time
}

// New checks opts and fills in defaults.
func New(opts Options) (*Client, error) {
	if opts.IndexURL == "" {
		opts.IndexURL = DefaultIndexURL
	}
	opts.IndexURL = strings.TrimRight(opts.IndexURL, "/")
	index, err := url.Parse(opts.IndexURL)
	if err != nil || (index.Scheme != "http" && index.Scheme != "https") || index.Host == "" {
		return nil, fmt.Errorf("index URL %q: not an http(s) URL", redact.URLs(opts.IndexURL))
	}
	jsonAPI := opts.JSONAPIURL
	switch {
	case jsonAPI == NoJSONAPI:
		jsonAPI = ""
	case jsonAPI == "":
		jsonAPI = JSONAPIFor(opts.IndexURL)
	default:
		jsonAPI = strings.TrimRight(jsonAPI, "/")
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = DefaultRetries
	} else if opts.MaxRetries < 0 {
		opts.MaxRetries = 0
	}
	if opts.MaxRetryWait <= 0 {
		opts.MaxRetryWait = 30 * time.Second
	}
	if opts.MaxResponseBytes <= 0 {
		opts.MaxResponseBytes = 64 << 20
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = retry.Sleep
	}
	if opts.HTTPClient == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = opts.Concurrency
		opts.HTTPClient = &http.Client{Transport: t}
	}
	opts.HTTPClient = withoutForeignAuth(opts.HTTPClient, origin(index))
	log := opts.Logger
	if log == nil {
		log = discard.Logger()
	}
	return &Client{
		opts:       opts,
		jsonAPI:    jsonAPI,
		authOrigin: origin(index),
		slots:      make(chan struct{}, opts.Concurrency),
		log:        log,
		refreshed:  map[string]time.Time{},
	}, nil
}

// Lookup returns what the index knows about project name, links and
// vulnerabilities included, in one call (for one pin; a run over many
// calls Releases, then Details for the pins with an update). version is
// the pinned version: its vulnerabilities fill Project.Vulnerabilities, and it
// may be "" when there is no pin. A project the index does not have is
// ErrNotFound.
//
// The simple API request and the JSON API request for the pinned version
// run in parallel. A JSON API 404, or an answer that is not JSON, is not
// an error (the index may not know the version, or serve no JSON API): the
// project just has no links or vulnerabilities. Lookup cannot tell those
// missing from none; a run uses Details, whose Missing does.
func (c *Client) Lookup(ctx context.Context, name, version string) (*Project, error) {
	if !pkgname.Valid(name) {
		return nil, fmt.Errorf("look up %q: not a valid project name", name)
	}
	norm := pkgname.Normalize(name)
	var (
		wg      sync.WaitGroup
		info    *releaseJSON
		infoErr error
	)
	if c.jsonAPI != "" && version != "" {
		wg.Add(1)
		go func() {
			defer wg.Done()
			info, infoErr = c.releaseJSON(ctx, norm, version, 0)
			if noJSONAnswer(infoErr) {
				info, infoErr = nil, nil
			}
		}()
	}
	p, _, err := c.simple(ctx, norm)
	wg.Wait()
	if err != nil {
		return nil, fmt.Errorf("look up %s: %w", name, err)
	}
	if infoErr != nil {
		return nil, fmt.Errorf("look up %s %s in the JSON API: %w", name, version, infoErr)
	}
	if info != nil {
		p.Links = info.links
		p.Vulnerabilities = info.vulns
	}
	// When the version endpoint 404s, the index most likely serves no JSON
	// API at all (devpi, Artifactory): don't ask it for the project too.
	jsonAPIAnswered := version == "" || info != nil
	if c.jsonAPI != "" && jsonAPIAnswered && !hasUploadTimes(p) {
		times, err := c.uploadTimes(ctx, norm, 0)
		if err != nil {
			return nil, fmt.Errorf("look up %s upload times in the JSON API: %w", name, err)
		}
		applyUploadTimes(p, times)
	}
	return p, nil
}
