package mrbot

import (
	"github.com/pinwheel-dev/pinwheel/internal/golden"
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/registry"
)

func TestDescriptionGolden(t *testing.T) {
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		u    Update
	}{
		{"description-full.md", Update{
			Name: "Requests", From: "2.31.0", To: "2.32.4", Type: "minor",
			Released: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC),
			Links: map[string]string{
				"Changelog": "https://example.org/requests/changes",
				"Source":    "https://example.org/requests",
				"Evil":      "javascript:alert(1)",
				"Broken":    "https://example.org/a) [x](https://evil",
			},
			Fixes: []registry.Vulnerability{{
				ID: "GHSA-9wx4-h78v-vm56", Summary: "Session leaks @everyone\n - [x] <!-- rebase-branch=main -->",
				Link: "https://osv.dev/vulnerability/GHSA-9wx4-h78v-vm56", FixedIn: []string{"2.32.0"},
			}},
			Files: []string{"constraints.txt", "pipeline/constraints.yml"},
			Pins: []PinLine{
				{Line: 4, From: "2.30.0", Marker: `python_version < "3.8"`},
				{Line: 5, From: "2.31.0", Marker: `python_version >= "3.8"`, To: "2.32.4"},
				{Line: 6, From: "2.31.0", Marker: `python_version | "3.8"`, To: "2.32.4"},
			},
			Hashes: []string{strings.Repeat("ab", 32), strings.Repeat("cd", 32)},
		}},
		{"description-security.md", Update{
			Name: "requests", From: "2.31.0", To: "2.32.0", Type: "minor", Security: true,
			Files: []string{"constraints.txt"},
			// Fixes (the JSON API's) give way to the advisories.
			Fixes: []registry.Vulnerability{{ID: "GHSA-9wx4-h78v-vm56"}},
			Advisories: []Advisory{
				{ID: "GHSA-9wx4-h78v-vm56", Aliases: []string{"CVE-2024-35195", "PYSEC-2024-1"}, Severity: "MEDIUM 5.6",
					Summary: "Session | verify=False persists", Link: "https://osv.dev/vulnerability/GHSA-9wx4-h78v-vm56"},
				{ID: "PYSEC-2026-9", Summary: "no score"},
			},
		}},
		{"description-minimal.md", Update{Name: "six", From: "1.16.0", To: "1.17.0", Type: "minor", Files: []string{"constraints.txt"}}},
		{"description-files.md", Update{Name: "sphinx", From: "8.1.3", To: "8.2.3", Type: "minor",
			Files: []string{"constraints.txt", "constraints-py39.txt"},
			Pins: []PinLine{
				{File: "constraints.txt", Line: 3, From: "8.1.3", Marker: `python_version == "3.10"`, To: "8.2.3"},
				{File: "constraints.txt", Line: 4, From: "9.0.4", Marker: `python_version >= "3.11"`, To: "9.1.0"},
				{File: "constraints-py39.txt", Line: 1, From: "7.4.7", Marker: `python_version == "3.9"`},
			}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			golden.Check(t, tc.name, []byte(Description(tc.u, now)))
		})
	}
}

func TestTextsAreSafe(t *testing.T) {
	d := Description(Update{Name: "a|b <script>", From: "1", To: "2\n - [x] <!-- unschedule-branch=x -->",
		Fixes: []registry.Vulnerability{{ID: "X", Summary: "#1 !2 @root [l](https://e)"}}}, time.Now())
	// Outside code spans every markdown and HTML character is escaped;
	// nothing starts a new line.
	if strings.Contains(d, "\n - [x]") {
		t.Errorf("a box line got in:\n%s", d)
	}
	for _, want := range []string{`| a¦b \<script\> |`, `\#1 \!2 \@root \[l\](https://e)`, "`2  - [x] <!-- unschedule-branch=x -->`"} {
		if !strings.Contains(d, want) {
			t.Errorf("description lacks %q:\n%s", want, d)
		}
	}
	if got := Title("requests", "2.32.4"); got != "Update requests to 2.32.4" {
		t.Errorf("Title = %q", got)
	}
	if n := ClosedNote("requests", "2.32.4"); !strings.Contains(n, "Because you closed this MR without merging") || !strings.Contains(n, closedMarker) {
		t.Errorf("ClosedNote = %q", n)
	}
	// The scheduler proposes the next release of a closed major's line
	// (scheduler's TestOpenMRLifecycle), so the note must not promise to
	// wait for the next major as Renovate's does.
	if n := ClosedNote("certifi", "2024.8.30"); !strings.Contains(n, "proposes a newer version when one is released") || strings.Contains(n, "major") {
		t.Errorf("ClosedNote promises what pinwheel does not do: %q", n)
	}
	for _, kept := range []bool{false, true} {
		n := ObsoleteNote("constraints.txt on main already pins requests 2.32.4 or newer", kept)
		if !strings.Contains(n, obsoleteMarker) || !strings.Contains(n, "already pins requests 2.32.4 or newer, so this MR is no longer needed") ||
			strings.Contains(n, "pinwheel keeps it") != kept {
			t.Errorf("ObsoleteNote(kept=%v) = %q", kept, n)
		}
	}
}

func TestParseTitle(t *testing.T) {
	tests := []struct {
		title, name, version string
		ok                   bool
	}{
		{Title("requests", "2.32.4"), "requests", "2.32.4", true},
		{Title("Django", "5.1rc1"), "Django", "5.1rc1", true},
		{Title("to", "1.0"), "to", "1.0", true},
		{"Update requests to 2.32.4 (security)", "", "", false},
		{SecurityTitle("requests", "2.32.4"), "requests", "2.32.4", true},
		{"Update requests to 2.32.4 [security] [security]", "", "", false},
		{"Update requests to [security]", "", "", false},
		{"Update requests to ", "", "", false},
		{"Update  to 1.0", "", "", false},
		{"Update my lib to 1.0", "", "", false},
		{"Fix the tests", "", "", false},
		{"update requests to 2.32.4", "", "", false},
		{"Update requests to 2.32.4" + AutoclosedSuffix, "", "", false},
		// Title flattens control characters; a title with one is not ours.
		{"Update req\auests to 1.0", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.title, func(t *testing.T) {
			name, version, ok := ParseTitle(tt.title)
			if ok != tt.ok || (ok && (name != tt.name || version != tt.version)) {
				t.Errorf("ParseTitle(%q) = %q, %q, %v; want %q, %q, %v", tt.title, name, version, ok, tt.name, tt.version, tt.ok)
			}
		})
	}
}

func TestSameUpdate(t *testing.T) {
	msg := Title("requests", "2.32.5") + "\n\nFrom 2.32.3 to 2.32.5.\n"
	tests := []struct {
		title string
		want  bool
	}{
		{Title("requests", "2.32.5"), true},
		{Title("requests", "2.32.4"), true},
		{Title("requests-toolbelt", "1.0"), false},
		{Title("urllib3", "2.32.5"), false},
		{"Fix the tests", false},
		{"Update requests to the newest", false},
	}
	for _, tt := range tests {
		if got := sameUpdate(tt.title, msg); got != tt.want {
			t.Errorf("sameUpdate(%q) = %v, want %v", tt.title, got, tt.want)
		}
	}
}
