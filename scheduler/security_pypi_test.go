package scheduler_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/indexsim"
)

// pypiEnv is securityEnv with the default vulnerabilities source (pypi):
// the JSON API lists for requests 2.31.0 an advisory fixed in 2.32.0, for
// certifi 2023.7.22 one with no fix, and for requests a withdrawn one.
func pypiEnv(t *testing.T, projectYAML string) *env {
	t.Helper()
	e := securityEnv(t, projectYAML)
	e.idx.AddVulnerability("requests", "2.31.0", indexsim.Vulnerability{
		ID: "GHSA-9wx4-h78v-vm56", Aliases: []string{"CVE-2024-35195", "PYSEC-2024-60"},
		Details: "Session verify=False persists", Link: "https://osv.dev/vulnerability/GHSA-9wx4-h78v-vm56",
		FixedIn: []string{"2.32.0"},
	})
	e.idx.AddVulnerability("requests", "2.31.0", indexsim.Vulnerability{
		ID: "PYSEC-2026-7", FixedIn: []string{"2.33.0"}, Withdrawn: released,
	})
	e.idx.AddVulnerability("certifi", "2023.7.22", indexsim.Vulnerability{ID: "PYSEC-2026-99", Details: "bad root"})
	if e.cfg.Vulnerabilities.Source != config.VulnPyPI {
		t.Fatalf("default vulnerabilities source %q, want pypi", e.cfg.Vulnerabilities.Source)
	}
	return e
}

// With the default source, a weekday run opens the security MR only, from
// the JSON API's fixed_in, and the dashboard lists the vulnerable pins;
// the withdrawn advisory is listed nowhere.
func TestSecurityUpdateFromPyPI(t *testing.T) {
	e := pypiEnv(t, unlimited)
	e.mustRun()
	mr, body := wantOnlySecurityMR(t, e, []string{"GHSA-9wx4-h78v-vm56", "`CVE-2024-35195`, `PYSEC-2024-60`"},
		[]string{"| requests | `2.31.0` |", "`2.32.0` |", "| certifi | `2023.7.22` | [PYSEC-2026-99](https://osv.dev/vulnerability/PYSEC-2026-99) |", "no fixed release yet |"})
	if strings.Contains(mr.Description, "PYSEC-2026-7") {
		t.Errorf("description lists the withdrawn advisory:\n%s", mr.Description)
	}
	if strings.Contains(section(body, "Vulnerabilities"), "PYSEC-2026-7") {
		t.Errorf("Vulnerabilities section lists the withdrawn advisory:\n%s", body)
	}
}

// With the default source, a JSON API that answers 404 or an HTML page
// for the pinned version leaves its vulnerabilities missing, not none:
// the open security MR is kept as it is (not retitled to the plain
// update, not closed), on a weekday as on the weekend; the dashboard
// names the pin under Errors, and the other pins go on as usual.
func TestSecurityPyPIDetailsMissing(t *testing.T) {
	for _, tt := range indexsim.NoJSONAPI {
		t.Run(tt.Name, func(t *testing.T) {
			e := pypiEnv(t, unlimited)
			e.mustRun()
			sha := e.mrFor(brRequests).SHA()

			tt.Fault.Count, tt.Fault.PathPrefix = 1000, "/pypi/requests/2.31.0/"
			e.idx.Inject(tt.Fault)
			// A day on, so the cached answer is asked again (detailsTrust).
			for _, day := range []time.Time{wednesday.Add(25 * time.Hour), saturday} {
				e.clock.Set(day)
				rep := e.mustRun()
				mr := e.mrFor(brRequests)
				if mr.Title != secTitle || mr.SHA() != sha || rep.MRsClosed != 0 {
					t.Errorf("%s: security MR changed without data: %q %s, %d closed", day.Weekday(), mr.Title, mr.SHA(), rep.MRsClosed)
				}
				body := e.dashboard().Description
				errs := section(body, "Errors")
				for _, want := range []string{"vulnerability data unavailable: `requests`", "requests 2.31.0: vulnerability details missing", tt.Says, "kept an open one as it is"} {
					if !strings.Contains(errs, want) {
						t.Errorf("%s: Errors lack %q:\n%s", day.Weekday(), want, body)
					}
				}
				if strings.Count(errs, "vulnerability details missing") != 1 {
					t.Errorf("%s: Errors name other pins:\n%s", day.Weekday(), errs)
				}
				if !hasBox(section(body, "Open"), "rebase", brRequests) {
					t.Errorf("%s: security MR not listed as open:\n%s", day.Weekday(), body)
				}
				vulns := section(body, "Vulnerabilities")
				if !strings.Contains(vulns, "| certifi | `2023.7.22` |") || strings.Contains(vulns, "| requests |") {
					t.Errorf("%s: Vulnerabilities section, want certifi only:\n%s", day.Weekday(), body)
				}
			}
			// The weekend run opened the other pins' updates as usual.
			if open := e.openMRs(); open[brUrllib3].Title != "Update urllib3 to 2.2.3" || open[brRequests].Title != secTitle {
				t.Errorf("weekend MRs %v, want the others opened beside the security MR", slices.Sorted(maps.Keys(open)))
			}
			if !slices.ContainsFunc(e.idx.Log(), func(r indexsim.Request) bool {
				return strings.HasPrefix(r.Path, "/pypi/requests/2.31.0/") && r.Status == map[bool]int{true: 404, false: 200}[tt.Fault.Status == 404]
			}) {
				t.Errorf("the JSON API was not asked for requests 2.31.0 under the fault: %v", e.idx.Log())
			}
		})
	}
}
