package retry

import (
	"net/http"
	"testing"
	"time"
)

func TestRetryable(t *testing.T) {
	for status, want := range map[int]bool{200: false, 304: false, 404: false, 429: true, 500: true, 501: false, 502: true, 503: true, 505: false} {
		if got := Retryable(status); got != want {
			t.Errorf("Retryable(%d) = %v, want %v", status, got, want)
		}
	}
}

func TestBackoffStaysUnderItsCeiling(t *testing.T) {
	const base, limit = 500 * time.Millisecond, 3 * time.Second
	for _, tt := range []struct {
		attempt int
		ceil    time.Duration
	}{{1, base}, {2, 2 * base}, {3, 4 * base}, {4, limit}, {40, limit}} {
		for range 200 {
			if d := Backoff(tt.attempt, base, limit); d < 0 || d > tt.ceil {
				t.Fatalf("Backoff(%d) = %v, outside [0, %v]", tt.attempt, d, tt.ceil)
			}
		}
	}
}

func TestAfter(t *testing.T) {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		header string
		want   time.Duration
		ok     bool
	}{
		{"", 0, false},
		{"soon", 0, false},
		{"7", 7 * time.Second, true},
		{"-3", 0, true},
		{"99999999999999999999", 0, false}, // not an int: unreadable
		{"9223372036854775807", time.Duration(9223372036) * time.Second, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
	} {
		got, ok := After(tt.header, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("After(%q) = %v, %v; want %v, %v", tt.header, got, ok, tt.want, tt.ok)
		}
	}
}
