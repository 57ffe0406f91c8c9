package check

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/constraints"
	"github.com/pinwheel-dev/pinwheel/indexsim"
	"github.com/pinwheel-dev/pinwheel/internal/peakheap"
	"github.com/pinwheel-dev/pinwheel/registry"
	"github.com/pinwheel-dev/pinwheel/state"
)

// The shape: 300 pins with 40 releases each, behind 100 ms per
// request, looked up as `pinwheel check` does (check.Run with the config's
// default index settings), the HTTP cache in a real bbolt state file.
const (
	benchPins     = 300
	benchReleases = 40
	benchLatency  = 100 * time.Millisecond
)

func benchSetup(b *testing.B) (*indexsim.Server, *constraints.File) {
	b.Helper()
	sim := indexsim.New(indexsim.Options{Clock: func() time.Time { return now }})
	b.Cleanup(sim.Close)
	var file strings.Builder
	for p := range benchPins {
		name := fmt.Sprintf("bench-pkg-%d", p)
		for r := range benchReleases {
			sim.AddRelease(name, fmt.Sprintf("1.%d.0", r), indexsim.File{
				Filename:   fmt.Sprintf("bench_pkg_%d-1.%d.0-py3-none-any.whl", p, r),
				UploadTime: now.AddDate(0, 0, -400+r*10),
			})
		}
		fmt.Fprintf(&file, "%s==1.10.0\n", name)
	}
	sim.SetLatency(benchLatency)
	return sim, constraints.Parse([]byte(file.String()))
}

func benchClient(b *testing.B, sim *indexsim.Server, cache registry.Cache, clock func() time.Time) *registry.Client {
	b.Helper()
	opts := ClientOptions(config.Default().Index, func(string) string { return "" })
	opts.IndexURL, opts.JSONAPIURL = sim.IndexURL(), sim.JSONAPIURL()
	opts.Cache, opts.Clock = cache, clock
	c, err := registry.New(opts)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func runAll(b *testing.B, c *registry.Client, f *constraints.File) {
	b.Helper()
	rep := Run(context.Background(), c, f, Options{Now: now})
	for _, r := range rep.Results {
		if r.Err != nil || len(r.Plan.Updates) == 0 {
			b.Fatalf("%s: err %v, %d updates", r.Pin.Name, r.Err, len(r.Plan.Updates))
		}
	}
}

// BenchmarkCheckCold is the first look-up of 300 pins: target ≤ 1.5 s and
// ≤ 50 MB.
func BenchmarkCheckCold(b *testing.B) {
	sim, f := benchSetup(b)
	var wall time.Duration
	var peak uint64
	for b.Loop() {
		c := benchClient(b, sim, nil, nil)
		runtime.GC()
		stop := peakheap.Start()
		start := time.Now()
		runAll(b, c, f)
		wall += time.Since(start)
		peak = max(peak, stop())
	}
	sim.Idle()
	b.ReportMetric(wall.Seconds()/float64(b.N), "wall-s")
	// The simulator shares the process: the peak counts its 24,000 files.
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(sim.Requests())/float64(b.N), "requests")
	b.ReportMetric(float64(sim.Requests())/float64(b.N*benchPins), "requests/pin")
}

// BenchmarkCheckWarm repeats the look-up against the cache kept in a state
// file: "fresh" within the index's max-age (no request at all),
// "revalidated" an hour later (conditional requests answered 304). Target:
// ≤ 1 KB per pin.
func BenchmarkCheckWarm(b *testing.B) {
	for _, tt := range []struct {
		name    string
		advance time.Duration
	}{{"fresh", 0}, {"revalidated", time.Hour}} {
		b.Run(tt.name, func(b *testing.B) {
			sim, f := benchSetup(b)
			db, err := state.Open(filepath.Join(b.TempDir(), "state.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			clock := now
			c := benchClient(b, sim, db.HTTPCache(), func() time.Time { return clock })
			runAll(b, c, f)
			sim.Idle()
			sim.ResetCounters()
			var wall time.Duration
			for b.Loop() {
				clock = clock.Add(tt.advance)
				start := time.Now()
				runAll(b, c, f)
				wall += time.Since(start)
			}
			sim.Idle()
			pins := float64(b.N * benchPins)
			b.ReportMetric(wall.Seconds()/float64(b.N), "wall-s")
			b.ReportMetric(float64(sim.Requests())/pins, "requests/pin")
			b.ReportMetric(float64(sim.WireBytes())/pins, "wire-B/pin")
		})
	}
}
