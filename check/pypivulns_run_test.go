package check

import (
	"context"
	"errors"
	"fmt"
	"strings"
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
	// Beside one with no fix, one 4.2.9 fixes: the security update fixes
	// that one, and the other's fixed_in stays empty.
	sim.AddVulnerability("Django", "4.2.0", indexsim.Vulnerability{ID: "PYSEC-2026-4", Summary: "fixed", FixedIn: []string{"4.2.9"}})
	sim.AddVulnerability("six", "1.16.0", indexsim.Vulnerability{ID: "PYSEC-2026-2", Summary: "not asked"})
	f := constraints.ParseFile("constraints.txt", []byte("requests==2.31.0\nsix==1.16.0\nDjango==4.2.0\n"))
	rep := Run(context.Background(), newClient(t, sim), f, Options{Now: now, PyPIVulns: true})
	checkVulnRows(t, rep, []string{
		"requests 2.32.3 security=yes fixes=PYSEC-2026-1 vulns=PYSEC-2026-1(CVE-2026-1,GHSA-aaaa-bbbb-cccc;;fixed 2.32.3)",
		"requests 3.0.0 security=no fixes=PYSEC-2026-1 vulns=PYSEC-2026-1(CVE-2026-1,GHSA-aaaa-bbbb-cccc;;fixed 2.32.3)",
		"six  security=no fixes= vulns=",
		"Django 4.2.9 security=yes fixes=PYSEC-2026-4 vulns=PYSEC-2026-3(;;fixed ),PYSEC-2026-4(;;fixed 4.2.9)",
		"Django 5.0 security=no fixes=PYSEC-2026-4 vulns=PYSEC-2026-3(;;fixed ),PYSEC-2026-4(;;fixed 4.2.9)",
	}, "PYSEC-2026-1  security")
}

// Under source pypi, a pin whose pinned version the JSON API answers with
// a 404 or an HTML page has its vulnerability details missing (Missing,
// an error naming the pin), not none, and no security update; the other
// pins go on as usual.
func TestPyPIVulnerabilityDetailsMissing(t *testing.T) {
	for _, tt := range indexsim.NoJSONAPI {
		t.Run(tt.Name, func(t *testing.T) {
			sim := newIndex(t)
			sim.AddVulnerability("requests", "2.31.0", indexsim.Vulnerability{ID: "PYSEC-2026-1", FixedIn: []string{"2.32.3"}})
			sim.AddVulnerability("Django", "4.2.0", indexsim.Vulnerability{ID: "PYSEC-2026-3", FixedIn: []string{"4.2.9"}})
			tt.Fault.Count, tt.Fault.PathPrefix = 1, "/pypi/requests/2.31.0/"
			sim.Inject(tt.Fault)
			f := constraints.ParseFile("constraints.txt", []byte("requests==2.31.0\nDjango==4.2.0\n"))
			rep := Run(context.Background(), newClient(t, sim), f, Options{Now: now, PyPIVulns: true})

			req, django := rep.Results[0], rep.Results[1]
			if req.Err != nil || !req.Vulns.Missing() || len(req.Vulns.Errors) != 1 || len(req.Vulns.Affecting) != 0 || req.SecurityUpdate() != nil {
				t.Fatalf("requests: err %v, vulns %+v, security %v; want details missing, no security update", req.Err, req.Vulns, req.SecurityUpdate())
			}
			msg := req.Vulns.Errors[0].Error()
			for _, want := range []string{"requests 2.31.0: vulnerability details missing", tt.Says} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q lacks %q", msg, want)
				}
			}
			if len(req.Plan.Updates) == 0 {
				t.Error("requests lost its plain updates")
			}
			if django.Vulns.Missing() || django.SecurityUpdate() == nil || django.SecurityUpdate().To != "4.2.9" {
				t.Errorf("Django: vulns %+v, security %v; want its security update to 4.2.9", django.Vulns, django.SecurityUpdate())
			}
		})
	}
}

// Missing is about the whole pin: no Vulns, or errors of single
// advisories, are not missing details.
func TestVulnsMissing(t *testing.T) {
	for _, tt := range []struct {
		name string
		v    *Vulns
		want bool
	}{
		{"nil", nil, false},
		{"none", &Vulns{}, false},
		{"an advisory unreadable", &Vulns{Errors: []error{errors.New("PYSEC-1: 500")}}, false},
		{"details missing", &Vulns{Errors: []error{fmt.Errorf("x 1.0: %w: 404", ErrVulnDetailsMissing)}}, true},
	} {
		if got := tt.v.Missing(); got != tt.want {
			t.Errorf("%s: Missing() = %v, want %v", tt.name, got, tt.want)
		}
	}
}
