package scheduler_test

import (
	"context"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/gitlabsim"
	"github.com/pinwheel-dev/pinwheel/indexsim"
	"github.com/pinwheel-dev/pinwheel/osv"
)

// securityEnv is newEnv with requests 2.32.0 released yesterday, younger
// than requests' minimum release age: on a weekday only a security
// update offers it.
func securityEnv(t *testing.T, projectYAML string) *env {
	t.Helper()
	e := newEnv(t, projectYAML)
	e.release("requests", "2.32.0", wednesday.Add(-24*time.Hour))
	e.cfg.Packages = []config.PackageRule{{Name: "requests", MinimumReleaseAge: config.Duration(7 * 24 * time.Hour)}}
	return e
}

// useOSV turns vulnerabilities (source osv) on, from the index
// simulator's OSV, with security MRs labelled security and retries that
// do not wait.
func (e *env) useOSV() {
	e.cfg.Vulnerabilities = config.Vulnerabilities{Source: config.VulnOSV, OSVURL: e.idx.OSVURL(), Labels: []string{"security"}}
	e.osv = &osv.Options{URL: e.idx.OSVURL(), MaxRetries: 2, Sleep: func(context.Context, time.Duration) error { return nil }}
}

// osvEnv is securityEnv with vulnerabilities from the index simulator's
// OSV: requests 2.31.0 has an advisory fixed in 2.32.0, certifi one with
// no fix.
func osvEnv(t *testing.T, projectYAML string) *env {
	t.Helper()
	e := securityEnv(t, projectYAML)
	e.idx.AddOSVVuln(indexsim.OSVVuln{
		ID: "GHSA-9wx4-h78v-vm56", Package: "requests", Aliases: []string{"CVE-2024-35195", "PYSEC-2024-60"},
		Summary: "Session verify=False persists", Modified: released, CVSSV3: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
		Ranges: [][]indexsim.OSVEvent{{{Introduced: "0"}, {Fixed: "2.32.0"}}},
	})
	e.idx.AddOSVVuln(indexsim.OSVVuln{
		ID: "PYSEC-2026-99", Package: "certifi", Summary: "bad root", Modified: released, DatabaseSeverity: "MODERATE",
		Ranges: [][]indexsim.OSVEvent{{{Introduced: "0"}}},
	})
	e.useOSV()
	return e
}

const secTitle = "Update requests to 2.32.0 [security]"

// wantOnlySecurityMR checks a securityEnv's weekday run: the security MR
// to requests 2.32.0 is the only open MR, labelled security, with the
// branch pinning the fix, its description holding each of description
// and the dashboard's Vulnerabilities section each of vulnerabilities;
// and the next run changes nothing. It returns the MR and the dashboard
// as the first run left them.
func wantOnlySecurityMR(t *testing.T, e *env, description, vulnerabilities []string) (gitlabsim.MergeRequest, string) {
	t.Helper()
	open := e.openMRs()
	if len(open) != 1 {
		t.Fatalf("open MRs %v, want only the security MR", slices.Sorted(maps.Keys(open)))
	}
	mr := e.mrFor(brRequests)
	if mr.Title != secTitle || !slices.Contains(mr.Labels, "security") {
		t.Errorf("MR %q labels %v, want %q labelled security", mr.Title, mr.Labels, secTitle)
	}
	for _, want := range append([]string{"### Security advisories fixed"}, description...) {
		if !strings.Contains(mr.Description, want) {
			t.Errorf("description lacks %q:\n%s", want, mr.Description)
		}
	}
	if got, _ := e.gl.File(e.proj, brRequests, "constraints.txt"); !strings.Contains(string(got), "requests==2.32.0\n") {
		t.Errorf("branch constraints:\n%s", got)
	}
	body := e.dashboard().Description
	vulns := section(body, "Vulnerabilities")
	for _, want := range vulnerabilities {
		if !strings.Contains(vulns, want) {
			t.Errorf("Vulnerabilities section lacks %q:\n%s", want, body)
		}
	}
	// The next run keeps it as is: nothing doubled.
	sha := mr.SHA()
	e.mustRun()
	if got := e.mrFor(brRequests); got.SHA() != sha || len(e.openMRs()) != 1 {
		t.Errorf("second run changed the MRs: %q %s", got.Title, got.SHA())
	}
	return mr, body
}

