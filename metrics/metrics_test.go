package metrics_test

import (
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/pinwheel-dev/pinwheel/metrics"
)

// value reads one series by gathering, so the test sees what Prometheus
// would scrape.
func value(t *testing.T, reg *prometheus.Registry, name string, labelValues ...string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	series:
		for _, s := range f.GetMetric() {
			if len(s.GetLabel()) != len(labelValues) {
				continue
			}
			for i, l := range s.GetLabel() {
				if l.GetValue() != labelValues[i] {
					continue series
				}
			}
			if s.GetCounter() != nil {
				return s.GetCounter().GetValue()
			}
			return s.GetGauge().GetValue()
		}
	}
	t.Fatalf("no series %s%q", name, labelValues)
	return 0
}

func TestObserveRun(t *testing.T) {
	m := metrics.New()
	finished := time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)
	m.ObserveRun(metrics.Run{Project: "group/app", Duration: 3 * time.Second, Finished: finished, UpdatesFound: 4, MRsOpened: 2, MRsUpdated: 1})
	m.ObserveRun(metrics.Run{Project: "group/app", Duration: 2 * time.Second, Finished: finished.Add(time.Hour), UpdatesFound: 3, MRsUpdated: 1, Err: errors.New("gitlab down")})

	want := `
# HELP pinwheel_last_success_timestamp_seconds Unix time the last successful run of a project finished.
# TYPE pinwheel_last_success_timestamp_seconds gauge
pinwheel_last_success_timestamp_seconds{project="group/app"} 1.7956152e+09
# HELP pinwheel_merge_requests_opened_total Merge requests opened, by project.
# TYPE pinwheel_merge_requests_opened_total counter
pinwheel_merge_requests_opened_total{project="group/app"} 2
# HELP pinwheel_merge_requests_updated_total Existing merge requests updated, by project.
# TYPE pinwheel_merge_requests_updated_total counter
pinwheel_merge_requests_updated_total{project="group/app"} 2
# HELP pinwheel_runs_total Runs finished, by project and result (success or error).
# TYPE pinwheel_runs_total counter
pinwheel_runs_total{project="group/app",result="error"} 1
pinwheel_runs_total{project="group/app",result="success"} 1
# HELP pinwheel_updates_found Updates the last run of a project found.
# TYPE pinwheel_updates_found gauge
pinwheel_updates_found{project="group/app"} 3
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want),
		"pinwheel_last_success_timestamp_seconds", "pinwheel_merge_requests_opened_total",
		"pinwheel_merge_requests_updated_total", "pinwheel_runs_total", "pinwheel_updates_found"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(m.Registry(), "pinwheel_run_duration_seconds"); n != 1 {
		t.Errorf("duration series = %d, want 1", n)
	}
}

func TestHandlerServesOwnRegistry(t *testing.T) {
	m := metrics.New()
	m.ObserveWebhook(metrics.WebhookTriggered)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`pinwheel_webhook_requests_total{outcome="triggered"} 1`,
		"go_goroutines",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("exposition lacks %q", want)
		}
	}
}
