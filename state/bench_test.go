package state

import (
	"fmt"
	"sync"
	"testing"
)

// BenchmarkCachePutConcurrent is a cold look-up's cache traffic: 600
// responses (300 pins, two requests each) stored from 64 workers at once.
// Each bbolt write transaction syncs the file, so the puts must share
// transactions for the pass to stay well under a second.
func BenchmarkCachePutConcurrent(b *testing.B) {
	const puts, workers = 600, 64
	value := make([]byte, 4<<10)
	for b.Loop() {
		b.StopTimer()
		db, _ := openTemp(b)
		c := db.HTTPCache()
		b.StartTimer()
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < puts; i += workers {
					if err := c.Put(fmt.Sprintf("GET https://pypi.org/simple/p%d/", i), value); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		b.StopTimer()
		if n, err := c.Len(); err != nil || n != puts {
			b.Fatalf("Len = %d, %v; want %d", n, err, puts)
		}
		b.StartTimer()
	}
}
