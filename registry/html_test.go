package registry

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// Hostile and odd PEP 503 pages, read as a browser (and pip) would.
func TestParseSimpleHTMLHostile(t *testing.T) {
	huge := strings.Repeat("x", 1<<20)
	tests := []struct {
		name, doc string
		want      []File
	}{
		{"entities in text, href and attributes",
			`<a href="foo-1.0.tar.gz#sha256=AB&#67;D" data-requires-python="&lt;4,&gt;=3.8">foo&#45;1.0.tar.gz</a>`,
			[]File{{Filename: "foo-1.0.tar.gz", URL: "https://idx.example/simple/foo/foo-1.0.tar.gz", Hashes: map[string]string{"sha256": "abcd"}, RequiresPython: "<4,>=3.8", Size: -1}}},
		{"unescaped < and > inside a quoted data-requires-python",
			`<a href="foo-1.0.tar.gz" data-requires-python=">=3.8,<4">foo-1.0.tar.gz</a>`,
			[]File{{Filename: "foo-1.0.tar.gz", URL: "https://idx.example/simple/foo/foo-1.0.tar.gz", RequiresPython: ">=3.8,<4", Size: -1}}},
		{"data-yanked empty, with a reason and with entities",
			`<a href="a-1.tar.gz" data-yanked="">a-1.tar.gz</a><a href="a-2.tar.gz" data-yanked="broken &quot;build&quot;">a-2.tar.gz</a><a href="a-3.tar.gz" DATA-YANKED>a-3.tar.gz</a>`,
			[]File{
				{Filename: "a-1.tar.gz", URL: "https://idx.example/simple/foo/a-1.tar.gz", Yanked: true, Size: -1},
				{Filename: "a-2.tar.gz", URL: "https://idx.example/simple/foo/a-2.tar.gz", Yanked: true, YankedReason: `broken "build"`, Size: -1},
				{Filename: "a-3.tar.gz", URL: "https://idx.example/simple/foo/a-3.tar.gz", Yanked: true, Size: -1},
			}},
		{"PEP 658 and 714 metadata attributes are read past",
			`<a data-core-metadata="sha256=1111" data-dist-info-metadata="sha256=2222" href="foo-1.0-py3-none-any.whl#sha256=3333" data-size="12">foo-1.0-py3-none-any.whl</a>`,
			[]File{{Filename: "foo-1.0-py3-none-any.whl", URL: "https://idx.example/simple/foo/foo-1.0-py3-none-any.whl", Hashes: map[string]string{"sha256": "3333"}, Size: 12}}},
		{"a huge attribute before the href",
			`<a data-x="` + huge + `" href="foo-1.0.tar.gz">foo-1.0.tar.gz</a>`,
			[]File{{Filename: "foo-1.0.tar.gz", URL: "https://idx.example/simple/foo/foo-1.0.tar.gz", Size: -1}}},
		{"a huge unquoted attribute",
			`<a href=foo-1.0.tar.gz data-y=` + huge + `>foo-1.0.tar.gz</a>`,
			[]File{{Filename: "foo-1.0.tar.gz", URL: "https://idx.example/simple/foo/foo-1.0.tar.gz", Size: -1}}},
		{"a repeated attribute: the first wins",
			`<a href="foo-1.0.tar.gz" href="https://evil.example/foo-1.0.tar.gz">foo-1.0.tar.gz</a>`,
			[]File{{Filename: "foo-1.0.tar.gz", URL: "https://idx.example/simple/foo/foo-1.0.tar.gz", Size: -1}}},
		{"anchors in comments and scripts are not links",
			`<!-- <a href="old-1.0.tar.gz">old-1.0.tar.gz</a> --><script>var s = '<a href="js-1.0.tar.gz">js</a>';</script><a href="foo-1.0.tar.gz">foo-1.0.tar.gz</a>`,
			[]File{{Filename: "foo-1.0.tar.gz", URL: "https://idx.example/simple/foo/foo-1.0.tar.gz", Size: -1}}},
		{"a base tag moves relative links",
			`<base href="https://files.example/pkgs/"><a href="foo-1.0.tar.gz">foo-1.0.tar.gz</a>`,
			[]File{{Filename: "foo-1.0.tar.gz", URL: "https://files.example/pkgs/foo-1.0.tar.gz", Size: -1}}},
		{"a self-closing anchor takes its name from the URL",
			`<a href="foo-1.0.tar.gz"/>`,
			[]File{{Filename: "foo-1.0.tar.gz", URL: "https://idx.example/simple/foo/foo-1.0.tar.gz", Size: -1}}},
		{"an unterminated tag at the end is dropped",
			`<a href="foo-1.0.tar.gz">foo-1.0.tar.gz</a><a href='foo-1.1.tar.gz`,
			[]File{{Filename: "foo-1.0.tar.gz", URL: "https://idx.example/simple/foo/foo-1.0.tar.gz", Size: -1}}},
		{"nothing but angle brackets", strings.Repeat("<", 1000) + strings.Repeat(">", 1000), nil},
	}
	base, _ := url.Parse("https://idx.example/simple/foo/")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pg, err := parseSimpleHTML([]byte(tt.doc), base)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(pg.files, tt.want) {
				t.Errorf("files:\n got %+v\nwant %+v", pg.files, tt.want)
			}
		})
	}
}

// Hostile pages whose reading must stay linear in their size; compare
// ns/op against BenchmarkParseSimpleHTMLUnclosedAnchors (1 MiB as well).
func BenchmarkParseSimpleHTMLHostile(b *testing.B) {
	base, _ := url.Parse("https://idx.example/simple/foo/")
	for _, bm := range []struct{ name, doc string }{
		{"open-brackets", strings.Repeat("<", 1<<20)},
		{"unclosed-quote", `<a href='` + strings.Repeat("a", 1<<20)},
		{"many-attributes", `<a ` + strings.Repeat("x ", 1<<19) + `href=f.tar.gz>f.tar.gz</a>`},
		{"huge-attribute", `<a href="f.tar.gz" data-x="` + strings.Repeat("&amp;", 1<<18) + `">f.tar.gz</a>`},
		{"nested-anchor-text", strings.Repeat(`<a href=x><b>`, 1<<16)},
	} {
		doc := []byte(bm.doc)
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				if _, err := parseSimpleHTML(doc, base); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
