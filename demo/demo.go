// Package demo runs pinwheel end to end against the built-in GitLab and
// package index simulators, with a sample project, and narrates what a
// maintainer would see: the dependency dashboard and the merge requests
// through a week of runs, ticks, pipelines, merges and closes, and a
// deployment of the team's package and its rollback.
//
// It needs no network and no config (the deploy step needs git on PATH);
// `pinwheel demo` calls Run. The simulators, the state file, the deploy
// step's git repository and the clock are its own; everything between
// them is the production code path (config parsing, the index and GitLab
// clients, the scheduler, the test bot, deploy). The people and the CI in it act through
// GitLab's API, as a browser or a CI runner would. The steps are a list
// (steps.go); adding one is adding an entry.
package demo

import (
	"context"
	_ "embed"
	"fmt"
	"io"
)

//go:embed constraints.txt
var sampleConstraints string

// Options tune a demo run; the zero value is the full demo.
type Options struct {
	// StateDir holds the state file; default a temporary directory removed
	// at the end.
	StateDir string
	// Steps stops the demo after that many steps; 0 plays them all.
	Steps int
	// Markdown prints the dashboard and descriptions as the raw markdown
	// pinwheel writes, not as GitLab shows it.
	Markdown bool
	// Serve keeps the simulators running after the steps, prints their
	// URLs and waits until ctx is done.
	Serve bool
}

// StepCount is the number of steps in the demo.
func StepCount() int { return len(steps) }

// Run plays the demo and writes its narration to w.
func Run(ctx context.Context, w io.Writer, opts Options) error {
	if opts.Steps < 0 || opts.Steps > len(steps) {
		return fmt.Errorf("demo: step %d: the demo has steps 1 to %d", opts.Steps, len(steps))
	}
	d, err := newWorld(opts)
	if err != nil {
		return err
	}
	defer d.close()
	if err := d.play(ctx, w, opts); err != nil {
		return err
	}
	if opts.Serve {
		return d.serve(ctx, w)
	}
	return nil
}

// play prints the configuration, then runs the steps in d.
func (d *world) play(ctx context.Context, w io.Writer, opts Options) error {
	fmt.Fprintf(w, "pinwheel demo: a GitLab project %s with a constraints.txt, and pinwheel configured as a team would.\n", projectPath)
	fmt.Fprintln(w, "\n┌─ demo.yaml")
	box(w, d.config)
	fmt.Fprintln(w, "└─")
	fmt.Fprintln(w, "\n┌─ constraints.txt on main")
	box(w, sampleConstraints)
	fmt.Fprintln(w, "└─")

	d.markdown = opts.Markdown
	n := len(steps)
	if opts.Steps > 0 {
		n = opts.Steps
	}
	for i, s := range steps[:n] {
		fmt.Fprintf(w, "\n━━━ Step %d/%d. %s: %s\n\n", i+1, len(steps), stamp(s.at), s.title)
		d.clock.set(s.at)
		if s.narrate != nil {
			if err := s.narrate(ctx, d, w); err != nil {
				return err
			}
			continue
		}
		if s.act != nil {
			lines, err := s.act(ctx, d)
			for _, l := range lines {
				fmt.Fprintf(w, "» %s\n", l)
			}
			if err != nil {
				return err
			}
		}
		if err := d.run(ctx, w); err != nil {
			return err
		}
		if err := d.show(ctx, w, s.show, opts.Markdown); err != nil {
			return err
		}
	}
	if n < len(steps) {
		fmt.Fprintf(w, "\nStopped after step %d of %d (--step).\n", n, len(steps))
	} else if !opts.Serve {
		fmt.Fprintln(w, "\nThat was pinwheel against its built-in simulators. `pinwheel demo --serve` keeps them running for curl and `pinwheel run`; point a config at your GitLab (see config.example.yaml) and start with `pinwheel run --config FILE --dry-run`.")
	}
	return nil
}
