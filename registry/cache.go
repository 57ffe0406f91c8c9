package registry

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Cache stores HTTP responses between lookups and runs. Keys and values
// are opaque to it. Implementations must be safe for concurrent use; a
// failing Cache is logged and treated as a miss, never fatal.
type Cache interface {
	// Get returns the value stored under key and whether there was one.
	Get(key string) ([]byte, bool, error)
	Put(key string, value []byte) error
}

// RestampAfter is how long a cache entry that keeps being revalidated (a
// 304) goes without being rewritten. A store that drops entries by age
// (state.Cache.Prune, a week in the daemon) must use a longer age.
const RestampAfter = 24 * time.Hour

// cacheEntry is what the client stores per URL and Accept header: enough
// to answer while fresh (RFC 9111 §4.2) and revalidate after (§4.3).
type cacheEntry struct {
	URL          string    `json:"url"` // after redirects, for relative links
	ContentType  string    `json:"content_type"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	Expires      time.Time `json:"expires"`
	// Stored is when the entry was last written; a 304 rewrites it at
	// most every RestampAfter.
	Stored time.Time `json:"stored,omitzero"`
	body   []byte
}

// cacheMagic prefixes stored values so a format change reads as a miss.
const cacheMagic = "pinwheel-http-v1\n"

func (e *cacheEntry) encode() []byte {
	meta, _ := json.Marshal(e)
	out := make([]byte, 0, len(cacheMagic)+len(meta)+1+len(e.body))
	out = append(out, cacheMagic...)
	out = append(out, meta...)
	out = append(out, '\n')
	return append(out, e.body...)
}

var errBadEntry = errors.New("unreadable cache entry")

func decodeEntry(b []byte) (*cacheEntry, error) {
	rest, ok := bytes.CutPrefix(b, []byte(cacheMagic))
	if !ok {
		return nil, errBadEntry
	}
	meta, body, ok := bytes.Cut(rest, []byte{'\n'})
	if !ok {
		return nil, errBadEntry
	}
	var e cacheEntry
	if err := json.Unmarshal(meta, &e); err != nil {
		return nil, errBadEntry
	}
	e.body = body
	return &e, nil
}

func cacheKey(accept, url string) string { return "GET " + url + "\nAccept: " + accept }

func (c *Client) cacheGet(key string) *cacheEntry {
	if c.opts.Cache == nil {
		return nil
	}
	b, ok, err := c.opts.Cache.Get(key)
	if err != nil {
		c.log.WithError(err).Warn("read HTTP cache; treating as a miss")
		return nil
	}
	if !ok {
		return nil
	}
	e, err := decodeEntry(b)
	if err != nil {
		c.log.WithError(err).Warn("read HTTP cache; treating as a miss")
		return nil
	}
	return e
}

func (c *Client) cachePut(key string, e *cacheEntry) {
	if c.opts.Cache == nil {
		return
	}
	if err := c.opts.Cache.Put(key, e.encode()); err != nil {
		c.log.WithError(err).Warn("write HTTP cache")
	}
}

// cachePolicy reads Cache-Control as a private cache (RFC 9111 §5.2.2):
// whether to store the response, and until when it is fresh. no-cache is
// stored but always revalidated.
func cachePolicy(h http.Header, now time.Time) (store bool, expires time.Time) {
	store, maxAge := true, -1
	for _, d := range strings.Split(h.Get("Cache-Control"), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(d), "=")
		switch strings.ToLower(k) {
		case "no-store":
			store = false
		case "no-cache":
			maxAge = 0
		case "max-age":
			if n, err := strconv.Atoi(strings.Trim(v, `"`)); err == nil && maxAge != 0 {
				maxAge = n
			}
		}
	}
	if maxAge <= 0 {
		return store, now
	}
	fresh := time.Duration(maxAge) * time.Second
	// A CDN's Age is time the response already spent cached (§4.2.3).
	if age, err := strconv.Atoi(h.Get("Age")); err == nil && age > 0 {
		fresh -= time.Duration(age) * time.Second
	}
	return store, now.Add(fresh)
}
