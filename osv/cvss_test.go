package osv

import (
	"strings"
	"testing"
)

func TestBaseScore(t *testing.T) {
	huge := "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" + strings.Repeat("/AV:N", 1<<16)
	tests := []struct {
		name, typ, vector string
		want              float64
		ok                bool
	}{
		// CVSS v3.1 specification examples (first.org/cvss/v3.1/examples).
		{"v3.1 critical", "CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, true},
		{"v3.1 scope changed", "CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, true},
		{"v3.1 local", "CVSS_V3", "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", 5.5, true},
		{"v3.1 high complexity", "CVSS_V3", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9, true},
		{"v3.0", "CVSS_V3", "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5, true},
		{"v3.1 changed PR:L", "CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9, true},
		{"v3.1 no impact", "CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0, true},
		{"v3.1 temporal metrics ignored", "CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:U", 9.8, true},

		// CVSS v4.0: FIRST's calculator (first.org/cvss/calculator/4-0)
		// and the v4.0 examples document (first.org/cvss/v4-0/examples).
		{"v4 critical", "CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3, true},
		{"v4 all high", "CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", 10, true},
		{"v4 no impact", "CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", 0, true},
		{"v4 low impacts", "CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N", 6.9, true},
		{"v4 local AT:P", "CVSS_V4", "CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 7.3, true},
		{"v4 UI:P", "CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 7.7, true},
		{"v4 threat E:U", "CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U", 5.2, true},
		{"v4 UI:A", "CVSS_V4", "CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N", 4.6, true},

		// Types and versions it does not score.
		{"v2", "CVSS_V2", "AV:N/AC:L/Au:N/C:P/I:P/A:P", 0, false},
		{"ubuntu", "Ubuntu", "high", 0, false},
		{"v2 prefix under V3", "CVSS_V3", "CVSS:2.0/AV:N", 0, false},
		{"v4 vector under V3", "CVSS_V3", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 0, false},
		{"v3 vector under V4", "CVSS_V4", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 0, false},
		{"unknown v3 minor", "CVSS_V3", "CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 0, false},

		// Invalid and hostile vectors.
		{"v3 missing metric", "CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", 0, false},
		{"v3 bad value", "CVSS_V3", "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 0, false},
		{"v3 duplicate metric", "CVSS_V3", "CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 0, false},
		{"v3 unknown metric", "CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:Q", 0, false},
		{"v3 trailing slash", "CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/", 0, false},
		{"v3 header only", "CVSS_V3", "CVSS:3.1/", 0, false},
		{"v4 missing metric", "CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N", 0, false},
		{"v4 duplicate metric", "CVSS_V4", "CVSS:4.0/AV:N/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 0, false},
		{"v4 bad value", "CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:Q/SC:N/SI:N/SA:N", 0, false},
		{"v4 header only", "CVSS_V4", "CVSS:4.0/", 0, false},
		{"v4 truncated", "CVSS_V4", "CVSS:4.0/AV:N", 0, false},
		{"garbage", "CVSS_V3", "CVSS:3.1/\x00\xff::://", 0, false},
		{"huge", "CVSS_V3", huge, 0, false},
		{"empty", "CVSS_V3", "", 0, false},
		{"empty v4", "CVSS_V4", "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Severity{Type: tt.typ, Score: tt.vector}.BaseScore()
			if got != tt.want || ok != tt.ok {
				t.Errorf("BaseScore(%s, %.80s) = %v, %v; want %v, %v", tt.typ, tt.vector, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestRating(t *testing.T) {
	tests := []struct {
		score float64
		want  string
	}{
		{0, "NONE"}, {0.1, "LOW"}, {3.9, "LOW"}, {4, "MEDIUM"}, {6.9, "MEDIUM"},
		{7, "HIGH"}, {8.9, "HIGH"}, {9, "CRITICAL"}, {10, "CRITICAL"},
		{-1, ""}, {10.1, ""},
	}
	for _, tt := range tests {
		if got := Rating(tt.score); got != tt.want {
			t.Errorf("Rating(%v) = %q, want %q", tt.score, got, tt.want)
		}
	}
}

func TestSeverityText(t *testing.T) {
	tests := []struct {
		a    Advisory
		want string
	}{
		{Advisory{}, ""},
		{Advisory{DatabaseSeverity: "MODERATE"}, "MODERATE"},
		{Advisory{DatabaseSeverity: "LOW", Severity: []Severity{{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}}, "CRITICAL 9.8"},
		{Advisory{Affected: []Affected{{Severity: []Severity{{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}}}}}, "HIGH 7.5"},
		// An invalid v4 vector falls back to the database's word.
		{Advisory{Severity: []Severity{{Type: "CVSS_V4", Score: "CVSS:4.0/AV:N"}}, DatabaseSeverity: "HIGH"}, "HIGH"},
		// A record whose only severity is CVSS v4.
		{Advisory{Severity: []Severity{{Type: "CVSS_V4", Score: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}}}, "CRITICAL 9.3"},
		{Advisory{Affected: []Affected{{Severity: []Severity{{Type: "CVSS_V4", Score: "CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N"}}}}}, "MEDIUM 4.6"},
		// Several: the first scorable in record order, whatever its version.
		{Advisory{Severity: []Severity{
			{Type: "CVSS_V2", Score: "AV:N/AC:L/Au:N/C:P/I:P/A:P"},
			{Type: "CVSS_V4", Score: "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"},
			{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
		}}, "HIGH 7.7"},
		{Advisory{Severity: []Severity{
			{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
			{Type: "CVSS_V4", Score: "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"},
		}}, "CRITICAL 9.8"},
		// A broken first vector is skipped for a good later one.
		{Advisory{Severity: []Severity{
			{Type: "CVSS_V4", Score: "CVSS:4.0/garbage"},
			{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"},
		}}, "HIGH 7.5"},
	}
	for _, tt := range tests {
		if got := tt.a.SeverityText(); got != tt.want {
			t.Errorf("SeverityText(%+v) = %q, want %q", tt.a, got, tt.want)
		}
	}
}
