package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/check"
	"github.com/pinwheel-dev/pinwheel/indexsim"
	"github.com/pinwheel-dev/pinwheel/internal/golden"
)

var checkNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// checkIndex serves a small index: requests has a minor and a major update
// and a vulnerability, django is held back by the config, six is current.
func checkIndex(t *testing.T) *indexsim.Server {
	t.Helper()
	sim := indexsim.New(indexsim.Options{Clock: func() time.Time { return checkNow }})
	t.Cleanup(sim.Close)
	for _, r := range []struct {
		project, version string
		days             int
	}{
		{"requests", "2.32.3", 100}, {"requests", "2.32.4", 30}, {"requests", "3.0.0", 1},
		{"Django", "4.2.0", 300}, {"Django", "4.2.9", 20}, {"Django", "5.0", 10},
		{"six", "1.16.0", 900},
	} {
		sim.AddRelease(r.project, r.version, indexsim.File{
			Filename:   r.project + "-" + r.version + "-py3-none-any.whl",
			UploadTime: checkNow.AddDate(0, 0, -r.days),
		})
	}
	sim.AddVulnerability("requests", "2.32.3", indexsim.Vulnerability{
		ID: "GHSA-9wx4-h78v-vm56", Summary: "Session verify=False persists", FixedIn: []string{"2.32.4"},
	})
	return sim
}

func runCheckCmd(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	return execute(append([]string{"check", "--now", checkNow.Format(time.RFC3339)}, args...)...)
}

func checkConfig(t *testing.T, sim *indexsim.Server) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pinwheel.yaml")
	cfg := "index:\n  url: " + sim.IndexURL() + "\n" +
		"packages:\n  - name: django\n    allowed: \"<5\"\n  - name: requests\n    minimum_release_age: 3d\n"
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const checkFile = "requests==2.32.3\nDjango==4.2.0\nsix==1.16.0\nlocal-only==1.0  # pinwheel: ignore\nscipy>=1\n"

func TestCheckText(t *testing.T) {
	sim := checkIndex(t)
	out, errOut, err := runCheckCmd(t, "--config", checkConfig(t, sim), writeConstraints(t, checkFile))
	if err != nil {
		t.Fatalf("check: %v\nstderr: %s", err, errOut)
	}
	golden.Check(t, "check.txt", []byte(out))
	// stderr is not a terminal here: no progress line, only the unmanaged
	// line's note.
	if strings.Contains(errOut, "looked up") || !strings.Contains(errOut, "not checked (version range): scipy>=1") {
		t.Errorf("stderr:\n%q", errOut)
	}
}

func TestCheckJSON(t *testing.T) {
	sim := checkIndex(t)
	out, _, err := runCheckCmd(t, "--config", checkConfig(t, sim), "--format", "json", writeConstraints(t, checkFile))
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("output is not a JSON array: %v\n%s", err, out)
	}
	for _, row := range rows {
		for _, key := range []string{"name", "current", "latest", "update_type", "error"} {
			if _, ok := row[key]; !ok {
				t.Errorf("row %v lacks key %q", row, key)
			}
		}
	}
	golden.Check(t, "check.json", []byte(out))
}

func TestCheckFailedLookupExits1(t *testing.T) {
	sim := checkIndex(t)
	out, _, err := runCheckCmd(t, "--index-url", sim.IndexURL(), "--format", "json",
		writeConstraints(t, "requests==2.32.3\nno-such-project==1.0\n"))
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 {
		t.Fatalf("err = %v, want exit code 1", err)
	}
	var rows []check.Row
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[2].Name != "no-such-project" || rows[2].Error == "" || rows[0].Error != "" {
		t.Errorf("rows = %+v, want requests' two rows and an error row for no-such-project", rows)
	}
}

func TestCheckUsageErrorsExit2(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("index:\n  concurency: 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, args := range map[string][]string{
		"no file":       {},
		"bad format":    {"--format", "xml", "c.txt"},
		"unknown key":   {"--config", bad, "c.txt"},
		"bad index url": {"--index-url", "ftp://x", "c.txt"},
		"unknown flag":  {"--frobnicate", "c.txt"},
	} {
		_, _, err := runCheckCmd(t, args...)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != 2 {
			t.Errorf("%s: err = %v, want exit code 2", name, err)
		}
	}
}

