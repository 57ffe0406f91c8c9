package check

import (
	"context"
	"testing"

	"github.com/pinwheel-dev/pinwheel/constraints"
	"github.com/pinwheel-dev/pinwheel/indexsim"
)

// Under source pypi (PyPIVulns) the JSON API's vulnerabilities of a pin
// with an update give its Vulns and security update, as OSV's would; a pin
// without an update is never asked about, so it lists none.
func TestPyPIVulnerabilities(t *testing.T) {
	sim := newIndex(t)
	sim.AddVulnerability("requests", "2.31.0", indexsim.Vulnerability{
		ID: "PYSEC-2026-1", Aliases: []string{"CVE-2026-1", "GHSA-aaaa-bbbb-cccc"},
		Summary: "leaks credentials", FixedIn: []string{"2.32.3"},
	})
	sim.AddVulnerability("Django", "4.2.0", indexsim.Vulnerability{ID: "PYSEC-2026-3", Summary: "no fix"})
	sim.AddVulnerability("six", "1.16.0", indexsim.Vulnerability{ID: "PYSEC-2026-2", Summary: "not asked"})
	f := constraints.ParseFile("constraints.txt", []byte("requests==2.31.0\nsix==1.16.0\nDjango==4.2.0\n"))
	rep := Run(context.Background(), newClient(t, sim), f, Options{Now: now, PyPIVulns: true})
	checkVulnRows(t, rep, []string{
		"requests 2.32.3 security=yes fixes=PYSEC-2026-1 vulns=PYSEC-2026-1(CVE-2026-1,GHSA-aaaa-bbbb-cccc;;fixed 2.32.3)",
		"requests 3.0.0 security=no fixes=PYSEC-2026-1 vulns=PYSEC-2026-1(CVE-2026-1,GHSA-aaaa-bbbb-cccc;;fixed 2.32.3)",
		"six  security=no fixes= vulns=",
		"Django 4.2.9 security=no fixes= vulns=PYSEC-2026-3(;;fixed )",
		"Django 5.0 security=no fixes= vulns=PYSEC-2026-3(;;fixed )",
	}, "PYSEC-2026-1  security")
}
