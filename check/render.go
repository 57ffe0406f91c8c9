package check

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pinwheel-dev/pinwheel/constraints"
	"github.com/pinwheel-dev/pinwheel/internal/termtext"
	"github.com/pinwheel-dev/pinwheel/plan"
)

// Row is one printed row of `pinwheel check`: a pin with one offered
// update, or a pin that is up to date, ignored or failed. Its JSON form is
// the command's contract (README.md, "pinwheel check"): every key is always
// present, latest is "" when up to date and error is "" unless the look-up
// failed.
type Row struct {
	Name string `json:"name"` // as written in the file
	Line int    `json:"line"`
	// Marker is the line's environment marker, "" when none: a package
	// pinned per Python has one row set per line.
	Marker  string `json:"marker"`
	Current string `json:"current"`
	Latest  string `json:"latest"`
	// UpdateType is major, minor or patch; "" without an update.
	UpdateType string `json:"update_type"`
	// Major marks the separate major-update row (Renovate's split).
	Major       bool       `json:"major"`
	Pending     bool       `json:"pending"`
	EligibleAt  *time.Time `json:"eligible_at"`
	ReleaseDate *time.Time `json:"release_date"`
	Ignored     bool       `json:"ignored"`
	Error       string     `json:"error"`
	// Vulnerabilities are the advisories affecting the pinned version
	// (from OSV with vulnerabilities: source osv, from the JSON API's
	// vulnerabilities with source pypi, there for a pin with an update
	// only), on every row of the pin.
	Vulnerabilities []Vulnerability `json:"vulnerabilities"`
	// Security marks a security update; FixIDs are the ids of the
	// advisories the row's update fixes (fixIDs).
	Security bool     `json:"security"`
	FixIDs   []string `json:"fixes"`
}

// Vulnerability is one advisory affecting a pin.
type Vulnerability struct {
	ID      string   `json:"id"`
	Aliases []string `json:"aliases"`
	Summary string   `json:"summary"`
	// Severity is the CVSS rating and score, or the database's word; ""
	// when OSV gives none.
	Severity string `json:"severity"`
	// FixedIn is the pin's security update when it fixes this advisory,
	// "" when no release fixes it yet.
	FixedIn string `json:"fixed_in"`
	Link    string `json:"link"`
}

func vulnRows(v *Vulns) []Vulnerability {
	out := []Vulnerability{}
	if v == nil {
		return out
	}
	for _, a := range v.Affecting {
		aliases := append([]string{}, a.Aliases...)
		fixed := v.FixedIn
		if slices.Contains(v.Unfixed, a.ID) {
			fixed = ""
		}
		out = append(out, Vulnerability{ID: a.ID, Aliases: aliases, Summary: a.Summary, Severity: a.SeverityText(), FixedIn: fixed, Link: a.Link()})
	}
	return out
}

// fixIDs are the ids of the advisories that moving the pin to u fixes:
// the security update's (u.Fixes, from the vulnerabilities source), or
// else those of the JSON API's vulnerabilities of the pinned version with
// a fixed_in at or below u.To (Result.Fixes), as the merge request
// describes it (mrbot: its Fixes give way to the advisories).
func fixIDs(res Result, u plan.Update) []string {
	ids := append([]string{}, u.Fixes...)
	if len(ids) > 0 {
		return ids
	}
	for _, v := range res.Fixes(u) {
		ids = append(ids, v.ID)
	}
	return ids
}

// Rows lists the report as printed rows, in file order: one per offered or
// pending update (two for a pin with both a major and a non-major one),
// one per pin without.
func (r *Report) Rows() []Row {
	rows := []Row{}
	for _, res := range r.Results {
		base := Row{Name: res.Pin.Name, Line: res.Pin.Line, Marker: res.Pin.Marker, Current: res.Pin.Version,
			Vulnerabilities: vulnRows(res.Vulns), FixIDs: []string{}}
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
			row.Security, row.FixIDs = u.Security, fixIDs(res, u)
			rows = append(rows, row)
		}
	}
	return rows
}

