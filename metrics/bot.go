package metrics

import "github.com/prometheus/client_golang/prometheus"

// Result label values of pinwheel_bot_triggers_total: how a triggered
// pipeline ended (GitLab's final statuses), or BotError when none could be
// triggered.
const (
	BotSuccess  = "success"
	BotFailed   = "failed"
	BotCanceled = "canceled"
	BotSkipped  = "skipped"
	BotError    = "error"
)

// Reason label values of pinwheel_bot_refusals_total.
const (
	RefusedPermission = "permission" // the commenter is below Developer
	RefusedMalformed  = "malformed"  // a [key=value] pair is not one
	RefusedDuplicate  = "duplicate"  // the same test runs already
	RefusedNotOpen    = "not_open"   // the merge request is closed or merged
)

type botMetrics struct {
	triggers *prometheus.CounterVec
	refusals *prometheus.CounterVec
	running  prometheus.Gauge
}

func (m *Metrics) registerBot() {
	m.bot = botMetrics{
		triggers: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "bot_triggers_total",
			Help:      "Pipelines the test bot triggered, by result once known: success, failed, canceled, skipped, or error when none could be triggered.",
		}, []string{"result"}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "bot_refusals_total",
			Help:      "Test commands the bot answered without triggering, by reason: permission, malformed, duplicate, not_open.",
		}, []string{"reason"}),
		running: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace,
			Name:      "bot_pipelines_running",
			Help:      "Pipelines the test bot triggered that have not finished yet.",
		}),
	}
	m.registry.MustRegister(m.bot.triggers, m.bot.refusals, m.bot.running)
}

// ObserveBotTrigger counts one triggered pipeline's result (a Bot*
// constant).
func (m *Metrics) ObserveBotTrigger(result string) {
	if m == nil {
		return
	}
	m.bot.triggers.WithLabelValues(result).Inc()
}

// ObserveBotRefusal counts one refused command (a Refused* constant).
func (m *Metrics) ObserveBotRefusal(reason string) {
	if m == nil {
		return
	}
	m.bot.refusals.WithLabelValues(reason).Inc()
}

// SetBotRunning sets how many triggered pipelines are still running.
func (m *Metrics) SetBotRunning(n int) {
	if m == nil {
		return
	}
	m.bot.running.Set(float64(n))
}
