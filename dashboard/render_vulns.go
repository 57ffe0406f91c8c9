package dashboard

import (
	"fmt"
	"strings"

	"github.com/pinwheel-dev/pinwheel/mdtext"
)

// Vulnerable is one pin with known vulnerabilities, for the
// Vulnerabilities section: listed whether or not a release fixes them.
type Vulnerable struct {
	Name, Version string
	// File is the constraints file, "" for a project with one.
	File       string
	Advisories []Advisory
	// FixedIn is the security update's version; "" when no release fixes
	// any advisory yet.
	FixedIn string
	// Unfixed are the ids of Advisories no release fixes yet; the
	// security update leaves them open.
	Unfixed []string
}

// Advisory is one advisory of a Vulnerable pin.
type Advisory struct {
	ID      string
	Aliases []string
	// Severity is "HIGH 7.5", "MODERATE" or "" when unknown.
	Severity string
	Link     string
}

const vulnIntro = "The following pinned versions have known vulnerabilities (OSV). " +
	"pinwheel opens a security update for each one a release fixes, at once, whatever the schedule."

func writeVulnerabilities(b *strings.Builder, vulns []Vulnerable, limit int) {
	if len(vulns) == 0 {
		return
	}
	b.WriteString("## Vulnerabilities\n\n" + vulnIntro + "\n\n")
	withFile := false
	for _, v := range vulns {
		withFile = withFile || v.File != ""
	}
	if withFile {
		b.WriteString("| File | Package | Version | Advisories | Severity | Fixed in |\n|---|---|---|---|---|---|\n")
	} else {
		b.WriteString("| Package | Version | Advisories | Severity | Fixed in |\n|---|---|---|---|---|\n")
	}
	shown := vulns
	if limit != all && len(shown) > limit {
		shown = shown[:limit]
	}
	for _, v := range shown {
		var advs, sev []string
		for _, a := range v.Advisories {
			id := mdtext.Cell(a.ID, mdtext.Short)
			if mdtext.Linkable(a.Link) {
				id = "[" + mdtext.CellText(a.ID, mdtext.Short) + "](" + a.Link + ")"
			}
			if len(a.Aliases) > 0 {
				var al []string
				for _, x := range a.Aliases {
					al = append(al, mdtext.CellText(x, mdtext.Short))
				}
				id += " (" + strings.Join(al, ", ") + ")"
			}
			advs = append(advs, id)
			if a.Severity != "" {
				sev = append(sev, mdtext.CellText(a.Severity, mdtext.Short))
			}
		}
		fixed := "no fixed release yet"
		if v.FixedIn != "" {
			fixed = mdtext.Cell(v.FixedIn, mdtext.Short)
			if len(v.Unfixed) > 0 {
				var ids []string
				for _, id := range v.Unfixed {
					ids = append(ids, mdtext.CellText(id, mdtext.Short))
				}
				fixed += " (not " + strings.Join(ids, ", ") + ": no fixed release yet)"
			}
		}
		severity := "-"
		if len(sev) > 0 {
			severity = strings.Join(sev, ", ")
		}
		if withFile {
			fmt.Fprintf(b, "| %s ", mdtext.Cell(v.File, mdtext.Short))
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", mdtext.CellText(v.Name, mdtext.Short), mdtext.Cell(v.Version, mdtext.Short),
			strings.Join(advs, "<br>"), severity, fixed)
	}
	writeHidden(b, len(vulns)-len(shown))
	b.WriteString("\n")
}
