package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/buildinfo"
	"github.com/pinwheel-dev/pinwheel/indexsim"
)

// fileView is the part of a File every index format carries.
type fileView struct {
	Filename, URL, SHA256, RequiresPython, YankedReason string
	Yanked                                              bool
}

// view keeps what every format carries, with URLs relative to the server
// (each mode runs its own).
func view(p *Project, base string) map[string][]fileView {
	out := map[string][]fileView{}
	for _, r := range p.Releases {
		var fs []fileView
		for _, f := range r.Files {
			fs = append(fs, fileView{f.Filename, strings.TrimPrefix(f.URL, base), f.Hashes["sha256"], f.RequiresPython, f.YankedReason, f.Yanked})
		}
		out[r.Version] = fs
	}
	return out
}

func versions(p *Project) []string {
	var out []string
	for _, r := range p.Releases {
		out = append(out, r.Version)
	}
	return out
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestLookupReadsEveryIndexFormatAlike(t *testing.T) {
	modes := []struct {
		name        string
		opts        indexsim.Options
		uploadTimes bool
		sizes       bool
		kinds       map[indexsim.Kind]int64
	}{
		{"PEP 691 JSON 1.1", indexsim.Options{}, true, true,
			map[indexsim.Kind]int64{indexsim.KindSimpleProject: 1, indexsim.KindJSONVersion: 1}},
		{"PEP 691 JSON 1.0", indexsim.Options{SimpleAPIVersion: "1.0"}, true, false,
			map[indexsim.Kind]int64{indexsim.KindSimpleProject: 1, indexsim.KindJSONVersion: 1, indexsim.KindJSONProject: 1}},
		{"HTML and JSON API", indexsim.Options{SimpleHTMLOnly: true}, true, false,
			map[indexsim.Kind]int64{indexsim.KindSimpleProject: 1, indexsim.KindJSONVersion: 1, indexsim.KindJSONProject: 1}},
		{"HTML only", indexsim.Options{HTMLOnly: true}, false, false,
			map[indexsim.Kind]int64{indexsim.KindSimpleProject: 1, indexsim.KindJSONVersion: 1, indexsim.KindJSONProject: 0}},
	}
	var want map[string][]fileView
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			sim := newSim(t, m.opts)
			publishFixture(sim)
			c, _ := newClient(t, sim, nil)
			p, err := c.Lookup(context.Background(), "zope_interface", "1.1")
			if err != nil {
				t.Fatal(err)
			}
			if p.Name != "zope-interface" {
				t.Errorf("Name = %q", p.Name)
			}
			if got, wantV := versions(p), []string{"1.0", "1.1", "2.0rc1", "2.0", "2.1"}; !reflect.DeepEqual(got, wantV) {
				t.Errorf("versions = %v, want %v", got, wantV)
			}
			got := view(p, sim.URL())
			if want == nil {
				want = got
				checkFixture(t, sim, p)
			} else if !reflect.DeepEqual(got, want) {
				t.Errorf("releases differ from the JSON form:\n got %+v\nwant %+v", got, want)
			}
			for _, r := range p.Releases {
				for _, f := range r.Files {
					if m.uploadTimes == f.UploadTime.IsZero() {
						t.Errorf("%s: upload time %v, want present=%v", f.Filename, f.UploadTime, m.uploadTimes)
					}
					if m.sizes == (f.Size < 0) {
						t.Errorf("%s: size %d, want known=%v", f.Filename, f.Size, m.sizes)
					}
				}
			}
			if m.uploadTimes && !p.Releases[1].UploadTime().Equal(t0.Add(24*time.Hour)) {
				t.Errorf("1.1 upload time = %v", p.Releases[1].UploadTime())
			}
			for k, n := range m.kinds {
				if got := sim.RequestsOf(k); got != n {
					t.Errorf("%s requests = %d, want %d", k, got, n)
				}
			}
		})
	}
}

