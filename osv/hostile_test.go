package osv_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pinwheel-dev/pinwheel/osv"
	"github.com/pinwheel-dev/pinwheel/state"
)

const m = "2024-05-01T00:00:00Z"

// record is a PyPI record for django with the given affected entry body.
func record(id, affected string) string {
	return `{"id":"` + id + `","modified":"` + m + `","affected":[` + affected + `]}`
}

const djangoAffected = `{"package":{"ecosystem":"PyPI","name":"django"},"versions":["4.1"]}`

// Each hostile advisory fails alone: the pin keeps its good advisories,
// the other pins are untouched, and nothing bad is cached.
func TestHostileRecordsFailTheirAdvisoryOnly(t *testing.T) {
	tests := []struct {
		id   string
		body string // served for id; "" serves nothing (404)
		want string // in the pin's error for id; "" means no error
	}{
		{"PYSEC-BAD-1", `{not json`, "not an OSV record"},
		{"PYSEC-HUGE-1", `{"id":"PYSEC-HUGE-1","details":"` + strings.Repeat("x", 70<<10) + `"}`, "response too large"},
		{"PYSEC-WRONGID-1", record("PYSEC-OTHER-1", djangoAffected), `the record has id "PYSEC-OTHER-1"`},
		{"PYSEC-FLASK-1", record("PYSEC-FLASK-1", `{"package":{"ecosystem":"PyPI","name":"flask"},"versions":["4.1"]}`), "lists no PyPI affected entry for the package django"},
		{"PYSEC-ECO-1", record("PYSEC-ECO-1", `{"package":{"ecosystem":"pypi","name":"django"},"versions":["4.1"]}`), "lists no PyPI affected entry"},
		{"PYSEC-NOMOD-1", `{"id":"PYSEC-NOMOD-1","affected":[` + djangoAffected + `]}`, "no modified time"},
		{"PYSEC-MISSING-1", "", "404 Not Found: Bug not found."},
		{"PYSEC-EVENT-1", record("PYSEC-EVENT-1", `{"package":{"ecosystem":"PyPI","name":"django"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"not a version!"}]}]}`), `ranges[0].events[1]: fixed "not a version!"`},
		{"PYSEC-EVENT-2", record("PYSEC-EVENT-2", `{"package":{"ecosystem":"PyPI","name":"django"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0","fixed":"1"}]}]}`), "exactly one of"},
		{"PYSEC-EMPTY-1", record("PYSEC-EMPTY-1", `{"package":{"ecosystem":"PyPI","name":"django"},"ranges":[{"type":"GIT","events":[{"introduced":"abc"}]}]}`), "names no affected versions"},
		{"PYSEC-TIME-1", `{"id":"PYSEC-TIME-1","modified":"yesterday","affected":[` + djangoAffected + `]}`, `modified "yesterday" is not an RFC 3339 time`},
		{"PYSEC-TYPES-1", `{"id":"PYSEC-TYPES-1","modified":"` + m + `","aliases":"CVE-1","affected":[` + djangoAffected + `]}`, "not an OSV record"},
		// Usable oddities: a GIT range beside versions, a database_specific
		// severity of the wrong type, a duplicate listing.
		{"PYSEC-ODD-1", `{"id":"PYSEC-ODD-1","modified":"` + m + `","database_specific":{"severity":7},"affected":[{"package":{"ecosystem":"PyPI","name":"Django"},"ranges":[{"type":"GIT","repo":"r","events":[{"introduced":"0"},{"limit":"abc"}]}],"versions":["4.1"]}]}`, ""},
	}
	sim := newSim(t)
	db, err := state.Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tt := range tests {
		sim.ListOSV("django", "4.1", tt.id, m)
		if tt.body != "" {
			sim.SetOSVBody(tt.id, []byte(tt.body))
		}
	}
	sim.ListOSV("django", "4.1", "PYSEC-2024-10", m) // listed twice
	sim.ListOSV("django", "4.1", "../../etc/passwd", m)
	c := newClient(t, sim, osv.Options{MaxRecordBytes: 64 << 10, Cache: db.OSVCache()})
	rep, err := c.Check(context.Background(), []osv.Pin{{"django", "4.1"}, {"Django", "5.0.0"}})
	if err != nil {
		t.Fatal(err)
	}
	r := rep.Results[0]
	if got := ids(r.Advisories); got != "GHSA-dddd-eeee-ffff,PYSEC-2024-10,PYSEC-ODD-1" {
		t.Errorf("usable advisories = %s", got)
	}
	errs := map[string]string{}
	for _, e := range r.Errors {
		msg := e.Error()
		switch {
		case strings.Contains(msg, "../../etc/passwd"):
			errs["bad id"] = msg
		default:
			id := strings.TrimSuffix(strings.Fields(strings.TrimPrefix(msg, "advisory "))[0], ":")
			errs[id] = msg
		}
	}
	for _, tt := range tests {
		got, failed := errs[tt.id]
		switch {
		case tt.want == "" && failed:
			t.Errorf("%s failed: %s", tt.id, got)
		case tt.want != "" && !strings.Contains(got, tt.want):
			t.Errorf("%s: error %q, want it to contain %q", tt.id, got, tt.want)
		}
	}
	if !strings.Contains(errs["bad id"], `OSV listed an advisory with id "../../etc/passwd"`) {
		t.Errorf("bad id: %q", errs["bad id"])
	}
	if len(r.Errors) != len(tests)-1+1 {
		var all []string
		for _, e := range r.Errors {
			all = append(all, e.Error())
		}
		sort.Strings(all)
		t.Errorf("%d errors, want %d:\n%s", len(r.Errors), len(tests), strings.Join(all, "\n"))
	}
	if o := rep.Results[1]; ids(o.Advisories) != "PYSEC-2024-10" || len(o.Errors) != 0 {
		t.Errorf("the other pin: %s, %v", ids(o.Advisories), o.Errors)
	}
	for _, id := range []string{"PYSEC-BAD-1", "PYSEC-HUGE-1", "PYSEC-WRONGID-1", "PYSEC-NOMOD-1"} {
		if _, ok, _ := db.OSVCache().Get(id); ok {
			t.Errorf("%s was cached", id)
		}
	}
	if _, ok, _ := db.OSVCache().Get("PYSEC-2024-10"); !ok {
		t.Error("a good record was not cached")
	}
}

