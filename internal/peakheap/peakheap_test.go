package peakheap

import (
	"runtime"
	"testing"
)

var sink []byte

func TestStartSeesAnAllocation(t *testing.T) {
	runtime.GC()
	base := Now()
	stop := Start()
	sink = make([]byte, 64<<20)
	for i := range sink {
		sink[i] = 1
	}
	runtime.Gosched()
	peak := stop()
	if peak < base+32<<20 {
		t.Errorf("peak %d MiB, base %d MiB: the 64 MiB allocation was not seen", peak>>20, base>>20)
	}
	sink = nil
}
