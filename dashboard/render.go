package dashboard

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pinwheel-dev/pinwheel/mdtext"
)

// MaxBodyLength is the longest description Render produces, in bytes.
// GitLab refuses descriptions over 1,048,576 characters; like Renovate's
// GitLab platform we stay at 1,000,000, and count bytes, which are never
// fewer than characters.
const MaxBodyLength = 1_000_000

// section describes one list of entries: Renovate's heading, text and
// markers, with "PR" read as "MR".
type section struct {
	title, intro string
	kind         Kind
	bulk         Kind // "" for none
	bulkLabel    string
}

var (
	secAwaitingSchedule = section{
		title:     "Awaiting Schedule",
		intro:     "The following updates are awaiting their schedule. To get an update now, click on a checkbox below.",
		kind:      KindUnschedule,
		bulk:      KindCreateAllAwaitingSchedule,
		bulkLabel: "🔐 **Create all awaiting schedule MRs at once** 🔐",
	}
	secPendingReleaseAge = section{
		title: "Pending Release Age",
		intro: "The following updates wait until their release is old enough (minimum release age). To create one now anyway, click on its checkbox.",
		kind:  KindApprove,
	}
	secRateLimited = section{
		title:     "Rate-Limited",
		intro:     "The following updates are currently rate-limited. To force their creation now, click on a checkbox below.",
		kind:      KindUnlimit,
		bulk:      KindCreateAllRateLimited,
		bulkLabel: "🔐 **Create all rate-limited MRs at once** 🔐",
	}
	secOpen = section{
		title:     "Open",
		intro:     "The following updates have all been created. To force a retry/rebase of any, click on a checkbox below.",
		kind:      KindRebase,
		bulk:      KindRebaseAllOpen,
		bulkLabel: "**Click on this checkbox to rebase all open MRs at once**",
	}
	secClosed = section{
		title: "Closed / Ignored",
		intro: "The following updates are blocked by a merge request closed without merging, and pinwheel ignores them. To recreate the merge request, click on a checkbox below.",
		kind:  KindRecreate,
	}
)

const (
	intro = "This issue lists pinwheel updates and detected dependencies. " +
		"Tick a box to ask pinwheel to act on it in its next run; pinwheel unticks it once done. " +
		"pinwheel rewrites this description on every run, so edits other than ticks are not kept."
	noUpdates = "This project currently has no pending updates or open merge requests."
	manualRun = "Check this box to trigger a request for pinwheel to run again on this project"
	footer    = "_This issue is maintained by pinwheel._"
)

// all means "no limit" in limits.
const all = -1

// limits bound what layout writes when the description would be too long.
type limits struct {
	rows    int // rows of Detected Dependencies
	entries int // entries per section list and problems
}

// Render returns the dashboard's markdown. The same Dashboard always gives
// the same text: entries are listed by branch, problems and files in the
// given order. Empty sections are left out.
//
// When the text would exceed MaxBodyLength, Render first shortens the
// Detected Dependencies section, then the lists, and says so in the text.
func Render(d Dashboard) string { return render(d, MaxBodyLength) }

func render(d Dashboard, limit int) string {
	full := layout(d, limits{rows: all, entries: all})
	if len(full) <= limit {
		return full
	}
	tooLong := func(l limits) bool { return len(layout(d, l)) > limit }
	// Search for the first count that no longer fits; one less is the
	// most that does.
	if n := sort.Search(countRows(d.Files)+1, func(n int) bool {
		return tooLong(limits{rows: n, entries: all})
	}); n > 0 {
		return layout(d, limits{rows: n - 1, entries: all})
	}
	n := sort.Search(longestList(d)+1, func(n int) bool {
		return tooLong(limits{rows: 0, entries: n})
	})
	// Every value is capped in length, so with no entries at all the text
	// is short; n == 0 cannot happen for any sensible limit.
	return layout(d, limits{rows: 0, entries: max(n-1, 0)})
}

func longestList(d Dashboard) int {
	return max(len(d.AwaitingSchedule), len(d.PendingReleaseAge), len(d.RateLimited),
		len(d.Open), len(d.Closed), len(d.Ignored), len(d.Problems), len(d.Vulnerabilities))
}

