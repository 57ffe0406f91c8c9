package scheduler_test

import (
	"strings"
	"testing"
	"time"
)

const (
	brRequests = "pinwheel/requests-2.x"
	brUrllib3  = "pinwheel/urllib3-2.x"
	brIdna     = "pinwheel/idna-3.x"
	brCertifi  = "pinwheel/certifi-2024.x"
	brSix      = "pinwheel/six-1.x"
)

var allBranches = []string{brRequests, brUrllib3, brIdna, brCertifi, brSix}

func TestWeekdayTickWeekend(t *testing.T) {
	e := newEnv(t, "")

	// Wednesday: the dashboard lists everything as awaiting schedule.
	rep := e.mustRun()
	if rep.UpdatesFound != 5 || rep.MRsOpened != 0 {
		t.Fatalf("weekday run: %+v", rep)
	}
	if n := len(e.gl.MergeRequests(e.proj)); n != 0 {
		t.Fatalf("weekday run opened %d MRs", n)
	}
	body := e.dashboard().Description
	awaiting := section(body, "Awaiting Schedule")
	for _, b := range allBranches {
		if !hasBox(awaiting, "unschedule", b) {
			t.Errorf("no unschedule box for %s:\n%s", b, body)
		}
	}
	if !strings.Contains(body, "## Detected dependencies") && !strings.Contains(body, "requests") {
		t.Errorf("no detected dependencies:\n%s", body)
	}

	// A person ticks requests; the next weekday run opens exactly that MR.
	e.tick("unschedule", brRequests)
	e.clock.Add(time.Hour)
	rep = e.mustRun()
	if rep.MRsOpened != 1 {
		t.Fatalf("after tick: %+v", rep)
	}
	open := e.openMRs()
	if len(open) != 1 {
		t.Fatalf("open MRs: %v", open)
	}
	mr := e.mrFor(brRequests)
	if mr.Title != "Update requests to 2.32.4" || !slicesContains(mr.Labels, "dependencies") {
		t.Errorf("MR: %q labels %v", mr.Title, mr.Labels)
	}
	body = e.dashboard().Description
	if hasBox(section(body, "Awaiting Schedule"), "unschedule", brRequests) {
		t.Errorf("requests still awaiting schedule:\n%s", body)
	}
	if !hasBox(section(body, "Open"), "rebase", brRequests) || strings.Contains(body, "[x]") {
		t.Errorf("requests not listed as open, or a box still ticked:\n%s", body)
	}

	// Saturday: the rest, three per run; the last one is rate-limited.
	e.clock.Set(saturday)
	rep = e.mustRun()
	if rep.MRsOpened != 3 {
		t.Fatalf("saturday: %+v", rep)
	}
	if n := len(e.openMRs()); n != 4 {
		t.Fatalf("open MRs after saturday: %d", n)
	}
	body = e.dashboard().Description
	limited := section(body, "Rate-Limited")
	if !hasBox(limited, "unlimit", brSix) {
		t.Errorf("six not rate-limited:\n%s", body)
	}
	if section(body, "Awaiting Schedule") != "" {
		t.Errorf("awaiting schedule on saturday:\n%s", body)
	}

	// Ticking unlimit bypasses the limit at once.
	e.tick("unlimit", brSix)
	e.clock.Add(time.Hour)
	rep = e.mustRun()
	if rep.MRsOpened != 1 || len(e.openMRs()) != 5 {
		t.Fatalf("unlimit: %+v, open %d", rep, len(e.openMRs()))
	}
}

func TestOpenMRLimit(t *testing.T) {
	e := newEnv(t, "    limits: {open_mrs: 2, new_mrs_per_run: 0}\n")
	e.clock.Set(saturday)
	rep := e.mustRun()
	if rep.MRsOpened != 2 || len(e.openMRs()) != 2 {
		t.Fatalf("%+v", rep)
	}
	limited := section(e.dashboard().Description, "Rate-Limited")
	if strings.Count(limited, "unlimit-branch=") != 3 {
		t.Errorf("rate-limited section:\n%s", limited)
	}
}

func slicesContains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// The window is read in the project's time zone: 23:30 UTC on Friday is
// already Saturday in Prague, 23:30 UTC on Sunday already Monday.
func TestWindowInProjectTimeZone(t *testing.T) {
	for _, tc := range []struct {
		name   string
		at     time.Time
		opened int
	}{
		{"Friday 23:30 UTC is Saturday in Prague", time.Date(2026, 11, 27, 23, 30, 0, 0, time.UTC), 5},
		{"Saturday 23:30 UTC is Sunday in Prague", time.Date(2026, 11, 28, 23, 30, 0, 0, time.UTC), 5},
		{"Sunday 23:30 UTC is Monday in Prague", time.Date(2026, 11, 29, 23, 30, 0, 0, time.UTC), 0},
		{"Saturday 08:00 in Prague, past the hours", time.Date(2026, 11, 28, 7, 0, 0, 0, time.UTC), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, "    schedule: {days: [sat, sun], timezone: Europe/Prague, hours: \"0-8\"}\n    limits: {open_mrs: 0, new_mrs_per_run: 0}\n")
			e.clock.Set(tc.at)
			if rep := e.mustRun(); rep.MRsOpened != tc.opened {
				t.Errorf("opened %d merge requests, want %d", rep.MRsOpened, tc.opened)
			}
		})
	}
}
