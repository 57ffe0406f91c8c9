package main

import "time"

// clockFrom is the real clock, or, when at is set (--now), one that
// starts at at and moves on at the real pace.
func clockFrom(at time.Time) func() time.Time {
	if at.IsZero() {
		return time.Now
	}
	start := time.Now()
	return func() time.Time { return at.Add(time.Since(start)) }
}