func checkFixture(t *testing.T, sim *indexsim.Server, p *Project) {
	t.Helper()
	r10 := p.Releases[0]
	wantSdist := fileView{Filename: "zope.interface-1.0.tar.gz", URL: sim.URL() + "/files/zope.interface-1.0.tar.gz", SHA256: sum("sdist 1.0")}
	if len(r10.Files) != 2 || (fileView{r10.Files[0].Filename, r10.Files[0].URL, r10.Files[0].Hashes["sha256"], "", "", false}) != wantSdist {
		t.Errorf("1.0 files = %+v", r10.Files)
	}
	if rp := p.Releases[1].Files[1].RequiresPython; rp != ">=3.8, <4" {
		t.Errorf("1.1 wheel requires-python = %q", rp)
	}
	r20, r21 := p.Releases[3], p.Releases[4]
	if !r20.Yanked() || r20.Files[0].YankedReason != `broken "import" <on> 3.12` {
		t.Errorf("2.0 yanked=%v reason=%q", r20.Yanked(), r20.Files[0].YankedReason)
	}
	if r21.Yanked() || !r21.Files[0].Yanked || r21.Files[0].YankedReason != "" {
		t.Errorf("2.1: release yanked=%v, sdist yanked=%v", r21.Yanked(), r21.Files[0].Yanked)
	}
}

func TestLookupUnknownProjectIsNotFound(t *testing.T) {
	sim := newSim(t, indexsim.Options{})
	publishFixture(sim)
	c, _ := newClient(t, sim, nil)
	_, err := c.Lookup(context.Background(), "No_Such.Project", "1.0")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	if !strings.Contains(err.Error(), "No_Such.Project") {
		t.Errorf("error %q does not name the project", err)
	}
	if _, err := c.Lookup(context.Background(), "not a name", ""); err == nil || errors.Is(err, ErrNotFound) {
		t.Errorf("invalid name: err = %v", err)
	}
}

func TestLookupRequestsNormalizedURLs(t *testing.T) {
	sim := newSim(t, indexsim.Options{})
	publishFixture(sim)
	c, _ := newClient(t, sim, nil)
	if _, err := c.Lookup(context.Background(), "ZOPE.interface", "1.0"); err != nil {
		t.Fatal(err)
	}
	paths := map[string]indexsim.Request{}
	for _, r := range sim.Log() {
		paths[r.Path] = r
	}
	simple, ok := paths["/simple/zope-interface/"]
	if !ok || len(paths) != 2 || sim.Responses(http.StatusMovedPermanently) != 0 {
		t.Fatalf("requests = %v, want the normalized simple and JSON URLs only", sim.Log())
	}
	if simple.Accept != simpleAccept || simple.UserAgent != buildinfo.UserAgent() {
		t.Errorf("Accept %q, User-Agent %q", simple.Accept, simple.UserAgent)
	}
	if _, ok := paths["/pypi/zope-interface/1.0/json"]; !ok {
		t.Errorf("no JSON API request in %v", sim.Log())
	}
}

// An index that moved answers 301 for everything (pypi.python.org did);
// the client follows, and resolves file URLs against the final page.
func TestLookupFollowsRedirects(t *testing.T) {
	sim := newSim(t, indexsim.Options{HTMLOnly: true})
	publishFixture(sim)
	old := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, sim.URL()+r.URL.RequestURI(), http.StatusMovedPermanently)
	}))
	defer old.Close()
	c, _ := newClient(t, sim, func(o *Options) { o.IndexURL = old.URL + "/simple/" })
	p, err := c.Lookup(context.Background(), "zope-interface", "1.0")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Releases) != 5 || !strings.HasPrefix(p.Releases[0].Files[0].URL, sim.URL()+"/files/") {
		t.Errorf("releases after redirect: %+v", p.Releases)
	}
}

