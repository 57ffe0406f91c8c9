package registry

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/indexsim"
)

func TestCacheFreshThenRevalidated(t *testing.T) {
	modes := []struct {
		name   string
		opts   indexsim.Options
		header func(indexsim.Request) string
	}{
		{"ETag", indexsim.Options{}, func(r indexsim.Request) string { return r.IfNoneMatch }},
		{"Last-Modified", indexsim.Options{LastModified: true, NoETag: true}, func(r indexsim.Request) string { return r.IfModSince }},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			clock := newFakeClock()
			m.opts.Clock = clock.Now
			sim := newSim(t, m.opts)
			publishFixture(sim)
			cache := newMemCache()
			c, _ := newClient(t, sim, func(o *Options) { o.Cache = cache; o.Clock = clock.Now })
			ctx := context.Background()
			first, err := c.Lookup(ctx, "zope-interface", "1.0")
			if err != nil {
				t.Fatal(err)
			}
			if n := sim.Requests(); n != 2 {
				t.Fatalf("cold lookup made %d requests, want 2", n)
			}

			// Within max-age (600 s simple, 900 s JSON API): no request at all.
			clock.Advance(599 * time.Second)
			sim.ResetCounters()
			again, err := c.Lookup(ctx, "zope-interface", "1.0")
			if err != nil || sim.Requests() != 0 || !reflect.DeepEqual(again, first) {
				t.Fatalf("fresh lookup: err=%v requests=%d same=%v", err, sim.Requests(), reflect.DeepEqual(again, first))
			}

			// Stale: conditional requests, answered 304 from the cache.
			clock.Advance(time.Hour)
			sim.ResetCounters()
			again, err = c.Lookup(ctx, "zope-interface", "1.0")
			if err != nil || !reflect.DeepEqual(again, first) {
				t.Fatalf("revalidated lookup: err=%v same=%v", err, reflect.DeepEqual(again, first))
			}
			if n, n304 := sim.Requests(), sim.Responses(http.StatusNotModified); n != 2 || n304 != 2 || sim.BytesServed() != 0 {
				t.Errorf("revalidation: %d requests, %d 304s, %d body bytes; want 2, 2, 0", n, n304, sim.BytesServed())
			}
			for _, r := range sim.Log() {
				if m.header(r) == "" {
					t.Errorf("%s sent no validator", r.Path)
				}
			}

			// The 304 refreshed max-age: fresh again, no request.
			sim.ResetCounters()
			if _, err := c.Lookup(ctx, "zope-interface", "1.0"); err != nil || sim.Requests() != 0 {
				t.Errorf("after 304: err=%v requests=%d, want fresh", err, sim.Requests())
			}

			// A change on the index shows once the entry is stale.
			clock.Advance(time.Second) // Last-Modified has 1 s resolution
			sim.AddRelease("zope.interface", "3.0")
			clock.Advance(time.Hour)
			p, err := c.Lookup(ctx, "zope-interface", "1.0")
			if err != nil || len(p.Releases) != 6 {
				t.Errorf("after a new release: err=%v versions=%v", err, versions(p))
			}
		})
	}
}

func TestCachePolicy(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		cacheControl, age string
		store             bool
		fresh             time.Duration
	}{
		{"max-age=600, public", "", true, 600 * time.Second},
		{"max-age=600, public", "100", true, 500 * time.Second},
		{"public, max-age=900", "", true, 900 * time.Second},
		{"no-cache", "", true, 0},
		{"max-age=600, no-cache", "", true, 0},
		{"no-store", "", false, 0},
		{"", "", true, 0},
	}
	for _, tt := range tests {
		h := http.Header{}
		h.Set("Cache-Control", tt.cacheControl)
		if tt.age != "" {
			h.Set("Age", tt.age)
		}
		store, expires := cachePolicy(h, now)
		if store != tt.store || expires.Sub(now) != tt.fresh {
			t.Errorf("%q age %q: store=%v fresh=%v, want %v %v", tt.cacheControl, tt.age, store, expires.Sub(now), tt.store, tt.fresh)
		}
	}
}

// brokenCache fails every call, or returns garbage.
type brokenCache struct{ garbage bool }

func (c brokenCache) Get(string) ([]byte, bool, error) {
	if c.garbage {
		return []byte("not an entry"), true, nil
	}
	return nil, false, errors.New("disk on fire")
}
func (brokenCache) Put(string, []byte) error { return errors.New("disk on fire") }

func TestBrokenCacheIsAMiss(t *testing.T) {
	for _, cache := range []Cache{brokenCache{}, brokenCache{garbage: true}} {
		sim := newSim(t, indexsim.Options{})
		publishFixture(sim)
		c, _ := newClient(t, sim, func(o *Options) { o.Cache = cache })
		p, err := c.Lookup(context.Background(), "zope-interface", "1.0")
		if err != nil || len(p.Releases) != 5 {
			t.Errorf("%+v: err=%v", cache, err)
		}
	}
}

func TestCacheKeysCarryNoCredentials(t *testing.T) {
	sim := newSim(t, indexsim.Options{})
	publishFixture(sim)
	sim.RequireAuth("bob", "hunter2")
	cache := newMemCache()
	c, _ := newClient(t, sim, func(o *Options) {
		o.IndexURL = strings.Replace(sim.IndexURL(), "http://", "http://bob:hunter2@", 1)
		o.Cache = cache
	})
	if _, err := c.Lookup(context.Background(), "zope-interface", "1.0"); err != nil {
		t.Fatal(err)
	}
	if len(cache.m) != 2 {
		t.Errorf("cache has %d entries, want 2", len(cache.m))
	}
	for k, v := range cache.m {
		if strings.Contains(k, "hunter2") || strings.Contains(string(v), "hunter2") {
			t.Errorf("cache entry %q holds the password", k)
		}
	}
}
