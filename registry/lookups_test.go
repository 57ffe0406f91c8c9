package registry

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/indexsim"
)

// A 304 answers from the stored entry without writing it back, except
// once a day so an age-based prune sees the entry is still in use.
func TestRevalidationDoesNotRewriteTheEntry(t *testing.T) {
	clock := newFakeClock()
	sim := newSim(t, indexsim.Options{Clock: clock.Now})
	publishFixture(sim)
	cache := newMemCache()
	c, _ := newClient(t, sim, func(o *Options) { o.Cache = cache; o.Clock = clock.Now })
	ctx := context.Background()
	if _, err := c.Releases(ctx, "zope-interface"); err != nil {
		t.Fatal(err)
	}
	puts := func() int { cache.mu.Lock(); defer cache.mu.Unlock(); return cache.puts }
	if puts() != 1 {
		t.Fatalf("cold look-up stored %d entries, want 1", puts())
	}
	steps := []struct {
		advance  time.Duration
		wantPuts int
	}{
		{time.Hour, 1},      // stale: 304, nothing written
		{time.Hour, 1},      // again
		{22 * time.Hour, 2}, // a day since it was stored: restamped once
		{time.Hour, 2},
	}
	for i, s := range steps {
		clock.Advance(s.advance)
		sim.ResetCounters()
		if _, err := c.Releases(ctx, "zope-interface"); err != nil {
			t.Fatal(err)
		}
		if sim.Responses(http.StatusNotModified) != 1 {
			t.Errorf("step %d: %d 304s, want 1", i, sim.Responses(http.StatusNotModified))
		}
		if got := puts(); got != s.wantPuts {
			t.Errorf("step %d: %d cache writes, want %d", i, got, s.wantPuts)
		}
	}
}

// Many projects asking for the same packages at once share one request
// per page, and the JSON API is asked only through Details.
func TestLookupsShareOneRequestPerPage(t *testing.T) {
	sim := newSim(t, indexsim.Options{})
	publishFixture(sim)
	c, _ := newClient(t, sim, nil)
	l := c.NewLookups()
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if _, err := l.Releases(ctx, "Zope.Interface"); err != nil {
				t.Error(err)
			}
			if _, err := l.Details(ctx, "zope-interface", "1.0"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	simple, jsonAPI := 0, 0
	for _, r := range sim.Log() {
		if r.Path == "/simple/zope-interface/" {
			simple++
		} else {
			jsonAPI++
		}
	}
	if simple != 1 || jsonAPI != 1 {
		t.Errorf("50 callers: %d page requests and %d JSON API requests, want 1 and 1 (%v)", simple, jsonAPI, sim.Log())
	}
}

// A caller that gives up does not leave its cancellation for the others.
func TestLookupsForgetACancelledLookup(t *testing.T) {
	sim := newSim(t, indexsim.Options{})
	publishFixture(sim)
	c, _ := newClient(t, sim, nil)
	l := c.NewLookups()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.Releases(cancelled, "zope-interface"); err == nil {
		t.Fatal("cancelled look-up succeeded")
	}
	if p, err := l.Releases(context.Background(), "zope-interface"); err != nil || len(p.Releases) == 0 {
		t.Errorf("next look-up: %v, %v", p, err)
	}
}
