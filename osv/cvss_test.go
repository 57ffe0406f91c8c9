package osv

import "testing"

func TestBaseScore(t *testing.T) {
	tests := []struct {
		typ, vector string
		want        float64
		ok          bool
	}{
		{"CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, true},
		{"CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, true},
		{"CVSS_V3", "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", 5.5, true},
		{"CVSS_V3", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9, true},
		{"CVSS_V3", "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5, true},
		{"CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9, true},
		{"CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0, true},
		{"CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", 0, false}, // no A
		{"CVSS_V3", "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 0, false},
		{"CVSS_V3", "CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 0, false},
		{"CVSS_V3", "CVSS:2.0/AV:N", 0, false},
		{"CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 0, false},
		{"CVSS_V3", "", 0, false},
	}
	for _, tt := range tests {
		got, ok := Severity{Type: tt.typ, Score: tt.vector}.BaseScore()
		if got != tt.want || ok != tt.ok {
			t.Errorf("BaseScore(%s) = %v, %v; want %v, %v", tt.vector, got, ok, tt.want, tt.ok)
		}
	}
	for score, want := range map[float64]string{0: "NONE", 0.1: "LOW", 3.9: "LOW", 4: "MEDIUM", 6.9: "MEDIUM", 7: "HIGH", 8.9: "HIGH", 9: "CRITICAL", 10: "CRITICAL"} {
		if got := Rating(score); got != want {
			t.Errorf("Rating(%v) = %s, want %s", score, got, want)
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
		{Advisory{Severity: []Severity{{Type: "CVSS_V4", Score: "CVSS:4.0/AV:N"}}, DatabaseSeverity: "HIGH"}, "HIGH"},
	}
	for _, tt := range tests {
		if got := tt.a.SeverityText(); got != tt.want {
			t.Errorf("SeverityText(%+v) = %q, want %q", tt.a, got, tt.want)
		}
	}
}
