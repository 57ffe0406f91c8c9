package scheduler_test

import (
	"strings"
	"testing"

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