func TestLookupLinksAndVulnerabilities(t *testing.T) {
	sim := newSim(t, indexsim.Options{Sleep: newGate(2).Sleep}) // the simple and JSON requests must overlap
	publishFixture(sim)
	sim.SetProjectURLs("zope.interface", map[string]string{"Changelog": "https://example.org/changes", "Source": "https://example.org/src"})
	vuln := indexsim.Vulnerability{ID: "PYSEC-2025-1", Aliases: []string{"CVE-2025-1"}, Summary: "bad", Details: "very bad", Link: "https://osv.dev/PYSEC-2025-1", FixedIn: []string{"1.1"}}
	sim.AddVulnerability("zope.interface", "1.0", vuln)
	sim.AddVulnerability("zope.interface", "1.0", indexsim.Vulnerability{ID: "GHSA-gone", Withdrawn: t0})
	sim.AddVulnerability("zope.interface", "1.1", indexsim.Vulnerability{ID: "PYSEC-other"})
	sim.SetLatency(time.Millisecond)
	c, _ := newClient(t, sim, nil)

	p, err := c.Lookup(context.Background(), "zope.interface", "1.0")
	if err != nil {
		t.Fatal(err)
	}
	if p.Links["Changelog"] != "https://example.org/changes" || len(p.Links) != 2 {
		t.Errorf("Links = %v", p.Links)
	}
	want := []Vulnerability{{ID: vuln.ID, Aliases: vuln.Aliases, Summary: vuln.Summary, Details: vuln.Details, Link: vuln.Link, FixedIn: vuln.FixedIn}}
	if !reflect.DeepEqual(p.Vulnerabilities, want) {
		t.Errorf("Vulnerabilities = %+v, want %+v", p.Vulnerabilities, want)
	}
	if sim.MaxInFlight() != 2 {
		t.Errorf("peak in flight = %d, want the simple and JSON requests in parallel", sim.MaxInFlight())
	}

	// A version the JSON API does not know is no error for the pin.
	p, err = c.Lookup(context.Background(), "zope.interface", "0.9")
	if err != nil || p.Links != nil || p.Vulnerabilities != nil || len(p.Releases) != 5 {
		t.Errorf("unknown version: err=%v links=%v vulns=%v", err, p.Links, p.Vulnerabilities)
	}
}

// An index that answers the JSON API's paths with HTML is read as having
// no JSON API, not as broken.
func TestLookupIgnoresANonJSONAPI(t *testing.T) {
	sim := newSim(t, indexsim.Options{HTMLOnly: true})
	publishFixture(sim)
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html>login</html>"))
	}))
	defer html.Close()
	c, _ := newClient(t, sim, func(o *Options) { o.JSONAPIURL = html.URL + "/pypi" })
	p, err := c.Lookup(context.Background(), "zope-interface", "1.0")
	if err != nil || len(p.Releases) != 5 || p.Links != nil {
		t.Errorf("err=%v releases=%d links=%v", err, len(p.Releases), p.Links)
	}
}

func TestNewDerivesJSONAPIURL(t *testing.T) {
	tests := []struct{ index, jsonAPI, want string }{
		{"", "", "https://pypi.org/pypi"},
		{"https://pypi.org/simple/", "", "https://pypi.org/pypi"},
		{"https://mirror.example/root/pypi/+simple", "", ""},
		{"https://pypi.org/simple", NoJSONAPI, ""},
		{"https://pypi.org/simple", "https://api.example/pypi/", "https://api.example/pypi"},
	}
	for _, tt := range tests {
		c, err := New(Options{IndexURL: tt.index, JSONAPIURL: tt.jsonAPI})
		if err != nil {
			t.Fatal(err)
		}
		if c.jsonAPI != tt.want {
			t.Errorf("New(%q, %q).jsonAPI = %q, want %q", tt.index, tt.jsonAPI, c.jsonAPI, tt.want)
		}
	}
	if _, err := New(Options{IndexURL: "file:///srv/simple"}); err == nil {
		t.Error("New accepted a file: index URL")
	}
}
