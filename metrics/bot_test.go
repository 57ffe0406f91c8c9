package metrics_test

import (
	"testing"

	"github.com/pinwheel-dev/pinwheel/metrics"
)

func TestBotMetrics(t *testing.T) {
	m := metrics.New()
	m.ObserveBotTrigger(metrics.BotSuccess)
	m.ObserveBotTrigger(metrics.BotSuccess)
	m.ObserveBotTrigger(metrics.BotError)
	m.ObserveBotRefusal(metrics.RefusedPermission)
	m.SetBotRunning(3)
	var none *metrics.Metrics // records nothing, panics on nothing
	none.ObserveBotTrigger(metrics.BotFailed)
	none.ObserveBotRefusal(metrics.RefusedDuplicate)
	none.SetBotRunning(1)
	reg := m.Registry()
	for _, tc := range []struct {
		name, label string
		want        float64
	}{
		{"pinwheel_bot_triggers_total", metrics.BotSuccess, 2},
		{"pinwheel_bot_triggers_total", metrics.BotError, 1},
		{"pinwheel_bot_refusals_total", metrics.RefusedPermission, 1},
	} {
		if got := value(t, reg, tc.name, tc.label); got != tc.want {
			t.Errorf("%s{%s} = %v, want %v", tc.name, tc.label, got, tc.want)
		}
	}
	if got := value(t, reg, "pinwheel_bot_pipelines_running"); got != 3 {
		t.Errorf("running = %v", got)
	}
}

func TestMRCommandMetrics(t *testing.T) {
	m := metrics.New()
	m.ObserveMRCommand("rebase", metrics.CommandDone)
	m.ObserveMRCommand("rebase", metrics.CommandDone)
	var none *metrics.Metrics
	none.ObserveMRCommand("rebase", metrics.CommandHelp)
	if got := value(t, m.Registry(), "pinwheel_mr_commands_total", "rebase", metrics.CommandDone); got != 2 {
		t.Errorf("mr_commands_total = %v, want 2", got)
	}
}
