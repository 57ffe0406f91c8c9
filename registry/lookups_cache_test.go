package registry

import (
	"context"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/indexsim"
)

// A run whose project page answers 304 takes the pinned version's details
// (and, where the page has none, the upload times) from the cached JSON
// API answer without a request, and gets the same data; a page that
// changed, or a cached answer a day old, asks the JSON API again.
func TestLookupsTakeUnchangedDetailsFromTheCache(t *testing.T) {
	vuln := func(id string) indexsim.Vulnerability {
		return indexsim.Vulnerability{ID: id, Summary: "bad " + id, Link: "https://osv.dev/" + id, FixedIn: []string{"2.0"}}
	}
	modes := []struct {
		name string
		opts indexsim.Options
		// jsonPerAsk is the JSON API requests a look-up makes when it
		// asks: the release, and the project for upload times when the
		// page has none.
		jsonPerAsk int
	}{
		{"PEP 691 JSON 1.1", indexsim.Options{}, 1},
		{"PEP 691 JSON 1.0, upload times from the JSON API", indexsim.Options{SimpleAPIVersion: "1.0"}, 2},
	}
	steps := []struct {
		name       string
		advance    time.Duration
		change     func(*indexsim.Server)
		pageStatus int
		asks       bool // whether the JSON API is asked
		vulns      []string
	}{
		{"cold", 0, nil, http.StatusOK, true, []string{"PYSEC-1"}},
		{"an hour later, nothing new", time.Hour, nil, http.StatusNotModified, false, []string{"PYSEC-1"}},
		{"a new advisory changes the page", time.Hour, func(s *indexsim.Server) { s.AddVulnerability("Zope.Interface", "1.1", vuln("PYSEC-2")) },
			http.StatusOK, true, []string{"PYSEC-1", "PYSEC-2"}},
		{"an hour later, nothing new again", time.Hour, nil, http.StatusNotModified, false, []string{"PYSEC-1", "PYSEC-2"}},
		{"the cached answer is a day old: revalidated", 25 * time.Hour, nil, http.StatusNotModified, true, []string{"PYSEC-1", "PYSEC-2"}},
		{"and trusted for another day", time.Hour, nil, http.StatusNotModified, false, []string{"PYSEC-1", "PYSEC-2"}},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			clock := newFakeClock()
			m.opts.Clock = clock.Now
			sim := newSim(t, m.opts)
			publishFixture(sim)
			sim.SetProjectURLs("Zope.Interface", map[string]string{"Changelog": "https://example.org/changes"})
			sim.AddVulnerability("Zope.Interface", "1.1", vuln("PYSEC-1"))
			cache := newMemCache()
			c, _ := newClient(t, sim, func(o *Options) {
				o.JSONAPIURL, o.Cache, o.Clock = sim.JSONAPIURL(), cache, clock.Now
			})
			ctx := context.Background()
			var first Details
			var firstTimes map[string]time.Time
			for i, s := range steps {
				clock.Advance(s.advance)
				if s.change != nil {
					s.change(sim)
				}
				sim.ResetCounters()
				l := c.NewLookups() // one per run, as the scheduler does
				p, err := l.Releases(ctx, "zope-interface")
				if err != nil {
					t.Fatalf("%s: %v", s.name, err)
				}
				d, err := l.Details(ctx, "zope-interface", "1.1")
				if err != nil {
					t.Fatalf("%s: %v", s.name, err)
				}
				var pages []int
				jsonAPI := 0
				for _, r := range sim.Log() {
					if r.Path == "/simple/zope-interface/" {
						pages = append(pages, r.Status)
					} else {
						jsonAPI++
					}
				}
				if !reflect.DeepEqual(pages, []int{s.pageStatus}) {
					t.Errorf("%s: page answered %v, want [%d]", s.name, pages, s.pageStatus)
				}
				want := 0
				if s.asks {
					want = m.jsonPerAsk
				}
				if jsonAPI != want {
					t.Errorf("%s: %d JSON API requests, want %d (%v)", s.name, jsonAPI, want, sim.Log())
				}
				var ids []string
				for _, v := range d.Vulnerabilities {
					ids = append(ids, v.ID)
				}
				if !reflect.DeepEqual(ids, s.vulns) {
					t.Errorf("%s: vulnerabilities %v, want %v", s.name, ids, s.vulns)
				}
				if d.Links["Changelog"] != "https://example.org/changes" {
					t.Errorf("%s: links %v", s.name, d.Links)
				}
				times := uploadTimesOf(p)
				if i == 0 {
					first, firstTimes = d, times
					if len(times) == 0 {
						t.Fatal("cold look-up found no upload times")
					}
					continue
				}
				if !reflect.DeepEqual(times, firstTimes) {
					t.Errorf("%s: upload times %v, want %v", s.name, times, firstTimes)
				}
				if i == 1 && !reflect.DeepEqual(d, first) {
					t.Errorf("%s: details from the cache %+v, want what the JSON API said %+v", s.name, d, first)
				}
			}
		})
	}
}

func uploadTimesOf(p *Project) map[string]time.Time {
	out := map[string]time.Time{}
	for _, r := range p.Releases {
		for _, f := range r.Files {
			if !f.UploadTime.IsZero() {
				out[f.Filename] = f.UploadTime
			}
		}
	}
	return out
}
