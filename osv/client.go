// Package osv reads vulnerability data for pinned PyPI packages from OSV
// (https://osv.dev), the database the Python Packaging Advisory Database
// feeds.
//
// One Check asks about all pins of a run: one POST /v1/querybatch for up to
// BatchSize pins (OSV's servers take at most 1000 queries a batch), paged by
// next_page_token per query, which returns only the ids and modified times
// of the advisories; then GET /v1/vulns/{id} for each record not already in
// the Cache with the same modified time. Records are returned per pin as
// Advisory values, holding only the parts that concern the pin's package.
//
// The package owns the HTTP exchange and the reading of OSV records. It
// does not decide which advisories affect a version or which release fixes
// them (package plan does), nor where the cache lives (package state
// provides one). A bad record fails that advisory of that pin; only a
// querybatch that cannot be read fails the whole Check.
//
// API reference: google/osv.dev docs/api/post-v1-querybatch.md and
// get-v1-vulns.md; records follow https://ossf.github.io/osv-schema/.
package osv

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/pinwheel-dev/pinwheel/internal/discard"
	"github.com/pinwheel-dev/pinwheel/internal/retry"
)

// DefaultURL is OSV's public API.
const DefaultURL = "https://api.osv.dev"

// DefaultBatchSize is the number of queries sent in one querybatch: OSV's
// server refuses more than 1000 ("Too many queries.", gcp/api/server.py
// _MAX_BATCH_QUERY), a limit its docs do not state. A run of up to 1000
// distinct pins therefore costs one querybatch call (plus one per page).
const DefaultBatchSize = 1000

// Cache stores full OSV records by id, each with the modified time it was
// stored under. Package state's OSVCache implements it. A record is reused
// only while OSV reports the same modified time for its id.
type Cache interface {
	// GetRecord returns the record stored for id and when it was last
	// stored; ok is false when none is.
	GetRecord(id string) (modified string, body []byte, stored time.Time, ok bool, err error)
	// PutRecord stores body as the record of id at modified, stamped with
	// the store's time.
	PutRecord(id, modified string, body []byte) error
}

// RestampAfter is how long a record that keeps being reused from the Cache
// goes without being rewritten: a Check stores it again once it is older,
// so its stored time says it is still in use. A store that drops records
// by age (state.OSVCache.Prune, a week in the daemon) must use a longer
// age.
const RestampAfter = 24 * time.Hour

// Options configure a Client. Zero values take the defaults given.
type Options struct {
	// URL is the API root ("https://api.osv.dev"), without /v1.
	URL        string
	HTTPClient *http.Client
	// Timeout bounds one request (default 30s).
	Timeout time.Duration
	// MaxRetries is how often a failed request is retried (default 4;
	// negative means none).
	MaxRetries int
	// MaxRetryWait caps one wait between retries, Retry-After included
	// (default 30s).
	MaxRetryWait time.Duration
	// MaxResponseBytes caps a querybatch response (default 32 MiB, OSV's own
	// cap over HTTP/1.1).
	MaxResponseBytes int64
	// MaxRecordBytes caps one record from /v1/vulns (default 4 MiB; OSV's
	// PyPI records are a few KiB).
	MaxRecordBytes int64
	// BatchSize is the number of queries per querybatch (default 1000).
	BatchSize int
	// MaxPages bounds the pages followed for one query (default 100), so a
	// server that keeps sending tokens cannot hold a run.
	MaxPages int
	// Concurrency is the number of record fetches in flight (default 8).
	Concurrency int
	// Cache, when set, keeps records between runs.
	Cache Cache
	// Clock reads Retry-After dates (default time.Now).
	Clock func() time.Time
	// Sleep waits between retries (default a timer that respects ctx).
	Sleep  func(ctx context.Context, d time.Duration) error
	Logger logrus.FieldLogger
}

// Client asks OSV about pins. It is safe for concurrent use.
type Client struct {
	opts Options
	base string
	log  logrus.FieldLogger
}

