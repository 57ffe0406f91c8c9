package dashboard

import (
	"fmt"
	"strings"

	"github.com/pinwheel-dev/pinwheel/mdtext"
)

func countRows(files []DependencyFile) int {
	n := 0
	for _, f := range files {
		n += len(f.Pins) + len(f.Unmanaged)
	}
	return n
}

// writeDetected writes Detected Dependencies, one collapsed block per
// file as Renovate does, showing at most limit rows (pins and unmanaged
// lines) in all.
func writeDetected(b *strings.Builder, files []DependencyFile, limit int) {
	if len(files) == 0 {
		return
	}
	b.WriteString("## Detected Dependencies\n\n")
	total := countRows(files)
	if limit == all || limit > total {
		limit = total
	}
	if limit < total {
		fmt.Fprintf(b, "> ℹ️ **Note**\n>\n> Detected dependencies section has been truncated to keep this description within GitLab's size limit: %d of %d lines are not shown.\n\n", total-limit, total)
	}
	left := limit
	for _, f := range files {
		fmt.Fprintf(b, "<details><summary>%s (%d)</summary>\n\n", mdtext.HTML(f.Path, mdtext.Short), len(f.Pins))
		pins, unmanaged := f.Pins, f.Unmanaged
		pins = pins[:min(len(pins), left)]
		left -= len(pins)
		unmanaged = unmanaged[:min(len(unmanaged), left)]
		left -= len(unmanaged)
		if len(pins) > 0 {
			b.WriteString("| Line | Package | Version | Status |\n|---:|---|---|---|\n")
			for _, p := range pins {
				status := "managed"
				if p.Ignored {
					status = "ignored"
				}
				if p.Note != "" {
					status += ": " + mdtext.CellText(p.Note, mdtext.Short)
				}
				fmt.Fprintf(b, "| %d | %s | %s | %s |\n", p.Line, mdtext.Cell(p.Name, mdtext.Short), mdtext.Cell(p.Version, mdtext.Short), status)
			}
			b.WriteString("\n")
		}
		if len(unmanaged) > 0 {
			b.WriteString("Lines pinwheel does not manage:\n\n")
			for _, u := range unmanaged {
				fmt.Fprintf(b, " - line %d: %s", u.Line, mdtext.Code(u.Text, mdtext.Long))
				if u.Reason != "" {
					b.WriteString(" (" + mdtext.Text(u.Reason, mdtext.Short) + ")")
				}
				b.WriteString("\n")
			}
			b.WriteString("\n")
		}
		if len(f.References) > 0 {
			b.WriteString("Files it refers to (listed, not followed):\n\n")
			for _, r := range f.References {
				fmt.Fprintf(b, " - line %d: %s %s\n", r.Line, mdtext.Code(r.Option, mdtext.Short), mdtext.Code(r.Path, mdtext.Long))
			}
			b.WriteString("\n")
		}
		if len(f.Pins) == 0 && len(f.Unmanaged) == 0 {
			b.WriteString("No pins found.\n\n")
		}
		b.WriteString("</details>\n\n")
	}
}
