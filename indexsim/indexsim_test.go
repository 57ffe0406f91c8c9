package indexsim

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/internal/golden"
)

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func newServer(t *testing.T, opts Options) *Server {
	t.Helper()
	if opts.Clock == nil {
		opts.Clock = func() time.Time { return t0 }
	}
	s := New(opts)
	t.Cleanup(s.Close)
	s.AddRelease("Foo.Bar", "1.0")
	s.AddRelease("Foo.Bar", "2.0",
		File{Filename: "foo_bar-2.0.tar.gz", Content: []byte("sdist"), RequiresPython: ">=3.9,<4"},
		File{Filename: "foo_bar-2.0-py3-none-any.whl", Content: []byte("wheel"), RequiresPython: ">=3.9,<4", UploadTime: t0.Add(time.Hour)},
	)
	s.Yank("foo-bar", "1.0", `use "2.0" <now>`)
	s.AddRelease("other", "0.1")
	return s
}

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func get(t *testing.T, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func TestNegotiate(t *testing.T) {
	tests := []struct{ accept, want string }{
		{"", TypeHTML},
		{"*/*", TypeHTML},
		{TypeJSON, TypeJSON},
		{"application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01", TypeJSON},
		{"text/html;q=0.5, application/vnd.pypi.simple.v1+json;q=0.9", TypeJSON},
		{"application/vnd.pypi.simple.v1+html, application/vnd.pypi.simple.v1+json", TypeV1HTML},
		{"application/*;q=0.8, text/html;q=0.1", TypeV1HTML},
		{"application/json", TypeHTML},
		{"application/vnd.pypi.simple.v1+json;q=0", TypeHTML},
		{"image/png", TypeHTML},
		{"*/*;q=0.1, application/vnd.pypi.simple.v1+json;q=0", TypeHTML},
	}
	for _, tt := range tests {
		if got := negotiate(tt.accept); got != tt.want {
			t.Errorf("negotiate(%q) = %q, want %q", tt.accept, got, tt.want)
		}
	}
}

func TestRedirectsAndNotFound(t *testing.T) {
	s := newServer(t, Options{})
	tests := []struct {
		path, location string
		status         int
	}{
		{"/simple", "/simple/", 301},
		{"/simple/Foo.Bar/?x=1", "/simple/foo-bar/?x=1", 301},
		{"/simple/foo-bar", "/simple/foo-bar/", 301},
		{"/simple/foo-bar/", "", 200},
		{"/simple/nope/", "", 404},
		{"/simple/No.Pe/", "", 404},
		{"/pypi/Foo_Bar/json", "/pypi/foo-bar/json", 301},
		{"/pypi/FOO-BAR/2.0/json", "/pypi/foo-bar/2.0/json", 301},
		{"/pypi/foo-bar/json", "", 200},
		{"/pypi/foo-bar/9.9/json", "", 404},
		{"/pypi/nope/json", "", 404},
		{"/files/foo_bar-2.0.tar.gz", "", 200},
		{"/files/nope.tar.gz", "", 404},
	}
	for _, tt := range tests {
		resp, body := get(t, s.URL()+tt.path)
		if resp.StatusCode != tt.status || resp.Header.Get("Location") != tt.location {
			t.Errorf("GET %s = %d %q, want %d %q", tt.path, resp.StatusCode, resp.Header.Get("Location"), tt.status, tt.location)
		}
		if strings.HasPrefix(tt.path, "/pypi/") && tt.status == 404 && string(body) != `{"message": "Not Found"}` {
			t.Errorf("GET %s body = %s", tt.path, body)
		}
	}
	if resp, _ := get(t, newServer(t, Options{HTMLOnly: true}).URL()+"/pypi/foo-bar/json"); resp.StatusCode != 404 {
		t.Errorf("HTMLOnly served the JSON API: %d", resp.StatusCode)
	}
}

// TestPagesGolden checks the rendered pages; -update rewrites them.
func TestPagesGolden(t *testing.T) {
	s := newServer(t, Options{})
	s.SetProjectURLs("foo.bar", map[string]string{"Changelog": "https://example.org/changes"})
	s.AddVulnerability("foo.bar", "2.0", Vulnerability{ID: "PYSEC-1", Aliases: []string{"CVE-1"}, Summary: "s", FixedIn: []string{"2.1"}})
	tests := []struct{ golden, path, accept, ctype string }{
		{"simple.html", "/simple/foo-bar/", "", TypeHTML},
		{"simple-v1.html", "/simple/foo-bar/", TypeV1HTML, TypeV1HTML},
		{"simple.json", "/simple/foo-bar/", TypeJSON, TypeJSON},
		{"root.html", "/simple/", "", TypeHTML},
		{"root.json", "/simple/", TypeJSON, TypeJSON},
		{"release.json", "/pypi/foo-bar/2.0/json", "", "application/json"},
		{"project.json", "/pypi/foo-bar/json", "", "application/json"},
	}
	for _, tt := range tests {
		resp, body := get(t, s.URL()+tt.path, "Accept", tt.accept)
		if ct := resp.Header.Get("Content-Type"); ct != tt.ctype {
			t.Errorf("%s: Content-Type %q, want %q", tt.golden, ct, tt.ctype)
		}
		body = bytes.ReplaceAll(body, []byte(s.URL()), []byte("http://INDEX"))
		if strings.HasSuffix(tt.golden, ".json") {
			var out bytes.Buffer
			if err := json.Indent(&out, body, "", "  "); err != nil {
				t.Fatalf("%s: %v", tt.golden, err)
			}
			body = append(out.Bytes(), '\n')
		}
		golden.Check(t, tt.golden, body)
	}
}

func TestCachingHeaders(t *testing.T) {
	s := newServer(t, Options{})
	resp, _ := get(t, s.URL()+"/simple/foo-bar/", "Accept", TypeJSON)
	h := resp.Header
	if h.Get("Vary") != "Accept" || h.Get("Cache-Control") != "max-age=600, public" || h.Get("X-PyPI-Last-Serial") == "" || h.Get("Last-Modified") != "" {
		t.Errorf("simple headers: %v", h)
	}
	etag := h.Get("ETag")
	if resp, body := get(t, s.URL()+"/simple/foo-bar/", "Accept", TypeJSON, "If-None-Match", etag); resp.StatusCode != 304 || len(body) != 0 {
		t.Errorf("If-None-Match: %d, %d bytes", resp.StatusCode, len(body))
	}
	if resp, _ := get(t, s.URL()+"/simple/foo-bar/", "If-None-Match", etag); resp.StatusCode != 200 {
		t.Errorf("the HTML variant matched the JSON ETag: %d", resp.StatusCode)
	}
	s.Yank("foo-bar", "2.0", "")
	resp, _ = get(t, s.URL()+"/simple/foo-bar/", "Accept", TypeJSON, "If-None-Match", etag)
	if resp.StatusCode != 200 || resp.Header.Get("ETag") == etag {
		t.Errorf("after a change: %d, ETag %q", resp.StatusCode, resp.Header.Get("ETag"))
	}
	if resp, _ := get(t, s.URL()+"/pypi/foo-bar/json"); resp.Header.Get("Cache-Control") != "max-age=900, public" {
		t.Errorf("JSON API Cache-Control = %q", resp.Header.Get("Cache-Control"))
	}

	lm := newServer(t, Options{LastModified: true})
	resp, _ = get(t, lm.URL()+"/simple/foo-bar/")
	mod := resp.Header.Get("Last-Modified")
	if mod != t0.Format(http.TimeFormat) {
		t.Fatalf("Last-Modified = %q", mod)
	}
	if resp, _ := get(t, lm.URL()+"/simple/foo-bar/", "If-Modified-Since", mod); resp.StatusCode != 304 {
		t.Errorf("If-Modified-Since: %d", resp.StatusCode)
	}
	if resp, _ := get(t, lm.URL()+"/simple/foo-bar/", "If-Modified-Since", t0.Add(-time.Second).Format(http.TimeFormat)); resp.StatusCode != 200 {
		t.Errorf("If-Modified-Since before the change: %d", resp.StatusCode)
	}
}

func TestFilesMatchTheirHashes(t *testing.T) {
	s := newServer(t, Options{})
	// A name with characters a URL path must escape still links to itself.
	s.AddRelease("foo.bar", "3.0+local", File{Filename: "foo_bar-3.0+local #1?.tar.gz", Content: []byte("odd")})
	_, page := get(t, s.URL()+"/simple/foo-bar/", "Accept", TypeJSON)
	var doc struct {
		Files []struct {
			URL    string            `json:"url"`
			Hashes map[string]string `json:"hashes"`
			Size   int               `json:"size"`
		} `json:"files"`
	}
	if err := json.Unmarshal(page, &doc); err != nil || len(doc.Files) != 5 {
		t.Fatalf("files: %v, %v", doc.Files, err)
	}
	for _, f := range doc.Files {
		resp, body := get(t, f.URL)
		sum := sha256.Sum256(body)
		if resp.StatusCode != 200 || hex.EncodeToString(sum[:]) != f.Hashes["sha256"] || len(body) != f.Size {
			t.Errorf("%s: %d, sha256 mismatch or size %d != %d", f.URL, resp.StatusCode, len(body), f.Size)
		}
	}
}

// A fault with a body answers it, as its content type, with its status
// or 200: a login page where the JSON API should be.
func TestFaultBody(t *testing.T) {
	s := newServer(t, Options{})
	s.AddRelease("foo-bar", "1.0")
	s.Inject(Fault{Count: 1, PathPrefix: "/pypi/", Body: "<html>sign in</html>", ContentType: "text/html"})
	s.Inject(Fault{Count: 1, PathPrefix: "/pypi/", Body: "gone", ContentType: "text/plain", Status: 410})
	for _, want := range []struct {
		status      int
		ctype, body string
	}{{200, "text/html", "<html>sign in</html>"}, {410, "text/plain", "gone"}} {
		resp, body := get(t, s.URL()+"/pypi/foo-bar/1.0/json")
		if resp.StatusCode != want.status || resp.Header.Get("Content-Type") != want.ctype || string(body) != want.body {
			t.Errorf("got %d %q %q, want %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body, want.status, want.ctype, want.body)
		}
	}
	if resp, _ := get(t, s.URL()+"/pypi/foo-bar/1.0/json"); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("after the faults: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

func TestFaultsAuthAndCounters(t *testing.T) {
	s := newServer(t, Options{})
	s.Inject(Fault{Count: 1, PathPrefix: "/pypi/", Status: 502})
	s.Throttle(1, "3")
	resp, _ := get(t, s.URL()+"/simple/foo-bar/")
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "3" {
		t.Errorf("throttled: %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if resp, _ := get(t, s.URL()+"/simple/foo-bar/"); resp.StatusCode != 200 {
		t.Errorf("after the fault: %d", resp.StatusCode)
	}
	if resp, _ := get(t, s.URL()+"/pypi/foo-bar/json"); resp.StatusCode != 502 {
		t.Errorf("path fault: %d", resp.StatusCode)
	}
	s.Inject(Fault{Count: 1, Drop: true})
	// A fresh connection: net/http retries a GET dropped on a reused one.
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if _, err := fresh.Get(s.URL() + "/simple/"); err == nil {
		t.Error("dropped connection gave a response")
	}
	if s.Requests() != 4 || s.RequestsOf(KindSimpleProject) != 2 || s.RequestsOf(KindJSONProject) != 1 || s.Responses(429) != 1 || s.BytesServed() == 0 || s.WireBytes() <= s.BytesServed() {
		t.Errorf("counters: requests %d, simple %d, json %d, 429s %d, body %d, wire %d",
			s.Requests(), s.RequestsOf(KindSimpleProject), s.RequestsOf(KindJSONProject), s.Responses(429), s.BytesServed(), s.WireBytes())
	}

	s.RequireAuth("u", "p")
	resp, _ = get(t, s.URL()+"/simple/")
	if resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic") {
		t.Errorf("no credentials: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	req, _ := http.NewRequest(http.MethodGet, s.URL()+"/simple/", nil)
	req.SetBasicAuth("u", "p")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Errorf("with credentials: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	s.ResetCounters()
	if s.Requests() != 0 || len(s.Log()) != 0 || s.BytesServed() != 0 {
		t.Error("ResetCounters left counts")
	}
}

func TestLatencyIsAdded(t *testing.T) {
	var (
		mu    sync.Mutex
		waits []time.Duration
	)
	s := newServer(t, Options{Sleep: func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		waits = append(waits, d)
		if len(waits) == 2 {
			return context.Canceled // the client gave up during the wait
		}
		return nil
	}})
	if resp, _ := get(t, s.URL()+"/simple/"); resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d before any latency", resp.StatusCode)
	}
	s.SetLatency(30 * time.Millisecond)
	if resp, _ := get(t, s.URL()+"/simple/"); resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d with latency", resp.StatusCode)
	}
	// A request whose wait ends early is not answered: the handler returns
	// without writing, which net/http turns into an empty 200.
	before := s.BytesServed()
	get(t, s.URL()+"/simple/")
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(waits) != "[30ms 30ms]" {
		t.Errorf("waits = %v, want one of 30ms per request after SetLatency", waits)
	}
	if s.BytesServed() != before {
		t.Errorf("served %d bytes after an abandoned wait", s.BytesServed()-before)
	}
}
