package indexsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func postJSON(t *testing.T, url, body string) (int, []byte) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

func osvServer(t *testing.T) *Server {
	t.Helper()
	s := New(Options{})
	t.Cleanup(s.Close)
	s.AddOSVVuln(OSVVuln{
		ID: "PYSEC-2024-1", Package: "Foo.Bar", Aliases: []string{"CVE-2024-1"},
		Ranges:   [][]OSVEvent{{{Introduced: "0"}, {Fixed: "1.5"}}, {{Introduced: "2.0"}, {LastAffected: "2.1"}}},
		Modified: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC),
	})
	s.AddOSVVuln(OSVVuln{ID: "GHSA-aaaa-bbbb-cccc", Package: "foo-bar", Versions: []string{"1.2"}})
	return s
}

func TestOSVQueryBatchMatchesRangesAndVersions(t *testing.T) {
	s := osvServer(t)
	status, body := postJSON(t, s.OSVURL()+"/v1/querybatch", `{"queries":[
		{"package":{"name":"foo_bar","ecosystem":"PyPI"},"version":"1.2"},
		{"package":{"name":"foo-bar","ecosystem":"PyPI"},"version":"1.5"},
		{"package":{"name":"foo-bar","ecosystem":"PyPI"},"version":"2.1"},
		{"package":{"name":"foo-bar","ecosystem":"PyPI"},"version":"2.1.1"}]}`)
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, body)
	}
	want := `{"results":[{"vulns":[{"id":"GHSA-aaaa-bbbb-cccc","modified":"2024-01-01T00:00:00Z"},{"id":"PYSEC-2024-1","modified":"2024-03-01T00:00:00Z"}]},{},{"vulns":[{"id":"PYSEC-2024-1","modified":"2024-03-01T00:00:00Z"}]},{}]}`
	if string(body) != want {
		t.Errorf("got  %s\nwant %s", body, want)
	}
	if n := s.RequestsOf(KindOSVQueryBatch); n != 1 {
		t.Errorf("querybatch requests = %d, want 1", n)
	}
}

func TestOSVQueryBatchPages(t *testing.T) {
	s := New(Options{})
	t.Cleanup(s.Close)
	for i := range 5 {
		s.AddOSVVuln(OSVVuln{ID: fmt.Sprintf("PYSEC-2024-%d", i), Package: "a", Versions: []string{"1.0"}})
	}
	s.SetOSVPageSize(2)
	q := `{"package":{"name":"a","ecosystem":"PyPI"},"version":"1.0"%s}`
	var ids []string
	token := ""
	for page := 0; ; page++ {
		extra := ""
		if token != "" {
			extra = `,"page_token":"` + token + `"`
		}
		status, body := postJSON(t, s.OSVURL()+"/v1/querybatch", `{"queries":[`+fmt.Sprintf(q, extra)+`]}`)
		if status != http.StatusOK {
			t.Fatalf("page %d: status %d: %s", page, status, body)
		}
		var resp struct {
			Results []struct {
				Vulns []struct{ ID string }
				Next  string `json:"next_page_token"`
			}
		}
		if err := json.Unmarshal(body, &resp); err != nil {
			t.Fatal(err)
		}
		for _, v := range resp.Results[0].Vulns {
			ids = append(ids, v.ID)
		}
		if token = resp.Results[0].Next; token == "" {
			break
		}
		if page > 5 {
			t.Fatal("paging does not end")
		}
	}
	if got := strings.Join(ids, ","); got != "PYSEC-2024-0,PYSEC-2024-1,PYSEC-2024-2,PYSEC-2024-3,PYSEC-2024-4" {
		t.Errorf("ids over pages = %s", got)
	}
	// A token belongs to its query.
	tok := osvToken(OSVQuery{Ecosystem: "PyPI", Name: "a", Version: "1.0"}, 2)
	status, body := postJSON(t, s.OSVURL()+"/v1/querybatch", `{"queries":[{"package":{"name":"a","ecosystem":"PyPI"},"version":"2.0","page_token":"`+tok+`"}]}`)
	if status != http.StatusBadRequest || !strings.Contains(string(body), "Invalid page token.") {
		t.Errorf("foreign token: %d %s", status, body)
	}
}

