package osv

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sync"
	"time"

	"github.com/pinwheel-dev/pinwheel/pkgname"
)

type queryKey struct{ name, version string }

func keyOf(p Pin) queryKey { return queryKey{pkgname.Normalize(p.Name), p.Version} }

// query is one distinct pin on its way through the batch.
type query struct {
	pin  Pin
	ids  []string // advisory ids in the order listed, without duplicates
	seen map[string]bool
	// modified is the modified time OSV listed for each id.
	modified map[string]string
	token    string // next_page_token to send, "" when done
	pages    int
	errs     []error
}

// The wire shapes of POST /v1/querybatch.
type batchRequest struct {
	Queries []batchQuery `json:"queries"`
}

type batchQuery struct {
	Package   batchPackage `json:"package"`
	Version   string       `json:"version"`
	PageToken string       `json:"page_token,omitempty"`
}

type batchPackage struct {
	Name      string `json:"name"`
	Ecosystem string `json:"ecosystem"`
}

type batchResponse struct {
	Results []struct {
		Vulns []struct {
			ID       string `json:"id"`
			Modified string `json:"modified"`
		} `json:"vulns"`
		NextPageToken string `json:"next_page_token"`
	} `json:"results"`
}

// validID admits OSV's id shapes (PYSEC-2023-1, GHSA-xxxx-xxxx-xxxx,
// CVE-…, OSV-…): nothing that could step out of /v1/vulns/ in a URL.
var validID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`)

// queryAll runs the querybatch calls: the queries in chunks of BatchSize,
// and within a chunk, again with page_token, only the queries that came
// back with a next_page_token (as post-v1-querybatch.md's Pagination says).
func (c *Client) queryAll(ctx context.Context, queries []query, st *Stats) error {
	for start := 0; start < len(queries); start += c.opts.BatchSize {
		chunk := queries[start:min(start+c.opts.BatchSize, len(queries))]
		pending := make([]*query, len(chunk))
		for i := range chunk {
			pending[i] = &chunk[i]
		}
		for len(pending) > 0 {
			next, err := c.batch(ctx, pending, st)
			if err != nil {
				return err
			}
			pending = next
		}
	}
	return nil
}

// batch sends one querybatch for pending and returns the queries that
// still have pages to fetch.
func (c *Client) batch(ctx context.Context, pending []*query, st *Stats) ([]*query, error) {
	req := batchRequest{Queries: make([]batchQuery, len(pending))}
	for i, q := range pending {
		req.Queries[i] = batchQuery{
			// OSV matches PyPI names in PEP 503 normal form; sending that
			// form keeps the query independent of how the file spells it.
			Package:   batchPackage{Name: pkgname.Normalize(q.pin.Name), Ecosystem: Ecosystem},
			Version:   q.pin.Version,
			PageToken: q.token,
		}
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("encode querybatch: %w", err)
	}
	u := c.base + "/v1/querybatch"
	st.QueryBatchCalls++
	raw, err := c.call(ctx, http.MethodPost, u, body, c.opts.MaxResponseBytes)
	if err != nil {
		return nil, fmt.Errorf("query OSV for %d packages: %w", len(pending), err)
	}
	var resp batchResponse
	if err := json.Unmarshal(raw, &resp); err != nil {
		return nil, fmt.Errorf("query OSV for %d packages: POST %s: not a querybatch response: %w", len(pending), u, err)
	}
	if len(resp.Results) != len(pending) {
		return nil, fmt.Errorf("query OSV for %d packages: POST %s: %d results for %d queries", len(pending), u, len(resp.Results), len(pending))
	}
	var next []*query
	for i, r := range resp.Results {
		q := pending[i]
		if q.seen == nil {
			q.seen = map[string]bool{}
		}
		for _, v := range r.Vulns {
			if !validID.MatchString(v.ID) {
				q.errs = append(q.errs, fmt.Errorf("look up vulnerabilities of %s %s: OSV listed an advisory with id %q", q.pin.Name, q.pin.Version, v.ID))
				continue
			}
			if q.seen[v.ID] {
				continue
			}
			q.seen[v.ID] = true
			q.ids = append(q.ids, v.ID)
			if q.modified == nil {
				q.modified = map[string]string{}
			}
			q.modified[v.ID] = v.Modified
		}
		q.pages++
		switch tok := r.NextPageToken; {
		case tok == "":
			q.token = ""
		case tok == q.token:
			q.errs = append(q.errs, fmt.Errorf("look up vulnerabilities of %s %s: OSV sent the same page token twice; the list may be incomplete", q.pin.Name, q.pin.Version))
			q.token = ""
		case q.pages >= c.opts.MaxPages:
			q.errs = append(q.errs, fmt.Errorf("look up vulnerabilities of %s %s: more than %d pages; the list is incomplete", q.pin.Name, q.pin.Version, c.opts.MaxPages))
			q.token = ""
		default:
			q.token = tok
			next = append(next, q)
		}
	}
	return next, nil
}

// record is one fetched (or cached) OSV record, or why it is missing.
type record struct {
	body []byte
	err  error
}

// records gets the full record of every id the queries list: from the
// cache when it holds the id at the modified time OSV listed, otherwise
// from GET /v1/vulns/{id}, Concurrency at a time.
func (c *Client) records(ctx context.Context, queries []query, st *Stats) (map[string]record, error) {
	listed := map[string]string{} // id -> modified
	var order []string
	for i := range queries {
		for _, id := range queries[i].ids {
			m := queries[i].modified[id]
			prev, ok := listed[id]
			switch {
			case !ok:
				listed[id] = m
				order = append(order, id)
			case !sameModified(prev, m):
				listed[id] = "" // OSV disagrees with itself: fetch afresh
			}
		}
	}
	out := make(map[string]record, len(order))
	var fetch []string
	var restamp []cachedRecord
	for _, id := range order {
		if rec, ok := c.cached(id, listed[id]); ok {
			out[id] = record{body: rec.body}
			st.CacheHits++
			if c.opts.Clock().Sub(rec.stored) >= RestampAfter {
				restamp = append(restamp, rec)
			}
			continue
		}
		fetch = append(fetch, id)
	}
	c.restamp(restamp)
	st.Restamps += len(restamp)
	var mu sync.Mutex
	forEach(ctx, c.opts.Concurrency, fetch, func(id string) {
		rec := c.fetch(ctx, id)
		mu.Lock()
		out[id] = rec
		mu.Unlock()
	})
	st.RecordFetches += len(fetch)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("fetch OSV records: %w", err)
	}
	return out, nil
}

// cachedRecord is a record the Cache holds at the modified time listed.
type cachedRecord struct {
	id, modified string
	body         []byte
	stored       time.Time
}

func (c *Client) cached(id, modified string) (cachedRecord, bool) {
	if c.opts.Cache == nil || modified == "" {
		return cachedRecord{}, false
	}
	m, body, stored, ok, err := c.opts.Cache.GetRecord(id)
	if err != nil {
		c.log.WithField("advisory", id).WithError(err).Warn("read OSV record from the cache; fetching it")
		return cachedRecord{}, false
	}
	if !ok || !sameModified(m, modified) {
		return cachedRecord{}, false
	}
	return cachedRecord{id: id, modified: m, body: body, stored: stored}, true
}

// restamp stores reused records again, Concurrency at a time so that the
// store can group the writes (bbolt's Batch), so that pruning by age keeps
// them. A failure is logged: the record was read all the same.
func (c *Client) restamp(recs []cachedRecord) {
	forEach(context.Background(), c.opts.Concurrency, recs, func(r cachedRecord) {
		if err := c.opts.Cache.PutRecord(r.id, r.modified, r.body); err != nil {
			c.log.WithField("advisory", r.id).WithError(err).Warn("restamp OSV record in the cache")
		}
	})
}

// forEach calls f on the items, n at a time, and returns once every call
// started has returned; once ctx is done it starts no more.
func forEach[T any](ctx context.Context, n int, items []T, f func(T)) {
	var wg sync.WaitGroup
	jobs := make(chan T)
	for range min(n, len(items)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range jobs {
				f(it)
			}
		}()
	}
	for _, it := range items {
		select {
		case jobs <- it:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(jobs)
	wg.Wait()
}

// fetch gets one record and caches it when it is the record asked for.
func (c *Client) fetch(ctx context.Context, id string) record {
	u := c.base + "/v1/vulns/" + url.PathEscape(id)
	body, err := c.call(ctx, http.MethodGet, u, nil, c.opts.MaxRecordBytes)
	if err != nil {
		return record{err: err}
	}
	var head struct {
		ID       string `json:"id"`
		Modified string `json:"modified"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return record{err: fmt.Errorf("GET %s: not an OSV record: %w", u, err)}
	}
	if head.ID != id {
		return record{err: fmt.Errorf("GET %s: the record has id %q", u, head.ID)}
	}
	// Cached under the record's own modified time (a record without one
	// breaks the schema, and fails when read): querybatch lists the same
	// time unless the record changed between the two calls.
	if c.opts.Cache != nil && head.Modified != "" {
		if err := c.opts.Cache.PutRecord(id, head.Modified, body); err != nil {
			c.log.WithField("advisory", id).WithError(err).Warn("store OSV record in the cache")
		}
	}
	return record{body: body}
}
