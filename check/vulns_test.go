package check

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/pinwheel-dev/pinwheel/constraints"
	"github.com/pinwheel-dev/pinwheel/indexsim"
	"github.com/pinwheel-dev/pinwheel/osv"
)

func newOSV(t *testing.T, sim *indexsim.Server) *osv.Client {
	t.Helper()
	c, err := osv.New(osv.Options{URL: sim.OSVURL(), MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestQueryVulnerabilities(t *testing.T) {
	sim := newIndex(t)
	sim.AddOSVVuln(indexsim.OSVVuln{
		ID: "PYSEC-2026-1", Package: "requests", Aliases: []string{"CVE-2026-1", "GHSA-aaaa-bbbb-cccc"},
		Summary: "leaks credentials", Modified: now.AddDate(0, 0, -3), DatabaseSeverity: "HIGH",
		Ranges: [][]indexsim.OSVEvent{{{Introduced: "0"}, {Fixed: "2.32.3"}}},
	})
	sim.AddOSVVuln(indexsim.OSVVuln{
		ID: "PYSEC-2026-2", Package: "six", Summary: "no fix", Modified: now.AddDate(0, 0, -3),
		Ranges: [][]indexsim.OSVEvent{{{Introduced: "0"}}},
	})
	f := constraints.ParseFile("constraints.txt", []byte("requests==2.31.0\nsix==1.16.0\nDjango==4.2.0\n"))
	data, st, err := QueryVulnerabilities(context.Background(), newOSV(t, sim), []*constraints.File{f})
	if err != nil {
		t.Fatal(err)
	}
	rep := Run(context.Background(), newClient(t, sim), f, Options{Now: now, Vulns: data})
	if st.QueryBatchCalls != 1 || st.RecordFetches != 2 {
		t.Errorf("stats = %+v, want 1 querybatch and 2 record fetches", st)
	}
	checkVulnRows(t, rep, []string{
		"requests 2.32.3 security=yes fixes=PYSEC-2026-1 vulns=PYSEC-2026-1(CVE-2026-1,GHSA-aaaa-bbbb-cccc;HIGH;fixed 2.32.3)",
		"requests 3.0.0 security=no fixes= vulns=PYSEC-2026-1(CVE-2026-1,GHSA-aaaa-bbbb-cccc;HIGH;fixed 2.32.3)",
		"six  security=no fixes= vulns=PYSEC-2026-2(;;fixed )",
		"Django 4.2.9 security=no fixes= vulns=",
		"Django 5.0 security=no fixes= vulns=",
	}, "PYSEC-2026-1  security", "vulnerable, no fixed release yet: PYSEC-2026-2")
}

// checkVulnRows compares the rows of rep, as `pinwheel check --format
// json` prints them and read back, one line each ("name latest
// security=yes|no fixes=ids vulns=id(aliases;severity;fixed v),..."),
// with want, and checks that its table contains each of tableHas.
func checkVulnRows(t *testing.T, rep *Report, want []string, tableHas ...string) {
	t.Helper()
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
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var table bytes.Buffer
	if err := WriteTable(&table, rep.Rows()); err != nil {
		t.Fatal(err)
	}
	for _, w := range tableHas {
		if !strings.Contains(table.String(), w) {
			t.Errorf("table lacks %q:\n%s", w, table.String())
		}
	}
}

func TestQueryVulnerabilitiesOSVDown(t *testing.T) {
	sim := newIndex(t)
	f := constraints.ParseFile("constraints.txt", []byte("requests==2.31.0\n"))
	sim.Inject(indexsim.Fault{Count: 1, PathPrefix: "/v1/", Status: 500})
	data, _, err := QueryVulnerabilities(context.Background(), newOSV(t, sim), []*constraints.File{f})
	if err == nil || !strings.Contains(err.Error(), "vulnerability data") || data != nil {
		t.Fatalf("err = %v, data %v; want a vulnerability data error and no data", err, data)
	}
	rep := Run(context.Background(), newClient(t, sim), f, Options{Now: now, Vulns: data})
	if r := rep.Results[0]; r.Vulns != nil || r.SecurityUpdate() != nil {
		t.Errorf("no data, yet the result has some: %+v", r)
	}
}