func TestCheckStateCacheAvoidsRequests(t *testing.T) {
	sim := checkIndex(t)
	db := filepath.Join(t.TempDir(), "state.db")
	file := writeConstraints(t, "requests==2.32.3\nsix==1.16.0\n")
	for i := 0; i < 2; i++ {
		if _, _, err := runCheckCmd(t, "--index-url", sim.IndexURL(), "--state", db, file); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			sim.ResetCounters()
		}
	}
	if n := sim.Requests(); n != 0 {
		t.Errorf("second check within max-age made %d requests, want 0", n)
	}
}

func TestCheckOSV(t *testing.T) {
	sim := checkIndex(t)
	sim.AddOSVVuln(indexsim.OSVVuln{
		ID: "PYSEC-2026-7", Package: "requests", Aliases: []string{"CVE-2026-7", "GHSA-aaaa-bbbb-cccc"},
		Summary: "leaks", Modified: checkNow.AddDate(0, 0, -2), DatabaseSeverity: "HIGH",
		Ranges: [][]indexsim.OSVEvent{{{Introduced: "0"}, {Fixed: "2.32.4"}}},
	})
	path := checkConfig(t, sim)
	cfg, _ := os.ReadFile(path)
	cfg = append(cfg, []byte("vulnerabilities:\n  source: osv\n  osv_url: "+sim.OSVURL()+"\n")...)
	if err := os.WriteFile(path, cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	file := writeConstraints(t, "requests==2.32.3\nsix==1.16.0\n")
	out, errOut, err := runCheckCmd(t, "--config", path, "--format", "json", file)
	if err != nil {
		t.Fatalf("check: %v\n%s", err, errOut)
	}
	var rows []check.Row
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	// 2.32.4 is 30 days old, past requests' 3d; the security row says so.
	if len(rows) < 1 || !rows[0].Security || rows[0].Latest != "2.32.4" || strings.Join(rows[0].FixIDs, ",") != "PYSEC-2026-7" ||
		len(rows[0].Vulnerabilities) != 1 || rows[0].Vulnerabilities[0].Severity != "HIGH" {
		t.Errorf("rows = %+v, want a security row for requests 2.32.4 fixing PYSEC-2026-7", rows)
	}
	if len(sim.OSVBatches()) != 1 {
		t.Errorf("%d querybatch calls, want 1", len(sim.OSVBatches()))
	}

	// OSV refusing the batch (400 is not retried, so the test does not
	// wait out backoffs): the rows are printed without security data, exit 1.
	sim.Inject(indexsim.Fault{Count: 100, PathPrefix: "/v1/", Status: 400})
	out, errOut, err = runCheckCmd(t, "--config", path, "--format", "json", file)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(errOut, "lack vulnerability data") {
		t.Fatalf("err = %v, stderr %q; want exit 1 saying the data is missing", err, errOut)
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil || rows[0].Security {
		t.Errorf("rows = %+v (%v), want rows without security data", rows, err)
	}
}

// Under source pypi, a pin whose pinned version the JSON API does not
// answer has its vulnerability data missing: stderr names the pin and
// the setting to change, the rows are printed, and the exit status (1)
// says they are incomplete.
func TestCheckPyPIDetailsMissing(t *testing.T) {
	sim := checkIndex(t)
	sim.Inject(indexsim.Fault{Count: 1, PathPrefix: "/pypi/requests/2.32.3/", Status: 404})
	out, errOut, err := runCheckCmd(t, "--index-url", sim.IndexURL(), "--format", "json",
		writeConstraints(t, "requests==2.32.3\nsix==1.16.0\n"))
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 {
		t.Fatalf("err = %v, want exit code 1", err)
	}
	for _, want := range []string{"requests 2.32.3: vulnerability details missing", "404", "vulnerabilities.source to osv"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	var rows []check.Row
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 || rows[0].Name != "requests" || rows[0].Latest == "" || rows[0].Security || len(rows[0].Vulnerabilities) != 0 {
		t.Errorf("rows = %+v, want requests' update without security data", rows)
	}
}

// A file that is not text is refused whole: the refusal is all that is
// printed (no empty table), and it is a usage error.
func TestCheckRefusesABinaryFile(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"NUL bytes", []byte("requests==2.32.3\n\x00\x01\x02")},
		{"not UTF-8", []byte("requests==2.32.3\n\xff\xfe\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "constraints.txt")
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			stdout, stderr, code := runCLI(t, "check", "--now", checkNow.Format(time.RFC3339), "--index-url", "http://127.0.0.1:1/simple", path)
			if code != 2 || !strings.Contains(stderr, "not a text file") {
				t.Errorf("exit %d, stderr %q; want 2 and the refusal", code, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
		})
	}
}
