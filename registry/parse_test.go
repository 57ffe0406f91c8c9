package registry

import (
	"net/url"
	"reflect"
	"testing"
)

func TestFileVersion(t *testing.T) {
	tests := []struct {
		norm, file, want string
		ok               bool
	}{
		{"requests", "requests-2.32.3-py3-none-any.whl", "2.32.3", true},
		{"requests", "requests-2.32.3.tar.gz", "2.32.3", true},
		{"zope-interface", "zope.interface-6.0-cp312-cp312-manylinux_2_17_x86_64.whl", "6.0", true},
		{"zope-interface", "zope_interface-6.0-1-cp312-cp312-win_amd64.whl", "6.0", true},
		{"zope-interface", "zope.interface-6.0.zip", "6.0", true},
		{"foo-bar", "foo-bar-1.0-beta.2.tar.gz", "1.0-beta.2", true},
		{"foo-bar", "Foo_Bar-1.0.tar.bz2", "1.0", true},
		{"foo", "foo-1.0-py2.7.egg", "1.0", true},
		{"foo", "foo-bar-1.0.tar.gz", "", false},
		{"foo", "foo-1.0.exe", "", false},
		{"foo", "foo-1.0-py3-any.whl", "", false},
		{"foo", "foo-.tar.gz", "", false},
		{"foo", "foo-1.0.tar.gz.asc", "", false},
	}
	for _, tt := range tests {
		got, ok := fileVersion(tt.norm, tt.file)
		if got != tt.want || ok != tt.ok {
			t.Errorf("fileVersion(%q, %q) = %q, %v; want %q, %v", tt.norm, tt.file, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseSimpleHTML(t *testing.T) {
	const doc = `<!DOCTYPE html><HTML><head>
<META name="pypi:repository-version" content="1.0"><title>Links</title></head><body>
<A HREF="../../packages/foo-1.0.tar.gz#SHA256=ABCD" data-requires-python="&gt;=3.8" >foo-1.0.tar.gz</A><br/>
<a href='https://files.example/foo-1.1-py3-none-any.whl#sha256=ef01' data-yanked>foo-1.1-py3-none-any.whl</a>
<a data-yanked="bad &amp; sad" href=foo-1.2.tar.gz>
  foo-1.2.tar.gz
</a>
<abbr>not a link</abbr>
<a name="anchor-without-href">nothing</a>
</body></html>`
	base, _ := url.Parse("https://idx.example/simple/foo/")
	pg, err := parseSimpleHTML([]byte(doc), base)
	if err != nil {
		t.Fatal(err)
	}
	want := []File{
		{Filename: "foo-1.0.tar.gz", URL: "https://idx.example/packages/foo-1.0.tar.gz", Hashes: map[string]string{"sha256": "abcd"}, RequiresPython: ">=3.8", Size: -1},
		{Filename: "foo-1.1-py3-none-any.whl", URL: "https://files.example/foo-1.1-py3-none-any.whl", Hashes: map[string]string{"sha256": "ef01"}, Yanked: true, Size: -1},
		{Filename: "foo-1.2.tar.gz", URL: "https://idx.example/simple/foo/foo-1.2.tar.gz", Yanked: true, YankedReason: "bad & sad", Size: -1},
	}
	if pg.apiVersion != "1.0" {
		t.Errorf("api version = %q", pg.apiVersion)
	}
	if !reflect.DeepEqual(pg.files, want) {
		t.Errorf("files:\n got %+v\nwant %+v", pg.files, want)
	}
}

func TestUnsupportedAPIVersion(t *testing.T) {
	for v, ok := range map[string]bool{"": true, "1.0": true, "1.4": true, "2.0": false} {
		if err := checkAPIVersion(v); (err == nil) != ok {
			t.Errorf("checkAPIVersion(%q) = %v", v, err)
		}
	}
}

func TestSameNameAgreesWithNormalize(t *testing.T) {
	for _, tt := range []struct {
		name, norm string
		want       bool
	}{
		{"Zope.Interface", "zope-interface", true},
		{"zope__.-interface", "zope-interface", true},
		{"zope", "zope-interface", false},
		{"zope-interface-x", "zope-interface", false},
		{"ZOPE_INTERFACE", "zope-interface", true},
	} {
		if got := sameName(tt.name, tt.norm); got != tt.want {
			t.Errorf("sameName(%q, %q) = %v", tt.name, tt.norm, got)
		}
	}
}
