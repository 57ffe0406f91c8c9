package prepare

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkPrepareRemoteCache compares, interleaved, a cold prepare that
// stores its tarball in GitLab's package registry with a later job on
// another runner (no venv, no cache directory) that downloads it: the same
// five wheels as BenchmarkPrepare, the simulator adding 50 ms to every
// request. Target: cold/hit ≥ 10. down-B/op and up-B/op are the bytes the
// remote cache moved.
func BenchmarkPrepareRemoteCache(b *testing.B) {
	requirePython(b)
	idx, constraints, names := benchIndex(b)
	s, _, rc := remoteCache(b)
	s.SetLatency(50 * time.Millisecond)
	ctx := context.Background()

	var cold, hit time.Duration
	var down, up int64
	for i := 0; b.Loop(); i++ {
		dir := b.TempDir()
		// A constraints comment per round: a new input hash, so every
		// round's first run is a true miss.
		cons := filepath.Join(dir, "constraints.txt")
		pins, err := os.ReadFile(constraints)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(cons, append(pins, []byte("# round "+itoa(i)+"\n")...), 0o644); err != nil {
			b.Fatal(err)
		}
		o := Options{
			Packages: names, Constraints: cons, IndexURL: idx.IndexURL(),
			SoftwareDir: filepath.Join(dir, "sw"), Output: filepath.Join(dir, "a", "venv.tar.zst"),
			Remote: &rc,
		}
		start := time.Now()
		res, err := Prepare(ctx, o)
		if err != nil || res.CacheHit || res.Remote.Up == 0 {
			b.Fatalf("cold prepare: %+v, %v", res, err)
		}
		cold += time.Since(start)
		up += res.Remote.Up

		if err := os.RemoveAll(o.SoftwareDir); err != nil { // another runner
			b.Fatal(err)
		}
		o.Output = filepath.Join(dir, "b", "venv.tar.zst")
		start = time.Now()
		res, err = Prepare(ctx, o)
		if err != nil || res.CacheSource != "gitlab" {
			b.Fatalf("remote hit: %+v, %v", res, err)
		}
		hit += time.Since(start)
		down += res.Remote.Down
	}
	n := float64(b.N)
	b.ReportMetric(cold.Seconds()/n, "cold-s/op")
	b.ReportMetric(hit.Seconds()/n, "hit-s/op")
	b.ReportMetric(cold.Seconds()/hit.Seconds(), "cold/hit")
	b.ReportMetric(float64(down)/n, "down-B/op")
	b.ReportMetric(float64(up)/n, "up-B/op")
}
