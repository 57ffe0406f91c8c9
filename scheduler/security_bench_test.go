package scheduler_test

import (
	"context"
	"fmt"
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
		commitPins(e, pins)
		for p := 0; p < pins; p += 10 {
			events := []indexsim.OSVEvent{{Introduced: "0"}}
			if p == 0 {
				events = append(events, indexsim.OSVEvent{Fixed: "1.1.0"})
			}
			e.idx.AddOSVVuln(indexsim.OSVVuln{
				ID: fmt.Sprintf("PYSEC-2026-%d", p), Package: fmt.Sprintf("pkg%03d", p), Aliases: []string{fmt.Sprintf("CVE-2026-%d", p)},
				Modified: released, CVSSV3: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", Ranges: [][]indexsim.OSVEvent{events},
			})
		}
		e.cfg.Vulnerabilities = config.Vulnerabilities{Source: config.VulnOSV, OSVURL: e.idx.OSVURL(), Labels: []string{"security"}}
		e.osv = &osv.Options{URL: e.idx.OSVURL(), Sleep: func(context.Context, time.Duration) error { return nil }}
		e.setLatency(benchLatency)
		b.StartTimer()

		for j, m := range []*runMetrics{&first, &again} {
			rep := m.run(e)
			if rep.Err != nil || rep.UpdatesFound != pins {
				b.Fatalf("run: %v, %d updates", rep.Err, rep.UpdatesFound)
			}
			if j == 0 && rep.MRsOpened != 1 {
				b.Fatalf("%d MRs opened on the weekday, want the security MR", rep.MRsOpened)
			}
			o := &firstOSV
			if j == 1 {
				o = &againOSV
			}
			o.QueryBatchCalls += rep.OSV.QueryBatchCalls
			o.RecordFetches += rep.OSV.RecordFetches
		}
		b.StopTimer()
		e.setLatency(0)
		b.StartTimer()
	}
	first.report(b, "first")
	again.report(b, "nochange")
	n := float64(b.N)
	b.ReportMetric(float64(firstOSV.QueryBatchCalls)/n, "first-querybatch")
	b.ReportMetric(float64(firstOSV.RecordFetches)/n, "first-record-fetches")
	b.ReportMetric(float64(againOSV.QueryBatchCalls)/n, "nochange-querybatch")
	b.ReportMetric(float64(againOSV.RecordFetches)/n, "nochange-record-fetches")
}
