package demo

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/pinwheel-dev/pinwheel/indexsim"
)

// publish fills the index with the sample pins' releases, dated back from
// the demo's Wednesday.
func publish(idx *indexsim.Server) {
	day := func(n int) time.Time { return wednesday.AddDate(0, 0, -n) }
	for _, r := range []struct {
		name, version string
		at            time.Time
		requires      string
	}{
		{"requests", "2.31.0", day(500), ">=3.7"},
		{"requests", "2.32.3", day(180), ">=3.8"},
		{"requests", "2.32.4", day(40), ">=3.8"},
		{"urllib3", "2.2.1", day(400), ">=3.8"},
		{"urllib3", "2.2.3", day(300), ">=3.8"},
		{"urllib3", "2.5.0", day(20), ">=3.9"},
		{"Django", "4.2.11", day(300), ">=3.8"},
		{"Django", "4.2.20", day(60), ">=3.8"},
		{"Django", "5.2", day(30), ">=3.10"},
		{"numpy", "1.26.4", day(600), ">=3.9"},
		{"numpy", "2.3.5", day(1), ">=3.11"},
		{"numpy", "2.4.0rc1", day(1), ">=3.11"},
		{"PyYAML", "6.0.1", day(700), ">=3.6"},
		{"PyYAML", "6.0.2", day(400), ">=3.8"},
		{"six", "1.16.0", day(1500), ""},
		{"six", "1.17.0", day(350), ""},
		{"attrs", "23.2.0", day(600), ">=3.7"},
		{"attrs", "25.4.0", day(50), ">=3.8"},
	} {
		base := strings.ReplaceAll(r.name, "-", "_") + "-" + r.version
		idx.AddRelease(r.name, r.version,
			indexsim.File{Filename: base + ".tar.gz", UploadTime: r.at, RequiresPython: r.requires},
			indexsim.File{Filename: base + "-py3-none-any.whl", UploadTime: r.at, RequiresPython: r.requires})
	}
	idx.SetProjectURLs("requests", map[string]string{
		"Changelog": "https://requests.readthedocs.io/en/latest/community/updates/",
		"Source":    "https://github.com/psf/requests",
	})
	idx.SetProjectURLs("Django", map[string]string{
		"Release notes": "https://docs.djangoproject.com/en/stable/releases/",
		"Source":        "https://github.com/django/django",
	})
	idx.AddVulnerability("requests", "2.31.0", indexsim.Vulnerability{
		ID: "GHSA-9wx4-h78v-vm56", Aliases: []string{"CVE-2024-35195"},
		Summary: "Session object does not verify requests after making first request with verify=False",
		Link:    "https://osv.dev/vulnerability/GHSA-9wx4-h78v-vm56", FixedIn: []string{"2.32.0"},
	})
}

// djangoAdvisory is the OSV record the security step publishes: Django
// 4.2.11 is affected, 4.2.20 fixes it.
var djangoAdvisory = indexsim.OSVVuln{
	ID: "GHSA-demo-dj42-sqli", Package: "Django", Aliases: []string{"CVE-2025-0001", "PYSEC-2025-1"},
	Summary:  "Potential SQL injection in QuerySet.values() on PostgreSQL",
	Modified: wednesday.Add(90 * time.Minute), CVSSV3: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N",
	Ranges: [][]indexsim.OSVEvent{{{Introduced: "4.2"}, {Fixed: "4.2.20"}}},
}

// publishAdvisory publishes a vulnerability record on the OSV simulator.
func publishAdvisory(v indexsim.OSVVuln) func(context.Context, *world) (string, error) {
	return func(_ context.Context, d *world) (string, error) {
		d.idx.AddOSVVuln(v)
		return fmt.Sprintf("OSV publishes %s (%s): %s affected, fixed in %s", v.ID, v.Summary, v.Package+" "+v.Ranges[0][0].Introduced+".x", v.Ranges[0][1].Fixed), nil
	}
}

// clock is the demo's time, moved by the steps.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }
