package dashboard

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/internal/golden"
)

var day = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

func entry(pkg, from, to, typ string) Entry {
	major := strings.SplitN(to, ".", 2)[0]
	return Entry{
		Branch:     "pinwheel/" + pkg + "-" + major + ".x",
		Title:      "Update " + pkg + " to " + to,
		From:       from,
		To:         to,
		UpdateType: typ,
		Released:   day,
	}
}

func withMR(e Entry, iid int, pipeline string) Entry {
	e.MR = &MergeRequest{
		IID:      iid,
		WebURL:   fmt.Sprintf("https://gitlab.example.com/acme/app/-/merge_requests/%d", iid),
		Pipeline: pipeline,
	}
	return e
}

func fullDashboard() Dashboard {
	pending := entry("urllib3", "2.2.3", "2.3.0", "minor")
	pending.Released = day.Add(48 * time.Hour)
	pending.Eligible = day.Add(48*time.Hour + 7*24*time.Hour)
	return Dashboard{
		AwaitingSchedule: []Entry{
			entry("requests", "2.32.3", "2.32.4", "patch"),
			entry("certifi", "2024.8.30", "2025.1.31", "major"),
		},
		PendingReleaseAge: []Entry{pending},
		RateLimited: []Entry{
			entry("numpy", "1.26.4", "2.1.3", "major"),
			entry("idna", "3.7", "3.10", "minor"),
			entry("packaging", "24.1", "24.2", "minor"),
		},
		Open: []Entry{
			withMR(entry("django", "4.2.16", "4.2.17", "patch"), 7, "success"),
			withMR(entry("flask", "3.0.3", "3.1.0", "minor"), 8, "failed"),
			withMR(Entry{Branch: "pinwheel/group-non-major", Title: "Update non-major dependencies", Packages: []PackageUpdate{
				{Name: "attrs", From: "23.2.0", To: "24.2.0"}, {Name: "click", From: "8.1.7", To: "8.1.8"},
			}}, 9, "running"),
		},
		Closed: []Entry{
			withMR(entry("sqlalchemy", "1.4.54", "2.0.36", "major"), 3, ""),
		},
		Vulnerabilities: []Vulnerable{
			{Name: "django", Version: "4.2.16", FixedIn: "4.2.17", Advisories: []Advisory{
				{ID: "GHSA-aaaa-bbbb-cccc", Aliases: []string{"CVE-2024-1", "PYSEC-2024-9"}, Severity: "HIGH 7.5", Link: "https://osv.dev/vulnerability/GHSA-aaaa-bbbb-cccc"},
				{ID: "PYSEC-2024-10", Severity: "MODERATE"},
			}},
			{Name: "legacy | thing", Version: "0.9", Advisories: []Advisory{{ID: "PYSEC-2020-1"}}},
		},
		Problems: []Problem{
			{Kind: ProblemVulnData, Subject: "OSV", Message: "vulnerability data: query OSV for 3 packages: 503 Service Unavailable"},
			{Kind: ProblemLookup, Subject: "internal-lib", Message: "look up internal-lib: GET https://pypi.example.com/simple/internal-lib/: 503 Service Unavailable", RetryBranch: "pinwheel/internal-lib"},
			{Kind: ProblemConstraint, Subject: "constraints.txt", Line: 12, Message: "cannot parse \"requests>=2\": not a pin (==)"},
			{Kind: ProblemAPI, Subject: "create merge request", Message: "POST /projects/42/merge_requests: 409 Conflict"},
		},
		Files: []DependencyFile{{
			Path: "constraints.txt",
			Pins: []Pin{
				{Line: 1, Name: "certifi", Version: "2024.8.30"},
				{Line: 2, Name: "django", Version: "4.2.16"},
				{Line: 5, Name: "legacy-thing", Version: "0.9", Ignored: true, Note: "ignoreDeps in .pinwheel.yaml"},
			},
			Unmanaged: []UnmanagedLine{
				{Line: 7, Text: "-e git+https://example.com/acme/tool.git#egg=tool", Reason: "editable install"},
				{Line: 12, Text: "requests>=2", Reason: "not a pin"},
			},
			References: []Reference{{Line: 3, Option: "-r", Path: "requirements/base.txt"}},
		}, {
			Path: "constraints-py39.txt",
			Pins: []Pin{
				{Line: 1, Name: "certifi", Version: "2024.8.30"},
				{Line: 2, Name: "private-billing", Version: "4.1", Ignored: true, Note: "ignored by configuration"},
			},
		}},
		ManualRunBox: true,
	}
}