// A querybatch answer that cannot be matched to the queries fails the
// whole Check: nothing in it can be attributed to a pin.
func TestHostileQueryBatchFailsTheCheck(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"not JSON", `<html>`, "not a querybatch response"},
		{"too few results", `{"results":[{}]}`, "1 results for 2 queries"},
		{"no results", `{}`, "0 results for 2 queries"},
		{"huge", `{"results":[{},{}],"x":"` + strings.Repeat("y", 2048) + `"}`, "response too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			c, err := osv.New(osv.Options{URL: srv.URL, MaxResponseBytes: 1024})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Check(context.Background(), []osv.Pin{{"a", "1"}, {"b", "1"}})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "query OSV for 2 packages") {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// A server that keeps paging (the same token, or for ever) ends the
// paging for that query with an error on its pin.
func TestEndlessPagingStops(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		_, _ = w.Write([]byte(`{"results":[{"next_page_token":"same"}]}`))
	}))
	defer srv.Close()
	c, err := osv.New(osv.Options{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := c.Check(context.Background(), []osv.Pin{{"a", "1"}})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 2 || len(rep.Results[0].Errors) != 1 || !strings.Contains(rep.Results[0].Errors[0].Error(), "same page token twice") {
		t.Errorf("calls %d, errors %v", calls, rep.Results[0].Errors)
	}
}

// A record whose only severity is a CVSS v4 vector, as GitHub's advisories
// now publish, gets a rating and score, read fresh and read from the cache.
func TestCheckScoresCVSSV4OnlyRecord(t *testing.T) {
	sim := newSim(t)
	const id = "GHSA-v4v4-v4v4-v4v4"
	sim.ListOSV("django", "4.1", id, m)
	sim.SetOSVBody(id, []byte(`{"id":"`+id+`","modified":"`+m+`","severity":[{"type":"CVSS_V4","score":"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}],"affected":[`+djangoAffected+`]}`))
	db, err := state.Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c := newClient(t, sim, osv.Options{Cache: db.OSVCache()})
	for _, pass := range []string{"fresh", "cached"} {
		rep, err := c.Check(context.Background(), []osv.Pin{{"django", "4.1"}})
		if err != nil {
			t.Fatal(err)
		}
		var got string
		found := false
		for _, a := range rep.Results[0].Advisories {
			if a.ID == id {
				got, found = a.SeverityText(), true
			}
		}
		if !found || got != "CRITICAL 9.3" {
			t.Errorf("%s: %s severity = %q (found %v), want \"CRITICAL 9.3\"", pass, id, got, found)
		}
	}
}
