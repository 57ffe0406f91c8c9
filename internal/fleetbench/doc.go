// Package fleetbench holds the benchmarks of pinwheel at fleet scale: a
// check of thousands of pins, and runs over hundreds of projects, against
// the GitLab and index simulators with real latency. The simulators run in
// the benchmark's process and the work under measure in a child process
// (the test binary run again), so the peak RSS a child reports (VmHWM) is
// pinwheel's alone.
//
// The benchmarks are skipped unless PINWHEEL_FLEET_BENCH is set; the
// figures they print are in README.md's "Benchmarks".
package fleetbench
