package prepare

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/indexsim"
)

// BenchmarkPrepare compares, in the same run and interleaved so machine
// load hits all three alike: plain `python3 -m venv` + `pip install -c`,
// a cold prepare (the same plus pip check, manifest and packing) and a warm
// one (cache hit). Targets: cold/pip ≤ 1.10, cold/warm ≥ 10. cold/pip-cpu
// compares CPU time (ours and the children's), steadier under load.
func BenchmarkPrepare(b *testing.B) {
	requirePython(b)
	idx, constraints, names := benchIndex(b)
	ctx := context.Background()

	var pip, cold, warm, pipCPU, coldCPU time.Duration
	for b.Loop() {
		dir := b.TempDir()

		start, startCPU := time.Now(), cpuTime()
		plainPip(b, ctx, filepath.Join(dir, "plain"), idx.IndexURL(), constraints, names)
		pip += time.Since(start)
		pipCPU += cpuTime() - startCPU

		o := Options{
			Packages: names, Constraints: constraints, IndexURL: idx.IndexURL(),
			SoftwareDir: filepath.Join(dir, "sw"), Output: filepath.Join(dir, "out", "venv.tar.zst"),
			CacheDir: filepath.Join(dir, "cache"),
		}
		start, startCPU = time.Now(), cpuTime()
		if res, err := Prepare(ctx, o); err != nil || res.CacheHit {
			b.Fatalf("cold prepare: hit %v, %v", res != nil && res.CacheHit, err)
		}
		cold += time.Since(start)
		coldCPU += cpuTime() - startCPU

		o.Output = filepath.Join(dir, "out", "again.tar.zst")
		start = time.Now()
		if res, err := Prepare(ctx, o); err != nil || !res.CacheHit {
			b.Fatalf("warm prepare: hit %v, %v", res != nil && res.CacheHit, err)
		}
		warm += time.Since(start)
	}
	n := float64(b.N)
	b.ReportMetric(pip.Seconds()/n, "pip-s/op")
	b.ReportMetric(cold.Seconds()/n, "cold-s/op")
	b.ReportMetric(warm.Seconds()/n, "warm-s/op")
	b.ReportMetric(cold.Seconds()/pip.Seconds(), "cold/pip")
	b.ReportMetric(cold.Seconds()/warm.Seconds(), "cold/warm")
	b.ReportMetric(coldCPU.Seconds()/pipCPU.Seconds(), "cold/pip-cpu")
}

// benchIndex serves the benchmarks' five small wheels (two releases each,
// four depending on the first) and writes constraints pinning 1.0.
func benchIndex(b *testing.B) (idx *indexsim.Server, constraints string, names []string) {
	var wheels []wheel
	for i := range 5 {
		name := fmt.Sprintf("pkg%d", i)
		w := wheel{name: name, version: "1.0"}
		if i > 0 {
			w.requires = []string{"pkg0>=1"}
		}
		wheels = append(wheels, w, wheel{name: name, version: "2.0"})
		names = append(names, name)
	}
	idx = newIndex(b, wheels...)
	constraints = filepath.Join(b.TempDir(), "constraints.txt")
	pins := ""
	for _, n := range names {
		pins += n + "==1.0\n"
	}
	if err := os.WriteFile(constraints, []byte(pins), 0o644); err != nil {
		b.Fatal(err)
	}
	return idx, constraints, names
}

// cpuTime is the CPU time of this process and its finished children: on a
// shared, loaded machine it compares the work done more steadily than the
// wall clock.
func cpuTime() time.Duration {
	var total time.Duration
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if err := syscall.Getrusage(who, &ru); err == nil {
			total += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	return total
}

func plainPip(b *testing.B, ctx context.Context, venv, indexURL, constraints string, pkgs []string) {
	b.Helper()
	if out, err := exec.CommandContext(ctx, "python3", "-m", "venv", venv).CombinedOutput(); err != nil {
		b.Fatalf("venv: %v\n%s", err, out)
	}
	args := append([]string{"-m", "pip", "install", "--disable-pip-version-check", "--index-url", indexURL, "-c", constraints}, pkgs...)
	if out, err := exec.CommandContext(ctx, filepath.Join(venv, "bin", "python"), args...).CombinedOutput(); err != nil {
		b.Fatalf("pip install: %v\n%s", err, out)
	}
}