// A weekday run opens the security MR only: the others wait for the
// window, and the release age does not hold the fix back.
func TestSecurityUpdateOnWeekday(t *testing.T) {
	e := osvEnv(t, unlimited)
	rep := e.mustRun()
	if rep.OSV.QueryBatchCalls != 1 || rep.OSV.RecordFetches != 2 {
		t.Errorf("OSV stats %+v, want 1 querybatch and 2 record fetches", rep.OSV)
	}
	_, body := wantOnlySecurityMR(t, e, []string{"GHSA-9wx4-h78v-vm56", "`CVE-2024-35195`, `PYSEC-2024-60`", "HIGH 7.5"},
		[]string{"| requests | `2.31.0` |", "`2.32.0` |", "| certifi | `2023.7.22` | [PYSEC-2026-99](https://osv.dev/vulnerability/PYSEC-2026-99) | MODERATE | no fixed release yet |"})
	if !hasBox(section(body, "Awaiting Schedule"), "unschedule", brUrllib3) {
		t.Errorf("urllib3 not awaiting the schedule:\n%s", body)
	}
}

// An advisory no release fixes yet does not hold back the fix of the
// others: the weekday run opens the security MR for the one 2.32.0
// fixes, and the MR and the dashboard name the one it leaves open.
func TestSecurityUpdateBesideUnfixed(t *testing.T) {
	e := osvEnv(t, unlimited)
	e.idx.AddOSVVuln(indexsim.OSVVuln{
		ID: "PYSEC-2026-42", Package: "requests", Modified: released,
		Ranges: [][]indexsim.OSVEvent{{{Introduced: "0"}}},
	})
	e.mustRun()
	mr, _ := wantOnlySecurityMR(t, e,
		[]string{"GHSA-9wx4-h78v-vm56", "fixes every known vulnerability of `2.31.0` that a release fixes", "It does not fix `PYSEC-2026-42`: no release does yet."},
		[]string{"| requests | `2.31.0` |", "`2.32.0` (not PYSEC-2026-42: no fixed release yet) |"})
	if strings.Contains(strings.SplitN(mr.Description, "It does not fix", 2)[0], "PYSEC-2026-42") {
		t.Errorf("the unfixed advisory is listed as fixed:\n%s", mr.Description)
	}
}

// An advisory whose record cannot be read this run leaves the pin's data
// incomplete: the open security MR is not rebuilt down to the fix of the
// advisories that were read (still open to the other), and the next run,
// with the record back, changes nothing.
func TestSecurityIncompleteDataNeverDowngrades(t *testing.T) {
	e := securityEnv(t, unlimited)
	e.release("requests", "2.31.5", released.AddDate(0, -1, 0))
	a := indexsim.OSVVuln{ID: "GHSA-aaaa-aaaa-aaaa", Package: "requests", Modified: released,
		Ranges: [][]indexsim.OSVEvent{{{Introduced: "0"}, {Fixed: "2.32.0"}}}}
	e.idx.AddOSVVuln(a)
	e.idx.AddOSVVuln(indexsim.OSVVuln{ID: "GHSA-bbbb-bbbb-bbbb", Package: "requests", Modified: released,
		Ranges: [][]indexsim.OSVEvent{{{Introduced: "0"}, {Fixed: "2.31.5"}}}})
	e.cfg.Packages[0].MinimumReleaseAge = config.Duration(30 * 24 * time.Hour)
	e.useOSV()
	e.mustRun()
	mr := e.mrFor(brRequests)
	if mr.Title != secTitle {
		t.Fatalf("first run: %q, want %q", mr.Title, secTitle)
	}
	// OSV amends A; every fetch of its record fails this run.
	a.Modified = released.Add(time.Hour)
	e.idx.AddOSVVuln(a)
	e.idx.Inject(indexsim.Fault{Count: 3, PathPrefix: "/v1/vulns/" + a.ID, Status: 500})
	for run := 1; run <= 2; run++ {
		e.clock.Add(time.Hour)
		e.mustRun()
		got := e.mrFor(brRequests)
		if got.Title != secTitle || got.SHA() != mr.SHA() {
			t.Errorf("run %d: the security MR became %q at %s (was %s)", run, got.Title, got.SHA(), mr.SHA())
		}
		if open := e.openMRs(); len(open) != 1 {
			t.Errorf("run %d: open MRs %v, want the security MR only", run, keys(open))
		}
		errs := section(e.dashboard().Description, "Errors")
		if hasErr := strings.Contains(errs, a.ID); hasErr != (run == 1) {
			t.Errorf("run %d: unreadable record under Errors = %v:\n%s", run, hasErr, errs)
		}
	}
}

