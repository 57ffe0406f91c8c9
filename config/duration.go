package config

import (
	"fmt"
	"math"
	"regexp"
	"time"
)

// Duration is a time.Duration written in Go syntax ("90m", "36h") plus days
// and weeks ("3d", "1w2d"), as release ages are naturally counted in days.
type Duration time.Duration

// String formats d in Go syntax ("72h0m0s").
func (d Duration) String() string { return time.Duration(d).String() }

// UnmarshalText parses text with ParseDuration, so Duration works in YAML,
// JSON and flags alike.
func (d *Duration) UnmarshalText(text []byte) error {
	v, err := ParseDuration(string(text))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// MarshalText formats d in Go syntax.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// durationPart is one number and its unit; the units themselves are
// checked below.
var durationPart = regexp.MustCompile(`^([0-9]+\.?[0-9]*|\.[0-9]+)([a-zA-Zµμ]*)`)

// ParseDuration parses a non-negative duration: time.ParseDuration's syntax
// with two more units, d (24h) and w (7d). Days here are 24 hours, not
// calendar days.
func ParseDuration(s string) (time.Duration, error) {
	if s == "0" {
		return 0, nil
	}
	if s == "" {
		return 0, fmt.Errorf("empty duration (want e.g. 90m, 36h, 3d, 1w2d)")
	}
	if s[0] == '-' || s[0] == '+' {
		return 0, fmt.Errorf("duration %q must not have a sign", s)
	}
	var total time.Duration
	for rest := s; rest != ""; {
		m := durationPart.FindStringSubmatch(rest)
		if m == nil || m[2] == "" {
			return 0, fmt.Errorf("invalid duration %q (want e.g. 90m, 36h, 3d, 1w2d)", s)
		}
		number, unit := m[1], m[2]
		var part time.Duration
		switch unit {
		case "d", "w":
			hours, err := time.ParseDuration(number + "h")
			if err != nil {
				return 0, fmt.Errorf("invalid duration %q: %v", s, err)
			}
			per := time.Duration(24)
			if unit == "w" {
				per = 7 * 24
			}
			if hours > math.MaxInt64/per {
				return 0, fmt.Errorf("duration %q is too long", s)
			}
			part = hours * per
		case "ns", "us", "µs", "μs", "ms", "s", "m", "h":
			var err error
			if part, err = time.ParseDuration(number + unit); err != nil {
				return 0, fmt.Errorf("invalid duration %q: %v", s, err)
			}
		default:
			return 0, fmt.Errorf("unknown unit %q in duration %q (want ms, s, m, h, d or w)", unit, s)
		}
		if total > math.MaxInt64-part {
			return 0, fmt.Errorf("duration %q is too long", s)
		}
		total += part
		rest = rest[len(m[0]):]
	}
	return total, nil
}
