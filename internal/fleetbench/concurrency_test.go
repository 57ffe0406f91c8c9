package fleetbench

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/check"
	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/constraints"
	"github.com/pinwheel-dev/pinwheel/registry"
)

// BenchmarkIndexConcurrency is the measurement behind
// registry.DefaultConcurrency: a cold check of 1,000 pins (1,000 page
// requests, 334 JSON API ones) at 100 ms per request, for each bound on
// requests in flight.
func BenchmarkIndexConcurrency(b *testing.B) {
	skipUnlessAsked(b)
	clk := &clock{t: start}
	sim := newIndex(b, clk, poolSize)
	var file strings.Builder
	for p := range poolSize {
		file.WriteString(pinLine(p, 3))
	}
	f := constraints.Parse([]byte(file.String()))
	for _, n := range []int{16, 32, 64, 128, 256, 512} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			var wall time.Duration
			for b.Loop() {
				opts := check.ClientOptions(config.Default().Index, func(string) string { return "" })
				opts.IndexURL, opts.JSONAPIURL, opts.Concurrency = sim.IndexURL(), sim.JSONAPIURL(), n
				c, err := registry.New(opts)
				if err != nil {
					b.Fatal(err)
				}
				sim.ResetCounters()
				t0 := time.Now()
				rep := check.Run(context.Background(), c, f, check.Options{Now: start})
				wall += time.Since(t0)
				if rep.FailedLookups() != 0 {
					b.Fatalf("%d failed look-ups", rep.FailedLookups())
				}
			}
			sim.Idle()
			b.ReportMetric(wall.Seconds()/float64(b.N), "wall-s")
			b.ReportMetric(float64(sim.MaxInFlight()), "max-in-flight")
		})
	}
}