// A security MR whose version a person pinned by hand is done with,
// whatever the vulnerability data: with OSV down it is closed as
// obsolete, or, when the stream has a newer release, carries that as a
// plain update; it never stays a fix the pin already has.
func TestSecurityMRReachedWithoutData(t *testing.T) {
	for _, tt := range []struct {
		name, pin string
		title     string // "" for closed
	}{
		{"pinned past the fix, nothing newer", "requests==2.32.4", ""},
		{"pinned at the fix, a newer release", "requests==2.32.0", "Update requests to 2.32.4"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := osvEnv(t, unlimited)
			e.mustRun()
			iid := e.mrFor(brRequests).IID
			e.idx.Inject(indexsim.Fault{Count: 100, PathPrefix: "/v1/", Status: 500})
			e.editMain(t, "requests==2.31.0", tt.pin)
			e.clock.Add(time.Hour)
			e.mustRun()
			st, title, _ := e.mrByIID(t, iid)
			if tt.title == "" && st != "closed" || tt.title != "" && (st != "opened" || title != tt.title) {
				t.Errorf("security MR %q is %s, want %q (closed when empty)", title, st, tt.title)
			}
			if errs := section(e.dashboard().Description, "Errors"); !strings.Contains(errs, "vulnerability data unavailable") {
				t.Errorf("OSV down not under Errors:\n%s", errs)
			}
		})
	}
}

// A pin on several lines is below its security MR while any line is:
// with OSV down and one line moved to the fix by hand, the MR stays as
// it is.
func TestSecurityMRWithoutDataSeveralLines(t *testing.T) {
	e := osvEnv(t, unlimited)
	e.editMain(t, "requests==2.31.0", "requests==2.31.0 ; python_version >= \"3.9\"\nrequests==2.31.0 ; python_version < \"3.9\"")
	e.mustRun()
	mr := e.mrFor(brRequests)
	if mr.Title != secTitle {
		t.Fatalf("MR %q, want %q", mr.Title, secTitle)
	}
	e.idx.Inject(indexsim.Fault{Count: 100, PathPrefix: "/v1/", Status: 500})
	e.editMain(t, "requests==2.31.0 ; python_version >= \"3.9\"", "requests==2.32.0 ; python_version >= \"3.9\"")
	e.clock.Add(time.Hour)
	e.mustRun()
	if got := e.mrFor(brRequests); got.Title != mr.Title || got.SHA() != mr.SHA() {
		t.Errorf("security MR changed without data while a line is still below it: %q", got.Title)
	}
}

// The security MR bypasses the rate limits and still counts toward them.
func TestSecurityUpdateBypassesLimits(t *testing.T) {
	e := osvEnv(t, "    limits: {open_mrs: 0, new_mrs_per_run: 1}\n")
	e.idx.AddOSVVuln(indexsim.OSVVuln{
		ID: "PYSEC-2026-5", Package: "six", Modified: released,
		Ranges: [][]indexsim.OSVEvent{{{Introduced: "0"}, {Fixed: "1.17.0"}}},
	})
	e.clock.Set(saturday)
	e.mustRun()
	open := e.openMRs()
	// requests (security, first in the file) takes the one new MR a run
	// allows for the others; six's security MR is opened all the same.
	if len(open) != 2 || open[brRequests].Title != secTitle || open[brSix].Title != "Update six to 1.17.0 [security]" {
		t.Fatalf("open MRs: %v", slices.Sorted(maps.Keys(open)))
	}
	if !hasBox(section(e.dashboard().Description, "Rate-Limited"), "unlimit", brUrllib3) {
		t.Errorf("urllib3 not rate-limited:\n%s", e.dashboard().Description)
	}
}

// OSV failing (500s, then a timeout) leaves the open security MR alone,
// even though without data the plain update is still too young, and says
// so under Errors.
func TestSecurityOSVDown(t *testing.T) {
	e := osvEnv(t, unlimited)
	e.mustRun()
	sha := e.mrFor(brRequests).SHA()

	// OSV that never answers: the run's OSV budget ends the wait.
	stop := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	defer hang.Close()
	defer close(stop)
	for _, tc := range []struct {
		name  string
		setup func()
	}{
		{"500", func() { e.idx.Inject(indexsim.Fault{Count: 100, PathPrefix: "/v1/", Status: 500}) }},
		{"timeout", func() {
			e.osv.URL, e.osvBudget = hang.URL, 200*time.Millisecond
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.setup()
			rep := e.mustRun()
			mr := e.mrFor(brRequests)
			if mr.Title != secTitle || mr.SHA() != sha {
				t.Errorf("security MR changed without data: %q %s", mr.Title, mr.SHA())
			}
			body := e.dashboard().Description
			errs := section(body, "Errors")
			if !strings.Contains(errs, "vulnerability data unavailable") || !strings.Contains(errs, "kept the open ones") {
				t.Errorf("Errors do not say OSV failed:\n%s", body)
			}
			if !hasBox(section(body, "Open"), "rebase", brRequests) {
				t.Errorf("security MR not listed as open:\n%s", body)
			}
			if rep.MRsClosed != 0 {
				t.Errorf("%d MRs closed", rep.MRsClosed)
			}
		})
	}
}

