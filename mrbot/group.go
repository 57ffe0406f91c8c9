package mrbot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pinwheel-dev/pinwheel/mdtext"
)

// A group merge request carries the updates of several packages (config
// groups): one branch, one commit, one row per package in its description.

// GroupTitle is a group merge request's title.
func GroupTitle(group string) string {
	return "Update " + mdtext.Flatten(group, 100) + " dependencies"
}

// ParseGroupTitle reads the group name back from a GroupTitle; ok is false
// for any other title.
func ParseGroupTitle(title string) (group string, ok bool) {
	rest, ok := strings.CutPrefix(title, "Update ")
	if !ok {
		return "", false
	}
	group, ok = strings.CutSuffix(rest, " dependencies")
	if !ok || group == "" || strings.ContainsAny(group, " ") || GroupTitle(group) != title {
		return "", false
	}
	return group, true
}

// GroupUpdate is what a group merge request's description says.
type GroupUpdate struct {
	Group string
	// Updates has one entry per package, in file order.
	Updates []Update
	// Files are the files the commit changes.
	Files []string
}

// GroupDescription is the description of a group merge request, measuring
// release ages at now.
func GroupDescription(g GroupUpdate, now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "This MR updates %d package(s) of the group %s.\n\n", len(g.Updates), mdtext.Code(g.Group, mdtext.Short))
	b.WriteString("| Package | From | To | Update type | Released | Age |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, u := range g.Updates {
		released, age := "unknown", "unknown"
		if !u.Released.IsZero() {
			released = u.Released.UTC().Format(time.DateOnly)
			age = ageText(now.Sub(u.Released))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", mdtext.CellText(u.Name, mdtext.Short), mdtext.Cell(u.From, mdtext.Short), mdtext.Cell(u.To, mdtext.Short), mdtext.CellText(u.Type, mdtext.Short), released, age)
	}
	var links []string
	for _, u := range g.Updates {
		for _, l := range linkLines(u.Links) {
			links = append(links, mdtext.Text(u.Name, 60)+": "+l)
		}
	}
	if len(links) > 0 {
		b.WriteString("\n### Links\n\n")
		for _, l := range links {
			b.WriteString("- " + l + "\n")
		}
	}
	if len(g.Files) > 0 {
		b.WriteString("\n### Files changed\n\n")
		for _, f := range g.Files {
			b.WriteString("- " + mdtext.Code(f, mdtext.Short) + "\n")
		}
	}
	b.WriteString("\n---\n\nThe project's pipeline tests this change; merge this MR once it passes. " +
		"pinwheel rebuilds the branch when a newer release of a package of the group comes out, a package leaves the group " +
		"(removed from the file or updated by a person) or the constraints file changes on the target branch, " +
		"and rewrites this description when it does. Closing this MR without merging ignores exactly these versions.\n")
	return b.String()
}

// ClosedGroupNote is the note on a group merge request closed without
// merging: exactly the versions it carried are ignored.
func ClosedGroupNote(group string, versions []string) string {
	return closedMarker + "\n### pinwheel Ignore Notification\n\n" +
		"Because you closed this MR without merging, pinwheel will ignore these updates of the group " + mdtext.Code(group, mdtext.Short) + ": " +
		mdtext.Text(strings.Join(versions, ", "), 2000) + ". " +
		"It proposes a package of the group again when a newer version of it is released. " +
		"To get these updates after all, tick the group's box under \"Closed / Ignored\" on the dependency dashboard.\n"
}

// NoteClosedGroup posts ClosedGroupNote on a merge request, unless one is
// there already.
func (bot *Bot) NoteClosedGroup(ctx context.Context, iid int64, group string, versions []string) error {
	return bot.note(ctx, iid, closedMarker, ClosedGroupNote(group, versions), "note on closed MR")
}
