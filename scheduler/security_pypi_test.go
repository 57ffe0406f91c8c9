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

// pypiEnv is newEnv with the default vulnerabilities source (pypi): the
// JSON API lists for requests 2.31.0 an advisory fixed in 2.32.0
// (released yesterday, younger than requests' minimum release age), for
// certifi 2023.7.22 one with no fix, and for requests a withdrawn one.
func pypiEnv(t *testing.T, projectYAML string) *env {
	t.Helper()
	e := newEnv(t, projectYAML)
	e.release("requests", "2.32.0", wednesday.Add(-24*time.Hour))
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
	e.cfg.Packages = []config.PackageRule{{Name: "requests", MinimumReleaseAge: config.Duration(7 * 24 * time.Hour)}}
	return e
}

// With the default source, a weekday run opens the security MR only, from
// the JSON API's fixed_in, and the dashboard lists the vulnerable pins.
func TestSecurityUpdateFromPyPI(t *testing.T) {
	e := pypiEnv(t, unlimited)
	e.mustRun()
	open := e.openMRs()
	if len(open) != 1 {
		t.Fatalf("open MRs %v, want only the security MR", slices.Sorted(maps.Keys(open)))
	}
	mr := e.mrFor(brRequests)
	if mr.Title != secTitle || !slices.Contains(mr.Labels, "security") {
		t.Errorf("MR %q labels %v, want %q labelled security", mr.Title, mr.Labels, secTitle)
	}
	for _, want := range []string{"### Security advisories fixed", "GHSA-9wx4-h78v-vm56", "`CVE-2024-35195`, `PYSEC-2024-60`"} {
		if !strings.Contains(mr.Description, want) {
			t.Errorf("description lacks %q:\n%s", want, mr.Description)
		}
	}
	if strings.Contains(mr.Description, "PYSEC-2026-7") {
		t.Errorf("description lists the withdrawn advisory:\n%s", mr.Description)
	}
	if got, _ := e.gl.File(e.proj, brRequests, "constraints.txt"); !strings.Contains(string(got), "requests==2.32.0\n") {
		t.Errorf("branch constraints:\n%s", got)
	}
	body := e.dashboard().Description
	vulns := section(body, "Vulnerabilities")
	for _, want := range []string{"| requests | `2.31.0` |", "`2.32.0` |", "| certifi | `2023.7.22` | [PYSEC-2026-99](https://osv.dev/vulnerability/PYSEC-2026-99) |", "no fixed release yet |"} {
		if !strings.Contains(vulns, want) {
			t.Errorf("Vulnerabilities section lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(vulns, "PYSEC-2026-7") {
		t.Errorf("Vulnerabilities section lists the withdrawn advisory:\n%s", body)
	}
	// The next run keeps it as is: nothing doubled.
	sha := mr.SHA()
	e.mustRun()
	if got := e.mrFor(brRequests); got.SHA() != sha || len(e.openMRs()) != 1 {
		t.Errorf("second run changed the MRs: %q %s", got.Title, got.SHA())
	}
}