func TestRenderGolden(t *testing.T) {
	tests := []struct {
		file string
		d    Dashboard
	}{
		{"full.md", fullDashboard()},
		{"empty.md", Dashboard{}},
		{"hostile.md", hostileDashboard()},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			golden.Check(t, tt.file, []byte(Render(tt.d)))
		})
	}
}

func TestRenderLeavesOutEmptySections(t *testing.T) {
	d := Dashboard{Open: []Entry{withMR(entry("django", "4.2.16", "4.2.17", "patch"), 7, "running")}}
	got := Render(d)
	for _, absent := range []string{"## Awaiting Schedule", "## Pending Release Age", "## Rate-Limited",
		"## Closed", "## Errors", "## Detected Dependencies", noUpdates, "manual job"} {
		if strings.Contains(got, absent) {
			t.Errorf("Render contains %q for a dashboard without it:\n%s", absent, got)
		}
	}
	if !strings.Contains(got, "## Open") {
		t.Errorf("Render lacks the Open section:\n%s", got)
	}
	// One open entry: no bulk box, as in Renovate.
	if strings.Contains(got, string(KindRebaseAllOpen)) {
		t.Errorf("bulk box rendered for a single entry:\n%s", got)
	}
}

func TestRenderBulkBoxOnlyForSeveralEntries(t *testing.T) {
	got := Render(fullDashboard())
	for _, k := range []Kind{KindCreateAllAwaitingSchedule, KindCreateAllRateLimited, KindRebaseAllOpen} {
		if n := strings.Count(got, Box{Kind: k}.marker()); n != 1 {
			t.Errorf("%s box appears %d times, want 1", k, n)
		}
	}
}

func TestRenderIsIndependentOfEntryOrder(t *testing.T) {
	d := fullDashboard()
	want := Render(d)
	slices.Reverse(d.RateLimited)
	slices.Reverse(d.AwaitingSchedule)
	if got := Render(d); got != want {
		t.Errorf("reordering entries changed the text:\n%s", got)
	}
}

func TestRenderEntryLineIsRenovates(t *testing.T) {
	d := Dashboard{AwaitingSchedule: []Entry{entry("requests", "2.32.3", "2.32.4", "patch")}}
	const want = " - [ ] <!-- unschedule-branch=pinwheel/requests-2.x -->Update requests to 2.32.4\n"
	if got := Render(d); !strings.Contains(got, want) {
		t.Errorf("Render lacks line %q:\n%s", want, got)
	}
}

func TestRenderInvalidBranchHasNoBox(t *testing.T) {
	e := entry("requests", "2.32.3", "2.32.4", "patch")
	e.Branch = "pinwheel/../../etc -->"
	got := Render(Dashboard{AwaitingSchedule: []Entry{e}})
	if ticks := Parse(got); len(ticks.boxes) != 0 {
		t.Errorf("Parse found boxes %v in a dashboard whose only branch is invalid", ticks.boxes)
	}
	if !strings.Contains(got, "no checkbox") {
		t.Errorf("entry with invalid branch not shown:\n%s", got)
	}
}

func TestRoundTrip(t *testing.T) {
	d := fullDashboard()
	if got := Parse(Render(d)).ticked(); len(got) != 0 {
		t.Errorf("Parse(Render(d)) reports ticked boxes %v, want none", got)
	}
	d.Open[1].Ticked = true        // flask
	d.RateLimited[0].Ticked = true // numpy
	d.Open[2].Ticked = true        // the group: one box for its packages
	ticks := Parse(Render(d))
	want := []Box{
		{Kind: KindRebase, Branch: "pinwheel/flask-3.x"},
		{Kind: KindRebase, Branch: "pinwheel/group-non-major"},
		{Kind: KindUnlimit, Branch: "pinwheel/numpy-2.x"},
	}
	if got := ticks.ticked(); !slices.Equal(got, want) {
		t.Errorf("ticked = %v, want %v", got, want)
	}
	// Every entry of the model has its box, and only those.
	var boxes []Box
	for b := range ticks.boxes {
		if b.Branch != "" {
			boxes = append(boxes, b)
		}
	}
	if len(boxes) != 2+1+3+3+1+1 { // sections plus the retry box
		t.Errorf("Parse found %d per-update boxes, want 11: %v", len(boxes), boxes)
	}
}
