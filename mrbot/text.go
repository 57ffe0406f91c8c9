package mrbot

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pinwheel-dev/pinwheel/mdtext"
	"github.com/pinwheel-dev/pinwheel/registry"
)

// Title is an update merge request's title, Renovate's wording with the
// package name as the constraints file writes it.
func Title(name, version string) string {
	return "Update " + mdtext.Flatten(name, 100) + " to " + mdtext.Flatten(version, 100)
}

// SecuritySuffix ends the title of a security update's merge request.
const SecuritySuffix = " [security]"

// SecurityTitle is a security update's merge request title: Title with
// SecuritySuffix.
func SecurityTitle(name, version string) string {
	return Title(name, version) + SecuritySuffix
}

// UpdateTitle is SecurityTitle when security is set, else Title.
func UpdateTitle(name, version string, security bool) string {
	if security {
		return SecurityTitle(name, version)
	}
	return Title(name, version)
}

// IsSecurityTitle reports whether title is a security update's (SecurityTitle).
func IsSecurityTitle(title string) bool {
	_, _, ok := ParseTitle(title)
	return ok && strings.HasSuffix(title, SecuritySuffix)
}

// ParseTitle reads the package name and version back from an update title
// (Title or SecurityTitle); ok is false for any other title, such as one a
// person wrote.
func ParseTitle(title string) (name, version string, ok bool) {
	if t, sec := strings.CutSuffix(title, SecuritySuffix); sec {
		name, version, ok = ParseTitle(t)
		return name, version, ok && SecurityTitle(name, version) == title
	}
	rest, ok := strings.CutPrefix(title, "Update ")
	if !ok {
		return "", "", false
	}
	i := strings.LastIndex(rest, " to ")
	if i <= 0 {
		return "", "", false
	}
	name, version = rest[:i], rest[i+len(" to "):]
	if strings.ContainsAny(name, " ") || version == "" || strings.ContainsAny(version, " ") {
		return "", "", false
	}
	if Title(name, version) != title {
		return "", "", false
	}
	return name, version, true
}

// Update is what a merge request description says about one update.
type Update struct {
	Name, From, To string
	// Type is "major", "minor" or "patch".
	Type string
	// Released is the release's upload time; zero when the index did not
	// say.
	Released time.Time
	// Links are the project's URLs from the index (Changelog, Source, ...).
	Links map[string]string
	// Fixes are the vulnerabilities of From that To fixes.
	Fixes []registry.Vulnerability
	// Security marks a security update; Advisories are the OSV advisories
	// of From it fixes.
	Security   bool
	Advisories []Advisory
	// Unfixed are the ids of From's advisories no release fixes yet: a
	// security update leaves them open.
	Unfixed []string
	// Files are the files the commit changes.
	Files []string
	// Pins are the lines that pin the package (under different markers,
	// or in several files); each moves to its own PinLine.To.
	Pins []PinLine
	// Hashes are the sha256 digests written as the pins' new --hash
	// options; nil when the pins carry none.
	Hashes []string
}

// Advisory is one OSV advisory a security update fixes.
type Advisory struct {
	ID string
	// Aliases are its ids in other databases (CVE, GHSA, PYSEC).
	Aliases []string
	Summary string
	// Severity is "HIGH 7.5", "MODERATE" or "" when OSV gives none.
	Severity string
	Link     string
}

// PinLine is one line pinning the package.
type PinLine struct {
	// File is the constraints file, "" when the project has one.
	File         string
	Line         int
	From, Marker string
	// To is the line's new version; "" when this update leaves it.
	To string
}

// closedMarker identifies pinwheel's note on a closed merge request.
const closedMarker = "<!-- pinwheel:closed-without-merging -->"

// obsoleteMarker identifies pinwheel's note on a merge request it closed
// because the update is no longer needed.
const obsoleteMarker = "<!-- pinwheel:autoclosed -->"

// ObsoleteNote is the note on a merge request pinwheel closes because its
// update is no longer needed (Renovate's "Autoclosed"); reason says why.
// keptBranch says the branch carries someone else's commits and stays.
func ObsoleteNote(reason string, keptBranch bool) string {
	body := obsoleteMarker + "\n### pinwheel Autoclosed\n\n" +
		"pinwheel closes this MR: " + mdtext.Text(reason, 300) + ", so this MR is no longer needed."
	if keptBranch {
		body += " The branch has commits by someone else, so pinwheel keeps it; delete it when you are done with it."
	} else {
		body += " Its branch is deleted."
	}
	return body + " If the update is needed again, pinwheel proposes it in a new MR.\n"
}

// ClosedNote is the note pinwheel leaves on an update merge request closed
// without merging (Renovate's "Renovate Ignore Notification"). Unlike
// Renovate, which ignores a closed major update's whole X.x line, pinwheel
// ignores only the closed version, for majors too: the next release of
// the line is proposed.
func ClosedNote(name, version string) string {
	return closedMarker + "\n### pinwheel Ignore Notification\n\n" +
		"Because you closed this MR without merging, pinwheel will ignore this update (" + mdtext.Code(name, mdtext.Short) + " " + mdtext.Code(version, mdtext.Short) + "); " +
		"it proposes a newer version when one is released. " +
		"To get this update after all, tick its box under \"Closed / Ignored\" on the dependency dashboard.\n"
}

