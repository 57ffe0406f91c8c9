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

// BenchmarkRunGroup is BenchmarkRun's project on a Saturday with one group
// ("non-major", every minor and patch update) taking the 300 updates:
// the first run opens one group MR (one commit for all 300 pins), then a
// run with nothing new, then one after a newer release of one member
// (the group MR rebuilt). It reports the GitLab requests of each run.
func BenchmarkRunGroup(b *testing.B) {
	const pins = 300
	var first, again, rebuilt runMetrics
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := newEnv(b, unlimited+"    groups: [{name: non-major, update_types: [minor, patch]}]\n")
		e.clock.Set(saturday)
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

		for j, m := range []*runMetrics{&first, &again, &rebuilt} {
			if j == 2 {
				e.release("pkg007", "1.2.0", saturday)
			}
			e.gl.ResetStats()
			e.idx.ResetCounters()
			start := time.Now()
			rep := e.run()
			if rep.Err != nil || rep.UpdatesFound != 1 {
				b.Fatalf("run %d: %v, %d updates", j, rep.Err, rep.UpdatesFound)
			}
			if j == 0 && rep.MRsOpened != 1 || j == 2 && rep.MRsUpdated != 1 {
				b.Fatalf("run %d: %+v", j, rep)
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
	for _, r := range []struct {
		name string
		m    runMetrics
	}{{"first", first}, {"nochange", again}, {"rebuild", rebuilt}} {
		b.ReportMetric(float64(r.m.wall.Milliseconds())/n, r.name+"-ms")
		b.ReportMetric(float64(r.m.calls)/n, r.name+"-gitlab-calls")
		b.ReportMetric(float64(r.m.writes)/n, r.name+"-writes")
	}
}
