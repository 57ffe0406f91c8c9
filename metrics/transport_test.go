package metrics_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/pinwheel-dev/pinwheel/metrics"
)

// gitlab answers like a tiny GitLab: MR 1 exists, anything else is 404.
func gitlab(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v4/projects/{id}/merge_requests/{iid}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("iid") != "1" {
			http.Error(w, `{"message":"404 Not found"}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"iid":1}`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestTransportCountsCallsAndErrors(t *testing.T) {
	srv := gitlab(t)
	m := metrics.New()
	client := &http.Client{Transport: metrics.Transport(nil, m), Timeout: 10 * time.Second}

	get := func(path string) {
		t.Helper()
		// client-go keeps RawPath so the %2F survives; do the same.
		u, err := url.Parse(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Get(u.String())
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		resp.Body.Close()
	}
	get("/api/v4/projects/group%2Fapp/merge_requests/1")
	get("/api/v4/projects/group%2Fapp/merge_requests/1")
	get("/api/v4/projects/7/merge_requests/2") // 404

	const ep = "GET /projects/:id/merge_requests/:iid"
	reg := m.Registry()
	if got := value(t, reg, "pinwheel_gitlab_api_requests_total", ep); got != 3 {
		t.Errorf("requests = %v, want 3", got)
	}
	if got := value(t, reg, "pinwheel_gitlab_api_errors_total", ep, "404"); got != 1 {
		t.Errorf("errors = %v, want 1", got)
	}
	// One series per template, not per path.
	if n := testutil.CollectAndCount(reg, "pinwheel_gitlab_api_requests_total"); n != 1 {
		t.Errorf("request series = %d, want 1", n)
	}
}

func TestTransportCountsTransportErrors(t *testing.T) {
	srv := gitlab(t)
	addr := srv.URL
	srv.Close() // nothing listens any more: the request fails without a response

	m := metrics.New()
	client := &http.Client{Transport: metrics.Transport(nil, m), Timeout: 10 * time.Second}
	_, err := client.Get(addr + "/api/v4/projects/7")
	if err == nil {
		t.Fatal("GET to a closed server succeeded")
	}
	want := `
# HELP pinwheel_gitlab_api_errors_total GitLab API requests that failed (status >= 400, or "transport" for no response), by route template and status; pinwheel probes for branches and files, so expect some 404s.
# TYPE pinwheel_gitlab_api_errors_total counter
pinwheel_gitlab_api_errors_total{endpoint="GET /projects/:id",status="transport"} 1
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "pinwheel_gitlab_api_errors_total"); err != nil {
		t.Error(err)
	}
}

func TestTransportNilMetricsIsBase(t *testing.T) {
	base := http.DefaultTransport
	if got := metrics.Transport(base, nil); got != base {
		t.Errorf("Transport(base, nil) = %v, want base", got)
	}
}

func TestNilMetricsRecordNothing(t *testing.T) {
	var m *metrics.Metrics
	m.ObserveRun(metrics.Run{Project: "g/p", Err: errors.New("boom")})
	m.ObserveWebhook(metrics.WebhookIgnored)
	if m.Registry() != nil {
		t.Error("nil Metrics has a registry")
	}
}