// Paging: a query with more advisories than a page is re-sent with its
// token; the records are cached by modified, so the next run fetches none.
func TestSecurityPagingAndCache(t *testing.T) {
	e := osvEnv(t, unlimited)
	e.idx.AddOSVVuln(indexsim.OSVVuln{
		ID: "PYSEC-2026-1", Package: "requests", Modified: released,
		Ranges: [][]indexsim.OSVEvent{{{Introduced: "0"}, {Fixed: "2.32.0"}}},
	})
	e.idx.SetOSVPageSize(1)
	rep := e.mustRun()
	if rep.OSV.QueryBatchCalls != 2 || rep.OSV.RecordFetches != 3 {
		t.Errorf("first run: %+v, want 2 querybatch calls (a second page) and 3 record fetches", rep.OSV)
	}
	if d := e.mrFor(brRequests).Description; !strings.Contains(d, "PYSEC-2026-1") || !strings.Contains(d, "GHSA-9wx4-h78v-vm56") {
		t.Errorf("description lacks an advisory of the second page:\n%s", d)
	}
	rep = e.mustRun()
	if rep.OSV.RecordFetches != 0 || rep.OSV.CacheHits != 3 {
		t.Errorf("second run: %+v, want no record fetches, 3 cache hits", rep.OSV)
	}
	// A changed record (new modified) is fetched again, alone.
	e.idx.AddOSVVuln(indexsim.OSVVuln{
		ID: "PYSEC-2026-1", Package: "requests", Modified: released.Add(time.Hour),
		Ranges: [][]indexsim.OSVEvent{{{Introduced: "0"}, {Fixed: "2.32.0"}}},
	})
	if rep = e.mustRun(); rep.OSV.RecordFetches != 1 {
		t.Errorf("third run: %+v, want 1 record fetch", rep.OSV)
	}
}

// A security update never joins a group: on a weekday it opens alone, and
// on the weekend the group takes the other packages only.
func TestSecurityUpdateIsNeverGrouped(t *testing.T) {
	e := osvEnv(t, unlimited+"    groups:\n      - name: web\n        packages: [requests, urllib3, idna]\n")
	e.mustRun()
	if open := e.openMRs(); len(open) != 1 || open[brRequests].Title != secTitle {
		t.Fatalf("weekday MRs: %v, want only %q", slices.Sorted(maps.Keys(open)), secTitle)
	}
	e.clock.Set(saturday)
	e.mustRun()
	group := e.mrFor("pinwheel/group-web")
	if strings.Contains(group.Description, "| requests |") || !strings.Contains(group.Description, "urllib3") {
		t.Errorf("group MR carries requests or lacks urllib3:\n%s", group.Description)
	}
	if e.mrFor(brRequests).Title != secTitle {
		t.Errorf("the security MR changed: %q", e.mrFor(brRequests).Title)
	}
}

// A record OSV serves broken fails that advisory of that pin only: it is
// listed under Errors, and the other pin's security MR opens as usual.
func TestSecurityBrokenRecord(t *testing.T) {
	e := osvEnv(t, unlimited)
	e.idx.SetOSVBody("PYSEC-2026-99", []byte(`{"id": "PYSEC-2026-99", "modified": "not a time"}`))
	e.mustRun()
	if e.mrFor(brRequests).Title != secTitle {
		t.Errorf("requests' security MR: %q", e.mrFor(brRequests).Title)
	}
	body := e.dashboard().Description
	if errs := section(body, "Errors"); !strings.Contains(errs, "vulnerability data unavailable: `certifi`") || !strings.Contains(errs, "PYSEC-2026-99") {
		t.Errorf("Errors do not name certifi's broken advisory:\n%s", body)
	}
	if strings.Contains(section(body, "Vulnerabilities"), "certifi") {
		t.Errorf("certifi listed as vulnerable from a record that could not be read:\n%s", body)
	}
}
