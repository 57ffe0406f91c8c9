package registry

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// serveBody answers every request with one body and content type, after
// checking Basic credentials when user is set.
func serveBody(t testing.TB, user, pass, ctype, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, _ := r.BasicAuth(); user != "" && (u != user || p != pass) {
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", ctype)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestRelativeFileLinksCarryNoCredentials(t *testing.T) {
	const user, pass = "carol", "t0ken-xyz"
	// devpi and GitLab's registry link files relative to the page.
	page := `<a href="../../files/foo-1.0.tar.gz#sha256=ab">foo-1.0.tar.gz</a>`
	for _, tt := range []struct{ ctype, body string }{
		{"text/html", page},
		{"application/vnd.pypi.simple.v1+json", `{"meta":{"api-version":"1.0"},"files":[{"filename":"foo-1.0.tar.gz","url":"../../files/foo-1.0.tar.gz","hashes":{"sha256":"ab"}}]}`},
	} {
		t.Run(tt.ctype, func(t *testing.T) {
			srv := serveBody(t, user, pass, tt.ctype, tt.body)
			index := strings.Replace(srv.URL, "http://", "http://"+user+":"+pass+"@", 1) + "/simple"
			cache := newMemCache()
			c, err := New(Options{IndexURL: index, JSONAPIURL: NoJSONAPI, Cache: cache})
			if err != nil {
				t.Fatal(err)
			}
			for range 2 { // from the network, then from the cache
				p, err := c.Lookup(context.Background(), "foo", "")
				if err != nil {
					t.Fatal(err)
				}
				if len(p.Releases) != 1 || len(p.Releases[0].Files) != 1 {
					t.Fatalf("releases = %+v", p.Releases)
				}
				if got, want := p.Releases[0].Files[0].URL, srv.URL+"/files/foo-1.0.tar.gz"; got != want {
					t.Errorf("file URL = %q, want %q", got, want)
				}
			}
		})
	}
}

func TestLookupChecksTheSimpleAPIVersion(t *testing.T) {
	const files = `"files":[{"filename":"foo-1.0.tar.gz","url":"f","hashes":{}}]`
	for _, tt := range []struct {
		ctype, body string
		ok          bool
	}{
		{"application/vnd.pypi.simple.v1+json", `{"meta":{"api-version":"1.3"},` + files + `}`, true},
		{"application/vnd.pypi.simple.latest+json", `{"meta":{"api-version":"1.1"},` + files + `}`, true},
		{"application/vnd.pypi.simple.latest+json", `{"meta":{"api-version":"2.0"},` + files + `}`, false},
		{"application/vnd.pypi.simple.v2+json", `{"meta":{"api-version":"2.0"},` + files + `}`, false},
		{"application/vnd.pypi.simple.v2+html", `<a href="f">foo-1.0.tar.gz</a>`, false},
	} {
		srv := serveBody(t, "", "", tt.ctype, tt.body)
		c, err := New(Options{IndexURL: srv.URL + "/simple", JSONAPIURL: NoJSONAPI})
		if err != nil {
			t.Fatal(err)
		}
		p, err := c.Lookup(context.Background(), "foo", "")
		switch {
		case tt.ok && (err != nil || len(p.Releases) != 1):
			t.Errorf("%s %s: %v, want one release", tt.ctype, tt.body, err)
		case !tt.ok && (err == nil || !strings.Contains(err.Error(), "not supported")):
			t.Errorf("%s %s: err = %v, want an unsupported API version", tt.ctype, tt.body, err)
		}
	}
}

func TestLookupReportsMalformedJSONPages(t *testing.T) {
	for _, body := range []string{
		`{"files": "nope"}`,
		`{"files": [{"filename": 7}]}`,
		`{"files": [{"filename": "foo-1.0.tar.gz", "hashes": ["sha256"]}]}`,
		`{"files": [{"filename": "foo-1.0.tar.gz", "yanked": 1}]}`,
		`{"files": [{"filename": "foo-1.0.tar.gz", "size": "12"}]}`,
		`{"files": [{"filename": "foo-1.0.tar.gz", "upload-time": "yesterday"}]}`,
		`{"versions": {"1.0": true}}`,
		`{"files": [` + strings.Repeat(`[`, 20000),
		`{"meta": {"api-version": 1}}`,
	} {
		srv := serveBody(t, "", "", "application/vnd.pypi.simple.v1+json", body)
		c, err := New(Options{IndexURL: srv.URL + "/simple", JSONAPIURL: NoJSONAPI, MaxRetries: -1})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Lookup(context.Background(), "foo", "")
		if err == nil || !strings.Contains(err.Error(), "look up foo: read "+srv.URL+"/simple/foo/") {
			t.Errorf("body %.60q: err = %v, want one naming the page", body, err)
		}
	}
}

func TestParseSimpleHTMLUnclosedAnchors(t *testing.T) {
	const doc = `<a href="foo-1.0.tar.gz#sha256=aa">foo-1.0.tar.gz<a href="x/foo-1.1.tar.gz"><span>foo-1.1.tar.gz</span></a>` +
		`<a href="foo-1.2.tar.gz">foo-1.2.tar.gz</a><a href="/y/foo-1.3.zip">`
	base, _ := url.Parse("https://idx.example/simple/foo/")
	pg, err := parseSimpleHTML([]byte(doc), base)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range pg.files {
		got = append(got, f.Filename+" "+f.URL)
	}
	// An anchor whose text is not plain text up to "</a>" falls back to
	// the last path segment of its URL.
	want := []string{
		"foo-1.0.tar.gz https://idx.example/simple/foo/foo-1.0.tar.gz",
		"foo-1.1.tar.gz https://idx.example/simple/foo/x/foo-1.1.tar.gz",
		"foo-1.2.tar.gz https://idx.example/simple/foo/foo-1.2.tar.gz",
		"foo-1.3.zip https://idx.example/y/foo-1.3.zip",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("files:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// BenchmarkParseSimpleHTMLUnclosedAnchors is a hostile page: 1 MiB of
// anchors that never close. Reading it must stay linear in its size.
func BenchmarkParseSimpleHTMLUnclosedAnchors(b *testing.B) {
	doc := []byte(strings.Repeat(`<a href=x>`, 100<<10))
	base, _ := url.Parse("https://idx.example/simple/foo/")
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		pg, err := parseSimpleHTML(doc, base)
		if err != nil || len(pg.files) != 100<<10 {
			b.Fatalf("files = %d, err = %v", len(pg.files), err)
		}
	}
}

// FuzzParseSimple feeds any bytes to both page readers: they must return
// a page or an error, never panic, and never invent a file without a name.
func FuzzParseSimple(f *testing.F) {
	f.Add([]byte(`{"meta":{"api-version":"1.1"},"versions":["1.0"],"files":[{"filename":"foo-1.0.tar.gz","url":"x","hashes":{"SHA256":"AB"},"yanked":"bad","upload-time":"2024-01-02T03:04:05.000000Z"}]}`))
	f.Add([]byte(`<a href="../f/foo-1.0.tar.gz#sha256=ab" data-yanked data-requires-python="&gt;=3">foo-1.0.tar.gz</a><base href="//x/"><meta name=pypi:repository-version content=1.0>`))
	f.Add([]byte(`<a href='`))
	base, _ := url.Parse("https://idx.example/simple/foo/")
	c, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, parse := range []func([]byte, *url.URL) (*page, error){parseSimpleJSON, parseSimpleHTML} {
			pg, err := parse(body, base)
			if err != nil {
				continue
			}
			p := c.project("foo", pg)
			for _, r := range p.Releases {
				if r.Version == "" || len(r.Files) == 0 {
					t.Fatalf("release %+v from %q", r, body)
				}
			}
		}
	})
}