func TestOSVBadRequests(t *testing.T) {
	s := osvServer(t)
	many := strings.Repeat(`{"package":{"name":"a","ecosystem":"PyPI"},"version":"1"},`, 1001)
	tests := []struct {
		name, body, msg string
	}{
		{"not JSON", `{"queries":`, "Invalid JSON payload"},
		{"version twice", `{"queries":[{"package":{"purl":"pkg:pypi/foo-bar@1.2"},"version":"1.2"}]}`, "version specified in params and PURL query"},
		{"lower-case ecosystem", `{"queries":[{"package":{"name":"foo-bar","ecosystem":"pypi"},"version":"1.2"}]}`, "Invalid ecosystem."},
		{"no package", `{"queries":[{"version":"1.2"}]}`, "Invalid query."},
		{"too many", `{"queries":[` + strings.TrimSuffix(many, ",") + `]}`, "Too many queries."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := postJSON(t, s.OSVURL()+"/v1/querybatch", tt.body)
			var e struct {
				Code    int
				Message string
			}
			if status != http.StatusBadRequest || json.Unmarshal(body, &e) != nil || e.Code != 3 || !strings.Contains(e.Message, tt.msg) {
				t.Errorf("got %d %s, want 400 code 3 %q", status, body, tt.msg)
			}
		})
	}
	resp, body := get(t, s.OSVURL()+"/v1/querybatch")
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
		t.Errorf("GET querybatch: %d %s", resp.StatusCode, body)
	}
}

func TestOSVVulns(t *testing.T) {
	s := osvServer(t)
	resp, body := get(t, s.OSVURL()+"/v1/vulns/PYSEC-2024-1")
	if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(`"aliases":["CVE-2024-1"]`)) {
		t.Errorf("record: %d %s", resp.StatusCode, body)
	}
	resp, body = get(t, s.OSVURL()+"/v1/vulns/PYSEC-0000-0")
	if resp.StatusCode != http.StatusNotFound || string(body) != `{"code":5,"details":[],"message":"Bug not found."}` {
		t.Errorf("unknown id: %d %s", resp.StatusCode, body)
	}
	s.SetOSVBody("PYSEC-2024-1", []byte("not json"))
	if _, body = get(t, s.OSVURL()+"/v1/vulns/PYSEC-2024-1"); string(body) != "not json" {
		t.Errorf("override: %s", body)
	}
	if n := s.RequestsOf(KindOSVVuln); n != 3 {
		t.Errorf("vuln requests = %d, want 3", n)
	}
}

func TestInOSVRange(t *testing.T) {
	two := []map[string]string{{"introduced": "1.0"}, {"fixed": "1.5"}, {"introduced": "2.0"}, {"fixed": "2.3"}}
	unsorted := []map[string]string{{"introduced": "2.0"}, {"fixed": "2.3"}, {"introduced": "0"}, {"fixed": "1.5"}}
	last := []map[string]string{{"introduced": "0"}, {"last_affected": "3.0"}}
	tests := []struct {
		events  []map[string]string
		version string
		want    bool
	}{
		{two, "0.9", false}, {two, "1.0", true}, {two, "1.4.9", true}, {two, "1.5", false},
		{two, "1.9", false}, {two, "2.0", true}, {two, "2.3", false}, {two, "3", false},
		{unsorted, "0.1", true}, {unsorted, "1.7", false}, {unsorted, "2.2", true},
		{last, "3.0", true}, {last, "3.0.1", false}, {last, "3.0rc1", true},
		{two, "not-a-version", false},
	}
	for _, tt := range tests {
		if got := inOSVRange(tt.version, tt.events); got != tt.want {
			t.Errorf("inOSVRange(%s, %v) = %v, want %v", tt.version, tt.events, got, tt.want)
		}
	}
}
