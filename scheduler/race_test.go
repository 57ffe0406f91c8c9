//go:build race

package scheduler_test

// raceEnabled trims the longest loops under the race detector, which
// makes each run about three times slower; the plain test runs them all.
const raceEnabled = true
