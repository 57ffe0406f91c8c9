package config

import (
	"strings"
	"testing"
	"time"
)

func TestCronNext(t *testing.T) {
	at := time.Date(2026, 11, 26, 4, 30, 0, 0, time.UTC) // a Thursday
	tests := []struct {
		spec string
		want time.Time
	}{
		{"", time.Date(2026, 11, 26, 5, 0, 0, 0, time.UTC)}, // the zero Cron: @hourly
		{"@hourly", time.Date(2026, 11, 26, 5, 0, 0, 0, time.UTC)},
		{"0 */2 * * *", time.Date(2026, 11, 26, 6, 0, 0, 0, time.UTC)},
		// 06:00 in Prague is 05:00 UTC in winter.
		{"TZ=Europe/Prague 0 6 * * *", time.Date(2026, 11, 26, 5, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			var c Cron
			if tt.spec != "" {
				var err error
				if c, err = ParseCron(tt.spec); err != nil {
					t.Fatal(err)
				}
			}
			if got := c.Next(at); !got.Equal(tt.want) {
				t.Errorf("Next(%s) = %s, want %s", at, got, tt.want)
			}
			want := tt.spec
			if want == "" {
				want = DefaultCron
			}
			if c.String() != want {
				t.Errorf("String() = %q, want %q", c.String(), want)
			}
		})
	}
}

func TestParseCronRejects(t *testing.T) {
	for _, spec := range []string{"every hour", "TZ=Europe/Prague", "TZ=Nowhere/Land 0 6 * * *", "61 * * * *", ""} {
		t.Run(spec, func(t *testing.T) {
			_, err := ParseCron(spec)
			if err == nil || !strings.Contains(err.Error(), "invalid cron expression") {
				t.Errorf("ParseCron(%q) = %v, want invalid cron expression", spec, err)
			}
		})
	}
}
