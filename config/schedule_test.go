package config

import (
	"testing"
	"time"
)

func TestScheduleContainsAcrossDST(t *testing.T) {
	prague, err := time.LoadLocation("Europe/Prague")
	if err != nil {
		t.Fatal(err)
	}
	weekend := Schedule{Days: []time.Weekday{time.Saturday, time.Sunday}, Location: prague, Hours: HourRange{9, 17}}
	night := Schedule{Days: []time.Weekday{time.Sunday}, Location: prague, Hours: HourRange{2, 3}}
	utc := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name string
		s    Schedule
		at   string
		want bool
	}{
		// 2026-03-29 (Sunday): Prague moves from CET (UTC+1) to CEST (UTC+2) at 02:00.
		{"Saturday 08:30 CET is before 9", weekend, "2026-03-28T07:30:00Z", false},
		{"Saturday 09:00 CET opens", weekend, "2026-03-28T08:00:00Z", true},
		{"Sunday 09:30 CEST: same UTC hour as 08:30 the day before", weekend, "2026-03-29T07:30:00Z", true},
		{"Sunday 08:59 CEST is before 9", weekend, "2026-03-29T06:59:00Z", false},
		{"Sunday 16:59 CEST is open", weekend, "2026-03-29T14:59:00Z", true},
		{"Sunday 17:00 CEST closes", weekend, "2026-03-29T15:00:00Z", false},
		{"Sunday 01:59 CET, just before the gap", night, "2026-03-29T00:59:00Z", false},
		{"Sunday 03:00 CEST: 02:xx never happens", night, "2026-03-29T01:00:00Z", false},
		// 2026-10-25 (Sunday): back from CEST to CET at 03:00, so 02:xx happens twice.
		{"first 02:30 (CEST)", night, "2026-10-25T00:30:00Z", true},
		{"second 02:30 (CET)", night, "2026-10-25T01:30:00Z", true},
		{"03:30 CET", night, "2026-10-25T02:30:00Z", false},
		{"Sunday 16:30 CET is open", weekend, "2026-10-25T15:30:00Z", true},
		{"Sunday 17:30 CET is closed", weekend, "2026-10-25T16:30:00Z", false},
		// Weekday boundary in local time: Friday 23:30 UTC is Saturday 00:30 in Prague.
		{"Friday in UTC, Saturday in Prague", Schedule{Days: []time.Weekday{time.Saturday}, Location: prague, Hours: AllDay}, "2026-06-05T23:30:00Z", true},
		{"nil location is UTC", Schedule{Days: []time.Weekday{time.Saturday}, Hours: AllDay}, "2026-06-05T23:30:00Z", false},
		{"the zero schedule never opens", Schedule{}, "2026-06-06T12:00:00Z", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.Contains(utc(tt.at)); got != tt.want {
				t.Errorf("Contains(%s = %s local) = %v; want %v", tt.at, utc(tt.at).In(prague).Format("Mon 15:04 MST"), got, tt.want)
			}
		})
	}
}

func TestParseHourRange(t *testing.T) {
	good := map[string]HourRange{"9-17": {9, 17}, "0-24": {0, 24}, " 6 - 9 ": {6, 9}, "23-24": {23, 24}}
	for in, want := range good {
		if got, err := ParseHourRange(in); err != nil || got != want {
			t.Errorf("ParseHourRange(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "9", "17-9", "9-9", "0-25", "9:00-17:00", "-1-5", "9-17,20-22"} {
		if got, err := ParseHourRange(in); err == nil {
			t.Errorf("ParseHourRange(%q) = %v; want an error", in, got)
		}
	}
}

func TestParseDay(t *testing.T) {
	for in, want := range map[string]time.Weekday{"mon": time.Monday, "MONDAY": time.Monday, "Thu": time.Thursday, "thurs": time.Thursday, "sun": time.Sunday} {
		if got, ok := parseDay(in); !ok || got != want {
			t.Errorf("parseDay(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "mo", "funday", "7"} {
		if _, ok := parseDay(in); ok {
			t.Errorf("parseDay(%q) accepted", in)
		}
	}
}
