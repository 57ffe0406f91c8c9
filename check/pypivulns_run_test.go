package check

import (
	"bytes"
	"context"
	"encoding/json"
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
	sim.AddVulnerability("six", "1.16.0", indexsim.Vulnerability{ID: "PYSEC-2026-2", Summary: "not asked"})
	f := constraints.ParseFile("constraints.txt", []byte("requests==2.31.0\nsix==1.16.0\nDjango==4.2.0\n"))
	rep := Run(context.Background(), newClient(t, sim), f, Options{Now: now, PyPIVulns: true})
	var out bytes.Buffer
	if err := WriteJSON(&out, rep.Rows()); err != nil {
		t.Fatal(err)
	}
	var rows []Row
	if err := json.Unmarshal(out.Bytes(), &rows); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		var vulns []string
		for _, v := range r.Vulnerabilities {
			vulns = append(vulns, v.ID+"("+strings.Join(v.Aliases, ",")+";"+v.Severity+";fixed "+v.FixedIn+")")
		}
		got = append(got, r.Name+" "+r.Latest+" security="+map[bool]string{true: "yes", false: "no"}[r.Security]+
			" fixes="+strings.Join(r.FixIDs, ",")+" vulns="+strings.Join(vulns, ","))
	}
	want := []string{
		"requests 2.32.3 security=yes fixes=PYSEC-2026-1 vulns=PYSEC-2026-1(CVE-2026-1,GHSA-aaaa-bbbb-cccc;;fixed 2.32.3)",
		"requests 3.0.0 security=no fixes= vulns=PYSEC-2026-1(CVE-2026-1,GHSA-aaaa-bbbb-cccc;;fixed 2.32.3)",
		"six  security=no fixes= vulns=",
		"Django 4.2.9 security=no fixes= vulns=PYSEC-2026-3(;;fixed )",
		"Django 5.0 security=no fixes= vulns=PYSEC-2026-3(;;fixed )",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var table bytes.Buffer
	if err := WriteTable(&table, rep.Rows()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"PYSEC-2026-1  security"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, table.String())
		}
	}
}