func layout(d Dashboard, l limits) string {
	var b strings.Builder
	b.WriteString(intro + "\n\n")
	lists := []struct {
		sec     section
		entries []Entry
	}{
		{secAwaitingSchedule, d.AwaitingSchedule},
		{secPendingReleaseAge, d.PendingReleaseAge},
		{secRateLimited, d.RateLimited},
		{secOpen, d.Open},
	}
	listed := false
	for _, list := range lists {
		if len(list.entries) > 0 {
			listed = true
			writeSection(&b, list.sec, list.entries, l.entries)
		}
	}
	if len(d.Closed) > 0 {
		listed = true
		writeSection(&b, secClosed, d.Closed, l.entries)
	}
	if len(d.Ignored) > 0 {
		if !listed || len(d.Closed) == 0 {
			fmt.Fprintf(&b, "## %s\n\n", secClosed.title)
		}
		listed = true
		writeIgnored(&b, d.Ignored, l.entries)
	}
	if !listed {
		b.WriteString(noUpdates + "\n\n")
	}
	writeVulnerabilities(&b, d.Vulnerabilities, l.entries)
	writeProblems(&b, d.Problems, l.entries)
	writeDetected(&b, d.Files, l.rows)
	b.WriteString("---\n\n")
	if d.ManualRunBox {
		b.WriteString(checkbox(Box{Kind: KindManualRun}, false) + manualRun + "\n\n")
	}
	b.WriteString(footer + "\n")
	return b.String()
}

// checkbox is the start of a box line, exactly as Renovate writes it.
func checkbox(b Box, ticked bool) string {
	mark := " "
	if ticked {
		mark = "x"
	}
	return " - [" + mark + "] " + b.marker()
}

func writeSection(b *strings.Builder, sec section, entries []Entry, limit int) {
	entries = slices.Clone(entries)
	slices.SortStableFunc(entries, func(x, y Entry) int { return strings.Compare(x.Branch, y.Branch) })
	fmt.Fprintf(b, "## %s\n\n%s\n\n", sec.title, sec.intro)
	shown := entries
	if limit != all && len(shown) > limit {
		shown = shown[:limit]
	}
	for _, e := range shown {
		writeEntry(b, sec.kind, e)
	}
	writeHidden(b, len(entries)-len(shown))
	if sec.bulk != "" && len(entries) > 1 {
		b.WriteString(checkbox(Box{Kind: sec.bulk}, false) + sec.bulkLabel + "\n")
	}
	b.WriteString("\n")
}

func writeHidden(b *strings.Builder, hidden int) {
	if hidden > 0 {
		fmt.Fprintf(b, " - … and %d more, not shown to keep this description within GitLab's size limit\n", hidden)
	}
}

func writeEntry(b *strings.Builder, kind Kind, e Entry) {
	title := e.Title
	if title == "" {
		title = e.Branch
	}
	t := mdtext.Text(title, mdtext.Short)
	if e.MR != nil && mdtext.Linkable(e.MR.WebURL) {
		t = "[" + t + "](" + e.MR.WebURL + ")"
	}
	if ValidBranch(e.Branch) {
		b.WriteString(checkbox(Box{Kind: kind, Branch: e.Branch}, e.Ticked) + t + "\n")
	} else {
		b.WriteString(" - " + t + " _(no checkbox: the branch name is not valid)_\n")
	}
	if d := details(e); d != "" {
		b.WriteString("   - " + d + "\n")
	}
	for _, p := range e.Packages {
		b.WriteString("   - " + mdtext.Code(p.Name, mdtext.Short) + " " + mdtext.Code(p.From, mdtext.Short) + " → " + mdtext.Code(p.To, mdtext.Short) + "\n")
	}
}

