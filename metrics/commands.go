package metrics

import "github.com/prometheus/client_golang/prometheus"

// Result label values of pinwheel_mr_commands_total: how a comment that
// addressed pinwheel on one of its merge requests ended.
const (
	CommandDone       = "done"       // carried out (rebuilt, recreated, ignored)
	CommandHelp       = "help"       // not a command pinwheel knows: answered with the help
	CommandPermission = "permission" // the commenter is below Developer: refused
	CommandRefused    = "refused"    // not possible now (MR merged, branch edited, ...): answered why
	CommandForeign    = "foreign"    // on a merge request pinwheel did not open: not answered
	CommandDropped    = "dropped"    // GitLab refused a call for good (note deleted, ...)
)

func (m *Metrics) registerCommands() {
	m.commands = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace,
		Name:      "mr_commands_total",
		Help:      "Comments addressing pinwheel on merge requests handled, by command (rebase, recreate, ignore-major, ..., unknown) and result (done, help, permission, refused, foreign, dropped).",
	}, []string{"command", "result"})
	m.registry.MustRegister(m.commands)
}

// ObserveMRCommand counts one handled command (a Command* result).
func (m *Metrics) ObserveMRCommand(command, result string) {
	if m == nil {
		return
	}
	m.commands.WithLabelValues(command, result).Inc()
}
