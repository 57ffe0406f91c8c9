package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/pinwheel-dev/pinwheel/check"
	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/constraints"
	"github.com/pinwheel-dev/pinwheel/registry"
	"github.com/pinwheel-dev/pinwheel/state"
)

func init() { commands = append(commands, newCheckCmd) }

type checkFlags struct {
	config, indexURL, format, state, now string
}

func newCheckCmd() *cobra.Command {
	var fl checkFlags
	cmd := &cobra.Command{
		Use:   "check [flags] CONSTRAINTS_FILE",
		Short: "Look up every pin on the package index and show the updates",
		Long: `Look up every pin of a constraints file on the package index and print one
row per pin: name as written, current version, newest eligible version,
update type, release date, vulnerabilities the update fixes, and the error
if the look-up failed. A pin with both a major and a newer non-major update
gets a row for each; an update held back by minimum_release_age is shown as
pending with the date it becomes eligible.

Works without a config file (PyPI, no rules) and without a state file (no
HTTP cache); --state FILE keeps an HTTP cache between runs.

Exit status: 0 when every look-up succeeded, 1 when some failed or some
lines could not be parsed (all rows are still printed), 2 when nothing could
be checked: usage or config errors, an unreadable constraints file, a state
file that is locked or damaged.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if err := cobra.ExactArgs(1)(cmd, args); err != nil {
				return usageError(err)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCheck(cmd, fl, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.config, "config", "", "config `FILE` (index, python, package rules)")
	f.StringVar(&fl.indexURL, "index-url", "", "package index `URL`, like pip's --index-url (overrides the config)")
	f.StringVar(&fl.format, "format", "text", "output format: text or json")
	f.StringVar(&fl.state, "state", "", "state `FILE` to keep the HTTP cache in (default: no cache)")
	f.StringVar(&fl.now, "now", "", "measure release ages at this RFC 3339 `TIME` instead of now")
	return cmd
}

func runCheck(cmd *cobra.Command, fl checkFlags, path string) error {
	if fl.format != "text" && fl.format != "json" {
		return usageError(fmt.Errorf("--format %q: want text or json", fl.format))
	}
	cfg := config.Default()
	if fl.config != "" {
		var err error
		if cfg, err = config.Load(fl.config); err != nil {
			return usageError(err)
		}
	}
	if fl.indexURL != "" {
		// A URL given on the command line is parsed like the config's.
		c, err := config.Parse("--index-url", []byte("index: {url: "+fmt.Sprintf("%q", fl.indexURL)+"}\n"))
		if err != nil {
			// Say it of the flag, not of a file line.
			return usageError(errors.New(strings.Replace(err.Error(), "--index-url:1: index.url:", "--index-url:", 1)))
		}
		cfg.Index.URL, cfg.Index.JSONAPIURL = c.Index.URL, c.Index.JSONAPIURL
	}
	now := time.Now()
	if fl.now != "" {
		t, err := time.Parse(time.RFC3339, fl.now)
		if err != nil {
			return usageError(fmt.Errorf("--now: %w", err))
		}
		now = t
	}
	opts, err := check.OptionsFromConfig(cfg, now)
	if err != nil {
		return usageError(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return usageError(fmt.Errorf("read constraints: %w", err))
	}
	file := constraints.ParseFile(path, data)

	clientOpts := check.ClientOptions(cfg.Index, os.Getenv)
	if fl.state != "" {
		db, err := state.Open(fl.state)
		if err != nil {
			return usageError(err)
		}
		defer db.Close()
		clientOpts.Cache = db.HTTPCache()
	}
	client, err := registry.New(clientOpts)
	if err != nil {
		return usageError(err)
	}
	if isTerminal(os.Stderr) {
		opts.Progress = func(done, total int) {
			fmt.Fprintf(os.Stderr, "\rlooked up %d/%d", done, total)
			if done == total {
				fmt.Fprint(os.Stderr, "\r\033[K")
			}
		}
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
	defer stop()
	rep := check.Run(ctx, client, file, opts)

	rows := checkRows(rep)
	if fl.format == "json" {
		err = writeCheckJSON(cmd.OutOrStdout(), rows)
	} else {
		err = writeCheckTable(cmd.OutOrStdout(), rows)
	}
	if err != nil {
		return err
	}
	for _, u := range file.Unmanaged() {
		fmt.Fprintf(cmd.ErrOrStderr(), "%s:%d: not checked (%s): %s\n", path, u.Line, u.Reason, u.Text)
	}
	for _, e := range file.Errors() {
		fmt.Fprintln(cmd.ErrOrStderr(), e)
	}
	failed := 0
	for _, r := range rep.Results {
		if r.Err != nil {
			failed++
		}
	}
	if failed > 0 || len(file.Errors()) > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%s: %d look-up(s) failed, %d line(s) could not be parsed", path, failed, len(file.Errors()))}
	}
	return ctx.Err()
}

// checkRow is one printed row; its JSON form is part of the CLI's contract.
type checkRow struct {
	Name        string      `json:"name"`
	Line        int         `json:"line"`
	Current     string      `json:"current"`
	Latest      string      `json:"latest"`
	UpdateType  string      `json:"update_type"`
	Major       bool        `json:"major"`
	Pending     bool        `json:"pending"`
	EligibleAt  *time.Time  `json:"eligible_at,omitempty"`
	ReleaseDate *time.Time  `json:"release_date,omitempty"`
	Fixes       []fixedVuln `json:"vulnerabilities_fixed"`
	Ignored     bool        `json:"ignored"`
	Error       string      `json:"error"`
}

type fixedVuln struct {
	ID      string `json:"id"`
	Summary string `json:"summary,omitempty"`
	Link    string `json:"link,omitempty"`
}

func checkRows(rep *check.Report) []checkRow {
	var rows []checkRow
	for _, res := range rep.Results {
		base := checkRow{Name: res.Pin.Name, Line: res.Pin.Line, Current: res.Pin.Version, Fixes: []fixedVuln{}}
		switch {
		case res.Err != nil:
			base.Error = res.Err.Error()
			rows = append(rows, base)
			continue
		case res.Ignored():
			base.Ignored = true
			rows = append(rows, base)
			continue
		case len(res.Plan.Updates) == 0:
			rows = append(rows, base)
			continue
		}
		for _, u := range res.Plan.Updates {
			row := base
			row.Latest, row.UpdateType, row.Major, row.Pending = u.To, string(u.Type), u.Major, u.Pending
			if !u.ReleaseDate.IsZero() {
				row.ReleaseDate = &u.ReleaseDate
			}
			if u.Pending {
				row.EligibleAt = &u.EligibleAt
			}
			row.Fixes = []fixedVuln{}
			for _, v := range res.Fixes(u) {
				row.Fixes = append(row.Fixes, fixedVuln{ID: v.ID, Summary: v.Summary, Link: v.Link})
			}
			rows = append(rows, row)
		}
	}
	return rows
}

func writeCheckJSON(w io.Writer, rows []checkRow) error {
	if rows == nil {
		rows = []checkRow{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rows)
}

func writeCheckTable(w io.Writer, rows []checkRow) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PACKAGE\tCURRENT\tLATEST\tTYPE\tRELEASED\tFIXES\tNOTE")
	for _, r := range rows {
		latest, typ, released, note := r.Latest, r.UpdateType, "", ""
		if latest == "" {
			latest = "-"
		}
		if typ == "" {
			typ = "-"
		}
		if r.ReleaseDate != nil {
			released = r.ReleaseDate.Format(time.DateOnly)
		} else {
			released = "-"
		}
		var ids []string
		for _, v := range r.Fixes {
			ids = append(ids, v.ID)
		}
		fixes := strings.Join(ids, ",")
		if fixes == "" {
			fixes = "-"
		}
		switch {
		case r.Error != "":
			note = "error: " + r.Error
		case r.Ignored:
			note = "ignored"
		case r.Pending:
			note = "pending until " + r.EligibleAt.Format(time.DateOnly)
		case r.Latest == "":
			note = "up to date"
		case r.Major:
			note = "major"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Name, r.Current, latest, typ, released, fixes, note)
	}
	return tw.Flush()
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