// Description is the merge request description for u, measuring the
// release's age at now.
func Description(u Update, now time.Time) string {
	var b strings.Builder
	b.WriteString("This MR updates " + mdtext.Code(u.Name, mdtext.Short) + " from " + mdtext.Code(u.From, mdtext.Short) + " to " + mdtext.Code(u.To, mdtext.Short) + ".\n\n")
	b.WriteString("| Package | From | To | Update type | Released | Age |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	released, age := "unknown", "unknown"
	if !u.Released.IsZero() {
		released = u.Released.UTC().Format(time.DateOnly)
		age = ageText(now.Sub(u.Released))
	}
	fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", mdtext.CellText(u.Name, mdtext.Short), mdtext.Cell(u.From, mdtext.Short), mdtext.Cell(u.To, mdtext.Short), mdtext.CellText(u.Type, mdtext.Short), released, age)

	if len(u.Pins) > 1 || (len(u.Pins) == 1 && u.Pins[0].File != "") {
		b.WriteString("\nThe package is pinned on several lines; each moves to the newest release its Pythons allow:\n\n")
		withFile := false
		for _, p := range u.Pins {
			withFile = withFile || p.File != ""
		}
		if withFile {
			b.WriteString("| File | Line | Marker | From | To |\n|---|---:|---|---|---|\n")
		} else {
			b.WriteString("| Line | Marker | From | To |\n|---:|---|---|---|\n")
		}
		for _, p := range u.Pins {
			marker, to := "-", "unchanged"
			if p.Marker != "" {
				marker = mdtext.Cell(p.Marker, mdtext.Short)
			}
			if p.To != "" {
				to = mdtext.Cell(p.To, mdtext.Short)
			}
			if withFile {
				fmt.Fprintf(&b, "| %s ", mdtext.Cell(p.File, mdtext.Short))
			}
			fmt.Fprintf(&b, "| %d | %s | %s | %s |\n", p.Line, marker, mdtext.Cell(p.From, mdtext.Short), to)
		}
	}
	if len(u.Hashes) > 0 {
		fmt.Fprintf(&b, "\nThe `--hash` options now list the sha256 digests the index gives for the release's %d file(s):\n\n", len(u.Hashes))
		for _, h := range u.Hashes {
			b.WriteString("- " + mdtext.Code("sha256:"+h, mdtext.Short) + "\n")
		}
	}

	if links := linkLines(u.Links); len(links) > 0 {
		b.WriteString("\n### Links\n\n")
		for _, l := range links {
			b.WriteString("- " + l + "\n")
		}
	}
	if u.Security {
		writeAdvisories(&b, u)
	}
	if len(u.Fixes) > 0 && len(u.Advisories) == 0 {
		b.WriteString("\n### Vulnerabilities fixed\n\n")
		for _, v := range u.Fixes {
			line := "- " + mdtext.Code(v.ID, mdtext.Short)
			if strings.TrimSpace(v.Summary) != "" {
				line += ": " + mdtext.Text(v.Summary, 300)
			}
			if mdtext.Linkable(v.Link) {
				line += " ([advisory](" + v.Link + "))"
			}
			b.WriteString(line + "\n")
		}
	}
	if len(u.Files) > 0 {
		b.WriteString("\n### Files changed\n\n")
		for _, f := range u.Files {
			b.WriteString("- " + mdtext.Code(f, mdtext.Short) + "\n")
		}
	}
	b.WriteString("\n---\n\nThe project's pipeline tests this change; merge this MR once it passes. " +
		"pinwheel rebuilds the branch when a newer release comes out or the constraints file changes on the target branch, " +
		"and rewrites this description when it does.\n")
	return b.String()
}

// writeAdvisories is a security update's section: why the MR did not
// wait for the schedule, and one table row per advisory fixed.
func writeAdvisories(b *strings.Builder, u Update) {
	b.WriteString("\n### Security advisories fixed\n\n")
	fixed := "every known vulnerability of " + mdtext.Code(u.From, mdtext.Short)
	if len(u.Unfixed) > 0 {
		fixed += " that a release fixes"
	}
	b.WriteString("This is a security update: " + mdtext.Code(u.To, mdtext.Short) + " is the lowest release that fixes " + fixed +
		", so pinwheel opened this MR without waiting for the schedule, the release age or the MR limits.\n\n")
	if len(u.Unfixed) > 0 {
		ids := make([]string, 0, len(u.Unfixed))
		for _, id := range u.Unfixed {
			ids = append(ids, mdtext.Code(id, mdtext.Short))
		}
		b.WriteString("It does not fix " + strings.Join(ids, ", ") + ": no release does yet. The dependency dashboard lists them under Vulnerabilities.\n\n")
	}
	b.WriteString("| Advisory | Aliases | Severity | Summary |\n|---|---|---|---|\n")
	for _, a := range u.Advisories {
		id := mdtext.Cell(a.ID, mdtext.Short)
		if mdtext.Linkable(a.Link) {
			id = "[" + mdtext.CellText(a.ID, mdtext.Short) + "](" + a.Link + ")"
		}
		aliases := make([]string, 0, len(a.Aliases))
		for _, al := range a.Aliases {
			aliases = append(aliases, mdtext.Cell(al, mdtext.Short))
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", id, dashIfEmpty(strings.Join(aliases, ", ")),
			dashIfEmpty(mdtext.CellText(a.Severity, mdtext.Short)), dashIfEmpty(mdtext.CellText(a.Summary, 300)))
	}
}

func dashIfEmpty(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

func ageText(d time.Duration) string {
	switch days := int(d / (24 * time.Hour)); {
	case d < 0:
		return "unknown"
	case days == 0:
		return "less than a day"
	case days == 1:
		return "1 day"
	default:
		return fmt.Sprintf("%d days", days)
	}
}

// linkLines lists the index's links that are safe to show, sorted by
// label.
func linkLines(links map[string]string) []string {
	labels := make([]string, 0, len(links))
	for l := range links {
		labels = append(labels, l)
	}
	slices.Sort(labels)
	var out []string
	for _, l := range labels {
		if u := links[l]; mdtext.Linkable(u) {
			out = append(out, "["+mdtext.Text(l, 60)+"]("+u+")")
		}
	}
	return out
}
