package osv_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/indexsim"
	"github.com/pinwheel-dev/pinwheel/osv"
	"github.com/pinwheel-dev/pinwheel/state"
)

// benchPins publishes 1000 pins, every tenth with two advisories (200
// records), on a simulator with 20 ms per request.
func benchPins(b *testing.B) (*indexsim.Server, []osv.Pin) {
	sim := indexsim.New(indexsim.Options{})
	b.Cleanup(sim.Close)
	pins := make([]osv.Pin, 1000)
	for i := range pins {
		name := fmt.Sprintf("package-%04d", i)
		pins[i] = osv.Pin{Name: name, Version: "1.0.0"}
		if i%10 != 0 {
			continue
		}
		for j := range 2 {
			sim.AddOSVVuln(indexsim.OSVVuln{
				ID: fmt.Sprintf("PYSEC-2024-%d", i*2+j), Package: name, Aliases: []string{fmt.Sprintf("CVE-2024-%d", i*2+j)},
				Summary: "advisory", Modified: day, CVSSV3: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
				Ranges: [][]indexsim.OSVEvent{{{Introduced: "0"}, {Fixed: "1.0.1"}}},
			})
		}
	}
	sim.SetLatency(20 * time.Millisecond)
	return sim, pins
}

func reportRun(b *testing.B, rep *osv.Report, n int) {
	b.ReportMetric(float64(rep.Stats.QueryBatchCalls), "querybatch/run")
	b.ReportMetric(float64(rep.Stats.RecordFetches), "fetches/run")
	b.ReportMetric(float64(rep.Stats.CacheHits), "cachehits/run")
	vulnerable := 0
	for _, r := range rep.Results {
		if len(r.Errors) > 0 {
			b.Fatalf("%s: %v", r.Pin.Name, r.Errors)
		}
		if len(r.Advisories) > 0 {
			vulnerable++
		}
	}
	if vulnerable != n {
		b.Fatalf("%d vulnerable pins, want %d", vulnerable, n)
	}
}

// BenchmarkCheck1000Cold is a run with an empty state file: one
// querybatch for the 1000 pins, then one fetch per record.
func BenchmarkCheck1000Cold(b *testing.B) {
	sim, pins := benchPins(b)
	var rep *osv.Report
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db, err := state.Open(filepath.Join(b.TempDir(), fmt.Sprintf("state-%d.db", i)))
		if err != nil {
			b.Fatal(err)
		}
		c, err := osv.New(osv.Options{URL: sim.OSVURL(), Cache: db.OSVCache()})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if rep, err = c.Check(context.Background(), pins); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		_ = db.Close()
		b.StartTimer()
	}
	reportRun(b, rep, 100)
}

// BenchmarkCheck1000Warm is the next run: the same querybatch, no fetches.
func BenchmarkCheck1000Warm(b *testing.B) {
	sim, pins := benchPins(b)
	db, err := state.Open(filepath.Join(b.TempDir(), "state.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	c, err := osv.New(osv.Options{URL: sim.OSVURL(), Cache: db.OSVCache()})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.Check(context.Background(), pins); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var rep *osv.Report
	for i := 0; i < b.N; i++ {
		if rep, err = c.Check(context.Background(), pins); err != nil {
			b.Fatal(err)
		}
	}
	reportRun(b, rep, 100)
}