// details is the entry's second line: versions, update type, dates, MR.
func details(e Entry) string {
	var parts []string
	switch {
	case e.From != "" && e.To != "":
		parts = append(parts, mdtext.Code(e.From, mdtext.Short)+" → "+mdtext.Code(e.To, mdtext.Short))
	case e.To != "":
		parts = append(parts, "to "+mdtext.Code(e.To, mdtext.Short))
	}
	if e.UpdateType != "" {
		parts = append(parts, mdtext.Text(e.UpdateType, mdtext.Short))
	}
	if !e.Released.IsZero() {
		parts = append(parts, "released "+e.Released.UTC().Format(time.DateOnly))
	}
	if !e.Eligible.IsZero() {
		parts = append(parts, "eligible "+e.Eligible.UTC().Format("2006-01-02 15:04")+" UTC")
	}
	if mr := e.MR; mr != nil {
		if mr.IID > 0 {
			parts = append(parts, fmt.Sprintf("!%d", mr.IID))
		}
		if mr.Pipeline != "" {
			parts = append(parts, "pipeline "+pipeline(mr.Pipeline))
		}
	}
	return strings.Join(parts, " · ")
}

// pipelineIcons are for GitLab's pipeline statuses
// (https://docs.gitlab.com/api/pipelines/).
var pipelineIcons = map[string]string{
	"success":              "✅",
	"failed":               "❌",
	"running":              "🔄",
	"pending":              "⏳",
	"created":              "⏳",
	"waiting_for_resource": "⏳",
	"preparing":            "⏳",
	"scheduled":            "⏳",
	"canceled":             "🚫",
	"canceling":            "🚫",
	"skipped":              "⏭️",
	"manual":               "✋",
}

func pipeline(status string) string {
	if icon, ok := pipelineIcons[status]; ok {
		return icon + " " + status
	}
	return mdtext.Code(status, mdtext.Short)
}

func writeProblems(b *strings.Builder, problems []Problem, limit int) {
	if len(problems) == 0 {
		return
	}
	b.WriteString("## Errors\n\nThe following problems happened in the last run. pinwheel tries again on its next run; where there is a checkbox, click on it to retry sooner.\n\n")
	shown := problems
	if limit != all && len(shown) > limit {
		shown = shown[:limit]
	}
	for _, p := range shown {
		line := mdtext.Text(string(p.Kind), mdtext.Short)
		if p.Subject != "" {
			line += ": " + mdtext.Code(p.Subject, mdtext.Short)
		}
		if p.Line > 0 {
			line += fmt.Sprintf(" line %d", p.Line)
		}
		if p.Message != "" {
			line += ": " + mdtext.Code(p.Message, mdtext.Long)
		}
		if ValidBranch(p.RetryBranch) {
			b.WriteString(checkbox(Box{Kind: KindRetry, Branch: p.RetryBranch}, false) + line + "\n")
		} else {
			b.WriteString(" - " + line + "\n")
		}
	}
	writeHidden(b, len(problems)-len(shown))
	b.WriteString("\n")
}

const ignoredIntro = "The following updates are ignored because someone asked on their merge request (`@pinwheel ignore this ...`). To lift a rule, click on its checkbox."

// writeIgnored lists the ignore rules, by key, each with its unignore box.
func writeIgnored(b *strings.Builder, rules []IgnoreRule, limit int) {
	rules = slices.Clone(rules)
	slices.SortStableFunc(rules, func(x, y IgnoreRule) int { return strings.Compare(x.Key, y.Key) })
	b.WriteString(ignoredIntro + "\n\n")
	shown := rules
	if limit != all && len(shown) > limit {
		shown = shown[:limit]
	}
	for _, r := range shown {
		text := mdtext.Code(r.Package, mdtext.Short) + ": " + mdtext.Text(r.What, mdtext.Short)
		var by []string
		if r.By != "" {
			by = append(by, "by "+mdtext.Code("@"+r.By, mdtext.Short))
		}
		if r.MRIID > 0 {
			by = append(by, fmt.Sprintf("on !%d", r.MRIID))
		}
		if len(by) > 0 {
			text += " (" + strings.Join(by, " ") + ")"
		}
		if ValidBranch(r.Key) {
			b.WriteString(checkbox(Box{Kind: KindUnignore, Branch: r.Key}, false) + text + " " + ignoreMarker(r) + "\n")
		} else {
			b.WriteString(" - " + text + " _(no checkbox: the rule's key is not valid)_ " + ignoreMarker(r) + "\n")
		}
	}
	writeHidden(b, len(rules)-len(shown))
	for _, r := range rules[len(shown):] {
		b.WriteString(ignoreMarker(r) + "\n")
	}
	b.WriteString("\n")
}