// VulnErrors are the report's pins' vulnerability data errors
// (Vulns.Errors), in file order: their rows lack that data.
func (r *Report) VulnErrors() []error {
	var out []error
	for _, res := range r.Results {
		if res.Vulns != nil {
			out = append(out, res.Vulns.Errors...)
		}
	}
	return out
}

// FailedLookups counts the pins whose look-up failed.
func (r *Report) FailedLookups() int {
	n := 0
	for _, res := range r.Results {
		if res.Err != nil {
			n++
		}
	}
	return n
}

// WriteJSON writes rows as one indented JSON array ([] when empty).
func WriteJSON(w io.Writer, rows []Row) error {
	if rows == nil {
		rows = []Row{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rows); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

// WriteTable writes rows as an aligned table for a person, "-" in empty
// cells. A package pinned on several lines is written "name (line N)".
// Text from the file and the index has its control characters escaped
// (termtext), so it cannot drive the terminal.
func WriteTable(w io.Writer, rows []Row) error {
	lines := map[string]map[int]bool{}
	for _, r := range rows {
		if lines[r.Name] == nil {
			lines[r.Name] = map[int]bool{}
		}
		lines[r.Name][r.Line] = true
	}
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PACKAGE\tCURRENT\tLATEST\tTYPE\tRELEASED\tFIXES\tNOTE")
	for _, r := range rows {
		released := "-"
		if r.ReleaseDate != nil {
			released = r.ReleaseDate.Format(time.DateOnly)
		}
		note := ""
		switch {
		case r.Error != "":
			note = "error: " + r.Error
		case r.Ignored:
			note = "ignored"
		case r.Pending && r.EligibleAt != nil:
			note = "pending until " + r.EligibleAt.Format(time.DateOnly)
		case r.Latest == "" && len(r.Vulnerabilities) > 0:
			note = "vulnerable, no fixed release yet"
		case r.Latest == "":
			note = "up to date"
		case r.Security && r.Major:
			note = "security, major"
		case r.Security:
			note = "security"
		case r.Major:
			note = "major"
		}
		if len(r.Vulnerabilities) > 0 && r.Latest == "" {
			var vids []string
			for _, v := range r.Vulnerabilities {
				vids = append(vids, v.ID)
			}
			note += ": " + strings.Join(vids, ",")
		}
		name := r.Name
		if len(lines[r.Name]) > 1 {
			name = fmt.Sprintf("%s (line %d)", name, r.Line)
		}
		cells := []string{name, r.Current, dash(r.Latest), dash(r.UpdateType), released, dash(strings.Join(r.FixIDs, ",")), note}
		for i, c := range cells {
			// A tab would also break the table's columns.
			cells[i] = termtext.Escape(c)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// tabwriter pads the cell before an empty NOTE; drop that padding.
	var out strings.Builder
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		if trimmed, ok := strings.CutSuffix(line, "\n"); ok {
			out.WriteString(strings.TrimRight(trimmed, " ") + "\n")
		} else {
			out.WriteString(line)
		}
	}
	if _, err := io.WriteString(w, out.String()); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// WriteNotes writes what `pinwheel check` says of a file's lines besides
// the rows: the requirements it does not check and the lines it could not
// read, one per line, with control characters escaped (termtext): the
// text is the file's own.
func WriteNotes(w io.Writer, f *constraints.File) error {
	var b strings.Builder
	for _, u := range f.Unmanaged() {
		fmt.Fprintf(&b, "%s:%d: not checked (%s): %s\n", termtext.Escape(f.Name()), u.Line, u.Reason, termtext.Escape(u.Text))
	}
	for _, e := range f.Errors() {
		b.WriteString(termtext.Escape(e.Error()) + "\n")
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write notes: %w", err)
	}
	return nil
}
