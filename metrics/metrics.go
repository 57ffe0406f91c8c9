// Package metrics owns pinwheel's Prometheus collectors: how runs went per
// project, and how the GitLab API answered per endpoint.
//
// Everything registers on the Metrics' own prometheus.Registry, never the
// global default one, so tests and several daemons in one process do not
// collide. The package records; it does not decide anything. Serving the
// registry over HTTP is Handler's job, and the daemon package mounts it.
// Labels are bounded on purpose: project is one of the configured projects,
// result is "success" or "error", and endpoint is a route template (see
// Endpoint), never a raw URL.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

const namespace = "pinwheel"

// Result label values of pinwheel_runs_total.
const (
	ResultSuccess = "success"
	ResultError   = "error"
)

// Metrics holds pinwheel's collectors and the registry they live on.
// The zero value is not usable; call New. A nil *Metrics is valid for every
// method and records nothing, so callers need no "metrics enabled" checks.
type Metrics struct {
	registry *prometheus.Registry

	runs         *prometheus.CounterVec
	runDuration  *prometheus.HistogramVec
	lastSuccess  *prometheus.GaugeVec
	updatesFound *prometheus.GaugeVec
	mrsOpened    *prometheus.CounterVec
	mrsUpdated   *prometheus.CounterVec
	apiRequests  *prometheus.CounterVec
	apiErrors    *prometheus.CounterVec
	webhooks     *prometheus.CounterVec
	bot          botMetrics
	commands     *prometheus.CounterVec
}

// New returns Metrics on a fresh registry that also carries the Go runtime
// and process collectors.
func New() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "runs_total",
			Help:      "Runs finished, by project and result (success or error).",
		}, []string{"project", "result"}),
		runDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace,
			Name:      "run_duration_seconds",
			Help:      "How long one run of a project took.",
			// A run is a handful of index and GitLab calls per pin:
			// seconds when nothing changed, minutes when many MRs move.
			Buckets: []float64{1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800},
		}, []string{"project"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: namespace,
			Name:      "last_success_timestamp_seconds",
			Help:      "Unix time the last successful run of a project finished.",
		}, []string{"project"}),
		updatesFound: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: namespace,
			Name:      "updates_found",
			Help:      "Updates the last run of a project found.",
		}, []string{"project"}),
		mrsOpened: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "merge_requests_opened_total",
			Help:      "Merge requests opened, by project.",
		}, []string{"project"}),
		mrsUpdated: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "merge_requests_updated_total",
			Help:      "Existing merge requests updated, by project.",
		}, []string{"project"}),
		apiRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "gitlab_api_requests_total",
			Help:      "GitLab API requests sent (each retry counts), by route template.",
		}, []string{"endpoint"}),
		apiErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "gitlab_api_errors_total",
			Help:      "GitLab API requests that failed (status >= 400, or \"transport\" for no response), by route template and status; pinwheel probes for branches and files, so expect some 404s.",
		}, []string{"endpoint", "status"}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "webhook_requests_total",
			Help:      "GitLab webhook deliveries received, by outcome.",
		}, []string{"outcome"}),
	}
	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.runs, m.runDuration, m.lastSuccess, m.updatesFound,
		m.mrsOpened, m.mrsUpdated, m.apiRequests, m.apiErrors, m.webhooks,
	)
	m.registerBot()
	m.registerCommands()
	return m
}

// Registry is the registry every collector is on, for gathering in tests
// or adding collectors of other packages.
func (m *Metrics) Registry() *prometheus.Registry {
	if m == nil {
		return nil
	}
	return m.registry
}

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// Run is what one finished run of a project reports.
type Run struct {
	Project      string
	Duration     time.Duration
	Finished     time.Time
	UpdatesFound int
	MRsOpened    int
	MRsUpdated   int
	Err          error
}

// ObserveRun records one finished run. The updates gauge and the MR
// counters are set from a failed run too: it may have opened MRs before it
// failed, and the counts are what it did.
func (m *Metrics) ObserveRun(r Run) {
	if m == nil {
		return
	}
	result := ResultSuccess
	if r.Err != nil {
		result = ResultError
	}
	m.runs.WithLabelValues(r.Project, result).Inc()
	m.runDuration.WithLabelValues(r.Project).Observe(r.Duration.Seconds())
	m.updatesFound.WithLabelValues(r.Project).Set(float64(r.UpdatesFound))
	m.mrsOpened.WithLabelValues(r.Project).Add(float64(max(r.MRsOpened, 0)))
	m.mrsUpdated.WithLabelValues(r.Project).Add(float64(max(r.MRsUpdated, 0)))
	if r.Err == nil {
		m.lastSuccess.WithLabelValues(r.Project).Set(float64(r.Finished.UnixNano()) / 1e9)
	}
}

// Webhook outcome label values of pinwheel_webhook_requests_total.
const (
	WebhookTriggered    = "triggered"
	WebhookIgnored      = "ignored"
	WebhookUnauthorized = "unauthorized"
	WebhookBadRequest   = "bad_request"
	WebhookTooLarge     = "too_large"
	WebhookUnavailable  = "unavailable"
	// WebhookForwarded: another shard owns the project; the hook went
	// there. WebhookForwardFailed: that shard did not answer.
	WebhookForwarded     = "forwarded"
	WebhookForwardFailed = "forward_failed"
)

// ObserveWebhook counts one webhook delivery by outcome (one of the
// Webhook* constants).
func (m *Metrics) ObserveWebhook(outcome string) {
	if m == nil {
		return
	}
	m.webhooks.WithLabelValues(outcome).Inc()
}

// observeAPI counts one GitLab API request to endpoint; status is "" when
// it succeeded, else the failing status code or "transport".
func (m *Metrics) observeAPI(endpoint, status string) {
	m.apiRequests.WithLabelValues(endpoint).Inc()
	if status != "" {
		m.apiErrors.WithLabelValues(endpoint, status).Inc()
	}
}
