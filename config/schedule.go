package config

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	// Time zones are checked at load and used by the daemon; embedding the
	// database keeps both working on hosts without /usr/share/zoneinfo.
	_ "time/tzdata"
)

// Schedule is the window in which pinwheel may open and update merge
// requests for a project. The zero Schedule is never open.
type Schedule struct {
	// Days lists the weekdays the window is open.
	Days []time.Weekday
	// Location is the time zone Days and Hours are read in; nil means UTC.
	Location *time.Location
	Hours    HourRange
}

// Contains reports whether t falls in the window, reading t's weekday and
// hour on the wall clock of s.Location. Across a DST change the window
// follows the wall clock: "9-17" is 09:00 to 17:00 local time on both sides.
func (s Schedule) Contains(t time.Time) bool {
	loc := s.Location
	if loc == nil {
		loc = time.UTC
	}
	local := t.In(loc)
	return slices.Contains(s.Days, local.Weekday()) && s.Hours.Contains(local.Hour())
}

// HourRange is the hours [Start, End) of a day, 0 <= Start < End <= 24.
type HourRange struct {
	Start, End int
}

// AllDay is the whole day, the default when a schedule gives no hours.
var AllDay = HourRange{Start: 0, End: 24}

// Contains reports whether the hour (0-23) is in the range.
func (h HourRange) Contains(hour int) bool { return h.Start <= hour && hour < h.End }

// String formats h as in the config file, "9-17".
func (h HourRange) String() string { return fmt.Sprintf("%d-%d", h.Start, h.End) }

var hourRange = regexp.MustCompile(`^\s*([0-9]{1,2})\s*-\s*([0-9]{1,2})\s*$`)

// ParseHourRange parses "START-END", whole hours with START before END:
// "9-17" is 09:00 until 17:00, "0-24" the whole day. Windows across
// midnight are not supported.
func ParseHourRange(s string) (HourRange, error) {
	m := hourRange.FindStringSubmatch(s)
	if m == nil {
		return HourRange{}, fmt.Errorf("hours %q must be START-END, like \"9-17\"", s)
	}
	start, _ := strconv.Atoi(m[1])
	end, _ := strconv.Atoi(m[2])
	if end > 24 || start >= end {
		return HourRange{}, fmt.Errorf("hours %q must have 0 <= START < END <= 24", s)
	}
	return HourRange{Start: start, End: end}, nil
}

var dayNames = map[string]time.Weekday{
	"mon": time.Monday, "monday": time.Monday,
	"tue": time.Tuesday, "tues": time.Tuesday, "tuesday": time.Tuesday,
	"wed": time.Wednesday, "wednesday": time.Wednesday,
	"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday, "thursday": time.Thursday,
	"fri": time.Friday, "friday": time.Friday,
	"sat": time.Saturday, "saturday": time.Saturday,
	"sun": time.Sunday, "sunday": time.Sunday,
}

// parseDay reads a weekday's full or short English name in any case.
func parseDay(name string) (time.Weekday, bool) {
	d, ok := dayNames[strings.ToLower(strings.TrimSpace(name))]
	return d, ok
}
