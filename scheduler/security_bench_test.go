package scheduler_test

import (
	"fmt"
	"testing"

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
		addAdvisories(e, pins)
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

// addAdvisories gives every tenth of e's pins (pkg000, pkg010, …) an OSV
// advisory no release fixes, except pkg000's, which 1.1.0 fixes, and turns
// vulnerabilities (source osv) on with a sleep that does not wait.
func addAdvisories(e *env, pins int) {
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
	e.useOSV()
}

// groupOSVRuns runs BenchmarkRunGroup's project (Saturday, one group taking
// every update) with addAdvisories' advisories twice: a first run and one
// with nothing changed. It adds each run's requests to first and again and
// returns the OSV stats of each.
func groupOSVRuns(tb testing.TB, pins int, first, again *runMetrics) (firstOSV, againOSV osv.Stats) {
	e := newEnv(tb, unlimited+"    groups: [{name: non-major, update_types: [minor, patch]}]\n")
	e.clock.Set(saturday)
	commitPins(e, pins)
	addAdvisories(e, pins)
	if _, ok := tb.(*testing.B); ok {
		e.setLatency(benchLatency)
		defer e.setLatency(0)
	}
	for j, m := range []*runMetrics{first, again} {
		rep := m.run(e)
		if rep.Err != nil {
			tb.Fatalf("run %d: %v", j, rep.Err)
		}
		if j == 0 && rep.MRsOpened < 1 {
			tb.Fatalf("first run: %+v, want the group MR", rep)
		}
		o := &firstOSV
		if j == 1 {
			o = &againOSV
		}
		o.QueryBatchCalls += rep.OSV.QueryBatchCalls
		o.RecordFetches += rep.OSV.RecordFetches
	}
	return firstOSV, againOSV
}

// BenchmarkRunGroupOSV is BenchmarkRunGroup's project with BenchmarkRunOSV's
// advisories: 300 pins, one group, OSV on, 50 ms per request. Targets
// (issue #10): 1 querybatch call per run, one record fetch per advisory on
// the first run and none on the next, and no GitLab write when nothing
// changed.
func BenchmarkRunGroupOSV(b *testing.B) {
	const pins, advisories = 300, 30
	var first, again runMetrics
	var firstOSV, againOSV osv.Stats
	for i := 0; i < b.N; i++ {
		f, a := groupOSVRuns(b, pins, &first, &again)
		firstOSV.QueryBatchCalls += f.QueryBatchCalls
		firstOSV.RecordFetches += f.RecordFetches
		againOSV.QueryBatchCalls += a.QueryBatchCalls
		againOSV.RecordFetches += a.RecordFetches
	}
	first.report(b, "first")
	again.report(b, "nochange")
	n := b.N
	b.ReportMetric(float64(firstOSV.QueryBatchCalls)/float64(n), "first-querybatch")
	b.ReportMetric(float64(firstOSV.RecordFetches)/float64(n), "first-record-fetches")
	b.ReportMetric(float64(againOSV.QueryBatchCalls)/float64(n), "nochange-querybatch")
	b.ReportMetric(float64(againOSV.RecordFetches)/float64(n), "nochange-record-fetches")
	if firstOSV.QueryBatchCalls != n || againOSV.QueryBatchCalls != n {
		b.Errorf("querybatch calls: %d first, %d no-change over %d iterations, want 1 per run", firstOSV.QueryBatchCalls, againOSV.QueryBatchCalls, n)
	}
	if firstOSV.RecordFetches != advisories*n || againOSV.RecordFetches != 0 {
		b.Errorf("record fetches: %d first, %d no-change over %d iterations, want %d then 0", firstOSV.RecordFetches, againOSV.RecordFetches, n, advisories)
	}
	if again.writes != 0 {
		b.Errorf("no-change run: %d GitLab writes over %d iterations, want 0", again.writes, n)
	}
}

// TestRunGroupOSV1000Pins checks the querybatch target at the top of its
// range: 1000 pins, one group, OSV on, still one querybatch call per run
// and one record fetch per advisory (100) only on the first.
func TestRunGroupOSV1000Pins(t *testing.T) {
	var first, again runMetrics
	f, a := groupOSVRuns(t, 1000, &first, &again)
	if f.QueryBatchCalls != 1 || a.QueryBatchCalls != 1 {
		t.Errorf("querybatch calls: %d first, %d no-change, want 1 each", f.QueryBatchCalls, a.QueryBatchCalls)
	}
	if f.RecordFetches != 100 || a.RecordFetches != 0 {
		t.Errorf("record fetches: %d first, %d no-change, want 100 then 0", f.RecordFetches, a.RecordFetches)
	}
	if again.writes != 0 {
		t.Errorf("no-change run: %d GitLab writes, want 0", again.writes)
	}
}
