package scheduler_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/scheduler"
)

// benchLatency is the latency of every simulator request in the run
// benchmarks.
const benchLatency = 50 * time.Millisecond

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
		commitPins(e, pins)
		e.setLatency(benchLatency)
		b.StartTimer()

		for _, m := range []*runMetrics{&first, &again} {
			if rep := m.run(e); rep.Err != nil || rep.UpdatesFound != pins {
				b.Fatalf("run: %v, %d updates", rep.Err, rep.UpdatesFound)
			}
		}
		b.StopTimer()
		e.setLatency(0)
		b.StartTimer()
	}
	first.report(b, "first")
	again.report(b, "nochange")
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
		commitPins(e, pins)
		e.setLatency(benchLatency)
		b.StartTimer()

		for j, m := range []*runMetrics{&first, &again, &rebuilt} {
			if j == 2 {
				e.release("pkg007", "1.2.0", saturday)
			}
			rep := m.run(e)
			if rep.Err != nil || rep.UpdatesFound != 1 {
				b.Fatalf("run %d: %v, %d updates", j, rep.Err, rep.UpdatesFound)
			}
			if j == 0 && rep.MRsOpened != 1 || j == 2 && rep.MRsUpdated != 1 {
				b.Fatalf("run %d: %+v", j, rep)
			}
		}
		b.StopTimer()
		e.setLatency(0)
		b.StartTimer()
	}
	first.report(b, "first")
	again.report(b, "nochange")
	rebuilt.report(b, "rebuild")
}

// commitPins gives the index pkg000… (pins packages), each with 1.0.0 a
// year old and 1.1.0 just released, and commits a constraints file that
// pins each at 1.0.0: pins updates for the run to find.
func commitPins(e *env, pins int) {
	var file strings.Builder
	for p := range pins {
		name := fmt.Sprintf("pkg%03d", p)
		e.release(name, "1.0.0", released.AddDate(-1, 0, 0))
		e.release(name, "1.1.0", released)
		fmt.Fprintf(&file, "%s==1.0.0\n", name)
	}
	e.gl.Commit(e.proj, "main", fmt.Sprintf("%d pins", pins), map[string]string{"constraints.txt": file.String()})
}

// setLatency delays every GitLab and index request by d.
func (e *env) setLatency(d time.Duration) {
	e.gl.SetLatency(d)
	e.idx.SetLatency(d)
}

// runMetrics sums one kind of run over the benchmark's iterations.
type runMetrics struct {
	wall          time.Duration
	calls, writes int
	indexRequests int64
}

// run runs e's project once, adds the run's time and requests to m, and
// moves the clock on an hour for the next run.
func (m *runMetrics) run(e *env) scheduler.Report {
	e.gl.ResetStats()
	e.idx.ResetCounters()
	start := time.Now()
	rep := e.run()
	m.wall += time.Since(start)
	st := e.gl.Stats()
	m.calls += st.Requests
	m.writes += st.Writes
	m.indexRequests += e.idx.Requests()
	e.clock.Add(time.Hour)
	return rep
}

// report reports m per iteration as name-ms, name-gitlab-calls,
// name-writes and name-index-requests.
func (m *runMetrics) report(b *testing.B, name string) {
	n := float64(b.N)
	b.ReportMetric(float64(m.wall.Milliseconds())/n, name+"-ms")
	b.ReportMetric(float64(m.calls)/n, name+"-gitlab-calls")
	b.ReportMetric(float64(m.writes)/n, name+"-writes")
	b.ReportMetric(float64(m.indexRequests)/n, name+"-index-requests")
}
