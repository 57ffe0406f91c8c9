package scheduler_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/indexsim"
	"github.com/pinwheel-dev/pinwheel/osv"
)

// BenchmarkRunOSV is BenchmarkRun with vulnerabilities from OSV: 300 pins,
// 30 of them with an advisory no release fixes yet and one with an
// advisory 1.1.0 fixes (its security MR opens on the weekday run), 50 ms
// per request on every simulator. Target: 1 querybatch call per run, one
// record fetch per advisory on the first run and none on the next.
func BenchmarkRunOSV(b *testing.B) {
	const pins = 300
	var first, again runMetrics
	var firstOSV, againOSV osv.Stats
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := newEnv(b, "")
		var file strings.Builder
		for p := range pins {
			name := fmt.Sprintf("pkg%03d", p)
			e.release(name, "1.0.0", released.AddDate(-1, 0, 0))
			e.release(name, "1.1.0", released)
			fmt.Fprintf(&file, "%s==1.0.0\n", name)
			events := []indexsim.OSVEvent{{Introduced: "0"}}
			switch {
			case p == 0:
				events = append(events, indexsim.OSVEvent{Fixed: "1.1.0"})
			case p%10 != 0:
				continue
			}
			e.idx.AddOSVVuln(indexsim.OSVVuln{
				ID: fmt.Sprintf("PYSEC-2026-%d", p), Package: name, Aliases: []string{fmt.Sprintf("CVE-2026-%d", p)},
				Modified: released, CVSSV3: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", Ranges: [][]indexsim.OSVEvent{events},
			})
		}
		e.gl.Commit(e.proj, "main", "300 pins", map[string]string{"constraints.txt": file.String()})
		e.cfg.Vulnerabilities = config.Vulnerabilities{Source: config.VulnOSV, OSVURL: e.idx.OSVURL(), Labels: []string{"security"}}
		e.osv = &osv.Options{URL: e.idx.OSVURL(), Sleep: func(context.Context, time.Duration) error { return nil }}
		e.gl.SetLatency(50 * time.Millisecond)
		e.idx.SetLatency(50 * time.Millisecond)
		b.StartTimer()

		for j, m := range []*runMetrics{&first, &again} {
			e.gl.ResetStats()
			e.idx.ResetCounters()
			start := time.Now()
			rep := e.run()
			if rep.Err != nil || rep.UpdatesFound != pins {
				b.Fatalf("run: %v, %d updates", rep.Err, rep.UpdatesFound)
			}
			if j == 0 && rep.MRsOpened != 1 {
				b.Fatalf("%d MRs opened on the weekday, want the security MR", rep.MRsOpened)
			}
			m.wall += time.Since(start)
			st := e.gl.Stats()
			m.calls += st.Requests
			m.writes += st.Writes
			m.indexRequests += e.idx.Requests()
			o := &firstOSV
			if j == 1 {
				o = &againOSV
			}
			o.QueryBatchCalls += rep.OSV.QueryBatchCalls
			o.RecordFetches += rep.OSV.RecordFetches
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
	b.ReportMetric(float64(firstOSV.QueryBatchCalls)/n, "first-querybatch")
	b.ReportMetric(float64(firstOSV.RecordFetches)/n, "first-record-fetches")
	b.ReportMetric(float64(again.wall.Milliseconds())/n, "nochange-ms")
	b.ReportMetric(float64(again.calls)/n, "nochange-gitlab-calls")
	b.ReportMetric(float64(again.writes)/n, "nochange-writes")
	b.ReportMetric(float64(againOSV.QueryBatchCalls)/n, "nochange-querybatch")
	b.ReportMetric(float64(againOSV.RecordFetches)/n, "nochange-record-fetches")
}