// New returns a Client for opts.URL.
func New(opts Options) (*Client, error) {
	base := strings.TrimSuffix(opts.URL, "/")
	if base == "" {
		base = DefaultURL
	}
	if !strings.HasPrefix(base, "http://") && !strings.HasPrefix(base, "https://") {
		return nil, fmt.Errorf("OSV URL %q is not an http or https URL", opts.URL)
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = http.DefaultClient
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = 4
	} else if opts.MaxRetries < 0 {
		opts.MaxRetries = 0
	}
	if opts.MaxRetryWait <= 0 {
		opts.MaxRetryWait = 30 * time.Second
	}
	if opts.MaxResponseBytes <= 0 {
		opts.MaxResponseBytes = 32 << 20
	}
	if opts.MaxRecordBytes <= 0 {
		opts.MaxRecordBytes = 4 << 20
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if opts.MaxPages <= 0 {
		opts.MaxPages = 100
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 8
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = retry.Sleep
	}
	log := opts.Logger
	if log == nil {
		log = discard.Logger()
	}
	return &Client{opts: opts, base: base, log: log}, nil
}

// Pin is one pinned package to ask about: the name as the constraints
// file writes it and the pinned version.
type Pin struct {
	Name    string
	Version string
}

// Result is what OSV knows about one pin.
type Result struct {
	Pin Pin
	// Advisories are the records OSV lists for the pin's version, sorted by
	// id, each without duplicates. OSV lists a record when it believes the
	// version affected; package plan checks that against the ranges.
	Advisories []Advisory
	// Errors are the advisories (or the whole query) that could not be
	// read, each naming what failed. A pin with Errors has incomplete data:
	// treat it as "unknown", never as "not vulnerable".
	Errors []error
}

// Stats counts the requests one Check made.
type Stats struct {
	// QueryBatchCalls is the number of POST /v1/querybatch calls, pages
	// included, retries not.
	QueryBatchCalls int
	// RecordFetches is the number of records fetched (GET /v1/vulns/{id}).
	RecordFetches int
	// CacheHits is the number of records taken from the Cache.
	CacheHits int
	// Restamps is the number of those stored again, being older than
	// RestampAfter.
	Restamps int
}

// Report is the outcome of Check.
type Report struct {
	// Results has one entry per pin, in the order given.
	Results []Result
	Stats   Stats
}

// Check asks OSV about pins: querybatch for all of them, then the records
// not in the cache. The error is non-nil only when no security data could
// be had at all (OSV unreachable or answering nonsense to the querybatch,
// or ctx ended): the run should go on without it and say so.
func (c *Client) Check(ctx context.Context, pins []Pin) (*Report, error) {
	rep := &Report{Results: make([]Result, len(pins))}
	// Pins with the same package and version share one query.
	index := map[queryKey]int{}
	var queries []query
	owner := make([]int, len(pins)) // pin -> query, -1 for none
	for i, p := range pins {
		rep.Results[i].Pin = p
		owner[i] = -1
		if err := checkPin(p); err != nil {
			rep.Results[i].Errors = append(rep.Results[i].Errors, err)
			continue
		}
		k := keyOf(p)
		q, ok := index[k]
		if !ok {
			q = len(queries)
			index[k] = q
			queries = append(queries, query{pin: p})
		}
		owner[i] = q
	}
	if err := c.queryAll(ctx, queries, &rep.Stats); err != nil {
		return nil, err
	}
	records, err := c.records(ctx, queries, &rep.Stats)
	if err != nil {
		return nil, err
	}
	for i := range pins {
		if owner[i] < 0 {
			continue
		}
		q := &queries[owner[i]]
		res := &rep.Results[i]
		res.Errors = append(res.Errors, q.errs...)
		for _, id := range q.ids {
			rec := records[id]
			if rec.err != nil {
				res.Errors = append(res.Errors, fmt.Errorf("advisory %s: %w", id, rec.err))
				continue
			}
			a, err := parseRecord(rec.body, id, q.pin.Name)
			if err != nil {
				res.Errors = append(res.Errors, fmt.Errorf("advisory %s for %s: %w", id, q.pin.Name, err))
				continue
			}
			res.Advisories = append(res.Advisories, a)
		}
		sort.Slice(res.Advisories, func(i, j int) bool { return res.Advisories[i].ID < res.Advisories[j].ID })
	}
	return rep, nil
}

func checkPin(p Pin) error {
	switch {
	case strings.TrimSpace(p.Name) == "":
		return errors.New("look up vulnerabilities: no package name")
	case strings.TrimSpace(p.Version) == "":
		return fmt.Errorf("look up vulnerabilities of %s: no version", p.Name)
	}
	return nil
}
