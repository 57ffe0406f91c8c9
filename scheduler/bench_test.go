package scheduler_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// BenchmarkRun measures a first run on a weekday (dashboard created, every
// update awaiting the schedule) and then a run with nothing new, for a
// project with 300 pins, with 50 ms of latency on every GitLab and index
// request. The no-change run's target is at most 5 GitLab requests and no
// write.
func BenchmarkRun(b *testing.B) {
	const pins = 300
	var first, again runMetrics
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := newEnv(b, "")
		var file strings.Builder
		for p := range pins {
			name := fmt.Sprintf("pkg%03d", p)
			e.release(name, "1.0.0", released.AddDate(-1, 0, 0))
			e.release(name, "1.1.0", released)
			fmt.Fprintf(&file, "%s==1.0.0\n", name)
		}
		e.gl.Commit(e.proj, "main", "300 pins", map[string]string{"constraints.txt": file.String()})
		e.gl.SetLatency(50 * time.Millisecond)
		e.idx.SetLatency(50 * time.Millisecond)
		b.StartTimer()

		for _, m := range []*runMetrics{&first, &again} {
			e.gl.ResetStats()
			e.idx.ResetCounters()
			start := time.Now()
			if rep := e.run(); rep.Err != nil || rep.UpdatesFound != pins {
				b.Fatalf("run: %v, %d updates", rep.Err, rep.UpdatesFound)
			}
			m.wall += time.Since(start)
			st := e.gl.Stats()
			m.calls += st.Requests
			m.writes += st.Writes
			m.indexRequests += e.idx.Requests()
			e.clock.Add(time.Hour)
		}
		b.StopTimer()
		e.gl.SetLatency(0)
		e.idx.SetLatency(0)
		b.StartTimer()
	}
	n := float64(b.N)
	b.ReportMetric(float64(first.wall.Milliseconds())/n, "first-ms")
	b.ReportMetric(float64(first.calls)/n, "first-gitlab-calls")
	b.ReportMetric(float64(first.writes)/n, "first-writes")
	b.ReportMetric(float64(first.indexRequests)/n, "first-index-requests")
	b.ReportMetric(float64(again.wall.Milliseconds())/n, "nochange-ms")
	b.ReportMetric(float64(again.calls)/n, "nochange-gitlab-calls")
	b.ReportMetric(float64(again.writes)/n, "nochange-writes")
	b.ReportMetric(float64(again.indexRequests)/n, "nochange-index-requests")
}

// runMetrics sums one kind of run over the benchmark's iterations.
type runMetrics struct {
	wall          time.Duration
	calls, writes int
	indexRequests int64
}
