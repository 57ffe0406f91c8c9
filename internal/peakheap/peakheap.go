// Package peakheap measures the largest live heap a piece of work reaches,
// for benchmarks that report peak memory next to wall time.
package peakheap

import (
	"runtime/metrics"
	"time"
)

// Start samples the live heap every millisecond until the returned stop
// function is called; stop returns the largest value seen, in bytes.
func Start() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-finished
		// One last look: on a busy machine the sampler may not have run
		// since the work's heap grew.
		return max(peak, Now())
	}
}

// Now returns the live heap in bytes.
func Now() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
