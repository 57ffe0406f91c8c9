package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pinwheel-dev/pinwheel/config"
)

// exitStatus is the "Exit status" paragraph that ends every command's
// help, in the one convention all commands follow: 0 when the command did
// its work (ok says what that is), 1 when the work failed (failed), 2 on
// usage errors (bad flags or arguments) and the setup problems in also2
// (a bad config, a missing token...). A command that cannot fail at its work passes "" as
// failed. newRootCmd adds a generic one to a command whose
// Long lacks it, so a new command cannot ship without the section.
func exitStatus(ok, failed string, also2 ...string) string {
	two := "usage errors (bad flags or arguments)"
	if len(also2) > 0 {
		two += ", " + strings.Join(also2, ", ")
	}
	text := fmt.Sprintf("Exit status: 0 %s, 1 %s, 2 on %s.", ok, failed, two)
	if failed == "" {
		text = fmt.Sprintf("Exit status: 0 %s, 2 on %s.", ok, two)
	}
	return "\n\n" + wrap(text, 76)
}

// wrap breaks text into lines of at most width columns at spaces, as the
// rest of the help text is written.
func wrap(text string, width int) string {
	var b strings.Builder
	col := 0
	for _, w := range strings.Fields(text) {
		switch {
		case col == 0:
		case col+1+len(w) > width:
			b.WriteByte('\n')
			col = 0
		default:
			b.WriteByte(' ')
			col++
		}
		b.WriteString(w)
		col += len(w)
	}
	return b.String()
}

const exitStatusHeading = "Exit status:"

// ensureExitStatus gives every command under c an exit-status section.
func ensureExitStatus(c *cobra.Command) {
	if !strings.Contains(c.Long, exitStatusHeading) {
		if c.Long == "" {
			c.Long = c.Short
		}
		c.Long += exitStatus("on success", "when it failed")
	}
	for _, sub := range c.Commands() {
		ensureExitStatus(sub)
	}
}

// fileArg is the positional-argument check of a command taking exactly
// one file: a missing or extra argument is a usage error (exit 2) that
// names what the command wants, e.g. CONSTRAINTS_FILE.
func fileArg(placeholder, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) == 0:
			return usageError(fmt.Errorf("%s needs %s, %s", cmd.Name(), placeholder, what))
		case len(args) > 1:
			return usageError(fmt.Errorf("%s takes one %s, got %d arguments", cmd.Name(), placeholder, len(args)))
		}
		return nil
	}
}

// nowLayout is the form --now takes.
const nowLayout = "RFC 3339, e.g. 2026-03-01T09:00:00Z or 2026-03-01T10:00:00+01:00"

// parseNow reads a --now value; "" is the zero time (now).
func parseNow(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, usageError(fmt.Errorf("--now %q: not a time; want %s", s, nowLayout))
	}
	return t, nil
}

// loadRunConfig loads the config of a command that runs projects (run,
// daemon, validate): a config error or an empty project list is a usage
// error, the same for every such command. With botOnly (daemon, validate)
// a config with a bot section and no projects is a deployment that only
// runs the test bot.
func loadRunConfig(path string, botOnly bool) (*config.Config, error) {
	if path == "" {
		return nil, usageError(errors.New("--config is required"))
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, usageError(err)
	}
	if len(cfg.Projects) == 0 && cfg.Autodiscover == nil && !(botOnly && cfg.Bot != nil) {
		also := ""
		if botOnly {
			also = " (or a bot: section)"
		}
		return nil, usageError(fmt.Errorf("%s: projects: no projects are configured, so there is nothing to run; add at least one under projects:%s", path, also))
	}
	return cfg, nil
}
