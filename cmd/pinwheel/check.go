package main

import (
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/spf13/cobra"

	"github.com/pinwheel-dev/pinwheel/check"
	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/constraints"
	"github.com/pinwheel-dev/pinwheel/internal/termtext"
	"github.com/pinwheel-dev/pinwheel/osv"
	"github.com/pinwheel-dev/pinwheel/registry"
	"github.com/pinwheel-dev/pinwheel/state"
)

func init() { commands = append(commands, newCheckCmd) }

type checkFlags struct {
	config, indexURL, format, state, now, project string
}

func newCheckCmd() *cobra.Command {
	var fl checkFlags
	cmd := &cobra.Command{
		Use:   "check [flags] CONSTRAINTS_FILE",
		Short: "Look up every pin on the package index and show the updates",
		Long: `Look up every pin of a constraints file on the package index and print one
row per pin: name as written, current version, newest eligible version,
update type, release date, vulnerabilities the update fixes, and the error
if the look-up failed. With vulnerabilities.source osv in the config, a
vulnerable pin's row offers its security update (the lowest release fixing
every known advisory) and lists the advisories. A pin with both a major and a newer non-major update
gets a row for each; an update held back by minimum_release_age is shown as
pending with the date it becomes eligible.

Works without a config file (PyPI, no rules) and without a state file (no
HTTP cache); --state FILE keeps an HTTP cache between runs. --project NAME
applies that project's rules (its packages, python and minimum_release_age
merged over the top-level ones) instead of the top-level rules alone.` +
			exitStatus("when every look-up succeeded",
				"when some failed or some lines could not be parsed (all rows are still printed)",
				"nothing could be checked: a bad config, an unreadable constraints file or one that is not text, a state file that is locked or damaged"),
		Args: fileArg("CONSTRAINTS_FILE", "the constraints file to look up"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCheck(cmd, fl, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.config, "config", "", "config `FILE` (index, python, package rules)")
	f.StringVar(&fl.indexURL, "index-url", "", "package index `URL`, like pip's --index-url (overrides the config)")
	f.StringVar(&fl.format, "format", "text", "output `FORMAT`: text or json")
	f.StringVar(&fl.state, "state", "", "state `FILE` to keep the HTTP cache in (default: no cache)")
	f.StringVar(&fl.now, "now", "", "measure release ages at `TIME` (RFC 3339) instead of now")
	f.StringVar(&fl.project, "project", "", "apply the rules of the configured project `PATH` (needs --config)")
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
		if err := cfg.SetIndexURL(fl.indexURL); err != nil {
			return usageError(fmt.Errorf("--index-url: %w", err))
		}
	}
	now, err := parseNow(fl.now)
	if err != nil {
		return err
	}
	if now.IsZero() {
		now = time.Now()
	}
	opts, err := checkOptions(cfg, fl, now)
	if err != nil {
		return usageError(err)
	}
	data, err := constraints.ReadFile(path)
	if err != nil {
		return usageError(fmt.Errorf("read constraints: %w", err))
	}
	// A file refused whole (not text) has no rows: an empty table above
	// the refusal would only hide it.
	if err := constraints.CheckText(data); err != nil {
		return usageError(fmt.Errorf("%s: %w", path, err))
	}
	file := constraints.ParseFile(path, data)

	clientOpts := check.ClientOptions(cfg.Index, os.Getenv)
	osvOpts := osv.Options{URL: cfg.Vulnerabilities.OSVURL}
	if fl.state != "" {
		db, err := state.Open(fl.state)
		if err != nil {
			return usageError(err)
		}
		defer db.Close()
		clientOpts.Cache = db.HTTPCache()
		osvOpts.Cache = db.OSVCache()
	}
	client, err := registry.New(clientOpts)
	if err != nil {
		return usageError(fmt.Errorf("index client: %w", err))
	}
	// The progress line is for a person watching; a pipe or a log file
	// gets none.
	if f, ok := cmd.ErrOrStderr().(*os.File); ok && isTerminal(f) {
		opts.Progress = func(done, total int) {
			fmt.Fprintf(f, "\rlooked up %d/%d", done, total)
			if done == total {
				fmt.Fprint(f, "\r\033[K")
			}
		}
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
	defer stop()
	var vulnErr error
	if cfg.Vulnerabilities.Source == config.VulnOSV {
		oc, err := osv.New(osvOpts)
		if err != nil {
			return usageError(fmt.Errorf("OSV client: %w", err))
		}
		opts.Vulns, _, vulnErr = check.QueryVulnerabilities(ctx, oc, []*constraints.File{file})
	}
	rep := check.Run(ctx, client, file, opts)

	if fl.format == "json" {
		err = check.WriteJSON(cmd.OutOrStdout(), rep.Rows())
	} else {
		err = check.WriteTable(cmd.OutOrStdout(), rep.Rows())
	}
	if err != nil {
		return err
	}
	if err := check.WriteNotes(cmd.ErrOrStderr(), file); err != nil {
		return err
	}
	if vulnErr != nil {
		// The rows are printed without security data; the exit status
		// says they are incomplete.
		fmt.Fprintf(cmd.ErrOrStderr(), "%s: %v; the rows lack vulnerability data\n", path, vulnErr)
	}
	// Per pin: an advisory that could not be read, or no data at all.
	vulnErrs := rep.VulnErrors()
	for _, e := range vulnErrs {
		fmt.Fprintf(cmd.ErrOrStderr(), "%s: %s\n", termtext.Escape(path), termtext.Escape(e.Error()))
	}
	if vulnErr == nil && len(vulnErrs) > 0 {
		vulnErr = fmt.Errorf("vulnerability data incomplete (%d error(s) above)", len(vulnErrs))
	}
	failed := rep.FailedLookups()
	if vulnErr != nil && failed == 0 && len(file.Errors()) == 0 {
		return &exitError{code: 1, err: fmt.Errorf("%s: %w", path, vulnErr)}
	}
	if failed > 0 || len(file.Errors()) > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%s: %d look-up(s) failed, %d line(s) could not be parsed", path, failed, len(file.Errors()))}
	}
	return ctx.Err()
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// checkOptions are the top-level rules, or with --project that project's.
func checkOptions(cfg *config.Config, fl checkFlags, now time.Time) (check.Options, error) {
	if fl.project == "" {
		return check.OptionsFromConfig(cfg, now)
	}
	if fl.config == "" {
		return check.Options{}, fmt.Errorf("--project %s: needs --config, the file that lists the project", fl.project)
	}
	p, ok := cfg.Project(fl.project)
	if !ok {
		return check.Options{}, fmt.Errorf("--project %s: %s lists no such project", fl.project, fl.config)
	}
	return check.OptionsForProject(cfg, p, now)
}
