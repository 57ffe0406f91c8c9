package registry

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/indexsim"
	"github.com/pinwheel-dev/pinwheel/internal/peakheap"
)

// The shape of a large constraints file: 300 pins, each project with 40
// releases of one wheel and one sdist, behind 100 ms of network latency.
const (
	benchProjects = 300
	benchReleases = 40
	benchLatency  = 100 * time.Millisecond
	// benchConcurrency is what it takes to meet 1.5 s: each pin needs two
	// requests (simple API and JSON API, in parallel), so 600 requests of
	// 100 ms each need about 40 in flight; 16 would take ~3.8 s.
	benchConcurrency = 64
)

func benchIndex(b *testing.B) *indexsim.Server {
	sim := newSim(b, indexsim.Options{})
	for p := range benchProjects {
		for r := range benchReleases {
			sim.AddRelease(fmt.Sprintf("Bench_Project.%d", p), fmt.Sprintf("1.%d.0", r))
		}
	}
	sim.SetLatency(benchLatency)
	return sim
}

// lookupAll looks every pin up at once, as pinwheel check does: one
// goroutine per pin, the client bounding concurrency.
func lookupAll(b *testing.B, c *Client) {
	var wg sync.WaitGroup
	var failed atomic.Int64
	for p := range benchProjects {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pr, err := c.Lookup(context.Background(), fmt.Sprintf("bench-project-%d", p), "1.10.0")
			if err != nil || len(pr.Releases) != benchReleases {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d lookups failed", n)
	}
}

func BenchmarkLookupCold(b *testing.B) {
	sim := benchIndex(b)
	var wall time.Duration
	var peak, growth uint64
	for b.Loop() {
		c, _ := newClient(b, sim, func(o *Options) { o.Concurrency = benchConcurrency })
		runtime.GC()
		base := peakheap.Now()
		stop := peakheap.Start()
		start := time.Now()
		lookupAll(b, c)
		wall += time.Since(start)
		p := stop()
		peak, growth = max(peak, p), max(growth, p-min(p, base))
	}
	sim.Idle()
	b.ReportMetric(wall.Seconds()/float64(b.N), "wall-s/run")
	// The simulator lives in the same process: peak-heap-MB counts its
	// 24,000 files too; run-heap-MB is the peak above the heap at the start.
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(growth)/(1<<20), "run-heap-MB")
	b.ReportMetric(float64(sim.Requests())/float64(b.N), "requests/run")
	b.ReportMetric(float64(sim.MaxInFlight()), "peak-in-flight")
}

func BenchmarkLookupWarm(b *testing.B) {
	for _, tt := range []struct {
		name    string
		advance time.Duration // clock step before each run
	}{
		{"fresh", 0},
		{"revalidated", time.Hour},
	} {
		b.Run(tt.name, func(b *testing.B) {
			sim := benchIndex(b)
			clock := newFakeClock()
			c, _ := newClient(b, sim, func(o *Options) {
				o.Concurrency = benchConcurrency
				o.Cache = newMemCache()
				o.Clock = clock.Now
			})
			lookupAll(b, c)
			sim.Idle()
			sim.ResetCounters()
			var wall time.Duration
			for b.Loop() {
				clock.Advance(tt.advance)
				start := time.Now()
				lookupAll(b, c)
				wall += time.Since(start)
			}
			sim.Idle()
			pins := float64(b.N * benchProjects)
			b.ReportMetric(wall.Seconds()/float64(b.N), "wall-s/run")
			b.ReportMetric(float64(sim.Requests())/pins, "requests/pin")
			b.ReportMetric(float64(sim.BytesServed())/pins, "body-B/pin")
			b.ReportMetric(float64(sim.WireBytes())/pins, "wire-B/pin")
		})
	}
}
