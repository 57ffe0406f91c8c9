package constraints

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinwheel-dev/pinwheel/internal/golden"
)

// inputs returns the names of the input files under testdata/input.
func inputs(t testing.TB) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "input", "*.txt"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no inputs under testdata/input: %v", err)
	}
	return paths
}

func readInput(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "input", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// dump renders what Parse found, one entry per line, for golden files.
func dump(f *File) []byte {
	var b bytes.Buffer
	for _, p := range f.Pins() {
		fmt.Fprintf(&b, "pin %d: name=%q key=%q version=%q", p.Line, p.Name, p.Key, p.Version)
		if p.Operator != "==" {
			fmt.Fprintf(&b, " operator=%q", p.Operator)
		}
		if p.Extras != nil {
			fmt.Fprintf(&b, " extras=%q", p.Extras)
		}
		if p.Marker != "" {
			fmt.Fprintf(&b, " marker=%q", p.Marker)
		}
		if p.Comment != "" {
			fmt.Fprintf(&b, " comment=%q", p.Comment)
		}
		if p.Ignored {
			b.WriteString(" ignored")
		}
		for _, h := range p.Hashes {
			fmt.Fprintf(&b, "\n  hash %s", h)
		}
		b.WriteByte('\n')
	}
	for _, u := range f.Unmanaged() {
		fmt.Fprintf(&b, "unmanaged %d: %q (%s)\n", u.Line, u.Text, u.Reason)
	}
	for _, r := range f.References() {
		fmt.Fprintf(&b, "reference %d: %s %q\n", r.Line, r.Option, r.Path)
	}
	for _, e := range f.Errors() {
		fmt.Fprintf(&b, "error %s\n", e)
	}
	return b.Bytes()
}

func TestGoldenParse(t *testing.T) {
	for _, path := range inputs(t) {
		name := strings.TrimSuffix(filepath.Base(path), ".txt")
		t.Run(name, func(t *testing.T) {
			f := ParseFile(filepath.Base(path), readInput(t, filepath.Base(path)))
			golden.Check(t, "golden/"+name+".parse", dump(f))
			golden.Check(t, "golden/"+name+".yml", YAML(f, "constraints/"+filepath.Base(path)))
		})
	}
}

func TestRoundTrip(t *testing.T) {
	for _, path := range inputs(t) {
		data := readInput(t, filepath.Base(path))
		if got := Parse(data).Bytes(); !bytes.Equal(got, data) {
			t.Errorf("%s: Bytes() differs from the input", path)
		}
	}
}

func TestGoldenRewrite(t *testing.T) {
	digests := []string{strings.Repeat("d", 64), strings.Repeat("E", 64)}
	tests := []struct {
		input, name   string
		key, version  string
		sha256        []string
		wantChanged   int
		wantUnchanged []string // other keys whose pins must be left as they were
	}{
		{"basic.txt", "requests", "requests", "2.33.0", nil, 1, []string{"urllib3", "django"}},
		{"basic.txt", "spaced", "urllib3", "2.3.0", nil, 1, []string{"requests"}},
		{"basic.txt", "tabs", "django", "5.1", nil, 1, nil},
		{"basic.txt", "extras-comment", "uvicorn", "0.30.1", nil, 1, nil},
		{"basic.txt", "marker", "bar", "2.1", nil, 1, []string{"foo"}},
		{"basic.txt", "ignored", "legacy_lib", "1.0", nil, 0, nil},
		{"hashes.txt", "continued-two-to-two", "certifi", "2024.7.4", digests, 1, []string{"idna", "requests"}},
		{"hashes.txt", "continued-one-to-two", "charset-normalizer", "3.4.0", digests, 1, nil},
		{"hashes.txt", "continued-tabs-three-to-one", "urllib3", "2.3.0", digests[:1], 1, nil},
		{"hashes.txt", "same-line", "idna", "3.8", digests, 1, []string{"certifi"}},
		{"hashes.txt", "same-line-separate-value", "requests", "2.32.3", digests, 1, nil},
		{"crlf.txt", "crlf-hashes", "certifi", "2024.7.4", digests, 1, []string{"requests"}},
		{"crlf.txt", "crlf-comment", "idna", "3.8", nil, 1, nil},
		{"mixed-endings.txt", "no-final-newline", "certifi", "2024.7.4", nil, 1, nil},
		{"mixed-endings.txt", "lone-cr", "idna", "3.8", nil, 1, []string{"six"}},
		{"mixed-endings.txt", "crlf-one-hash-to-two", "six", "1.17.0", digests, 1, []string{"idna", "certifi"}},
		{"duplicates.txt", "twice", "numpy", "2.1.0", nil, 3, []string{"zope.interface"}},
		{"errors.txt", "next-to-errors", "urllib3", "2.3.0", nil, 1, nil},
		{"nasty.txt", "bom-first-line", "django", "4.2.16", nil, 1, []string{"foo", "bar"}},
		{"nasty.txt", "continued-mixed-hash-forms", "bar", "2.1", digests[:1], 1, []string{"pyyaml", "six"}},
		{"nasty.txt", "same-line-mixed-hash-forms", "pyyaml", "6.0.2", digests, 1, []string{"typing-extensions"}},
		{"nasty.txt", "no-final-newline", "six", "1.17.0", nil, 1, nil},
		{"upper-constraints.txt", "arbitrary-equality", "voluptuous", "0.16.0", nil, 1, []string{"chardet", "sphinx"}},
		{"pip-compile.txt", "pip-compile-hashes", "certifi", "2024.12.14", digests, 1, []string{"idna", "requests"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := Parse(readInput(t, tt.input))
			f := Parse(readInput(t, tt.input))
			n, err := f.SetVersion(tt.key, tt.version, tt.sha256)
			if err != nil {
				t.Fatalf("SetVersion: %v", err)
			}
			if n != tt.wantChanged {
				t.Errorf("SetVersion changed %d pins, want %d", n, tt.wantChanged)
			}
			golden.Check(t, "golden/"+strings.TrimSuffix(tt.input, ".txt")+"."+tt.name+".txt", f.Bytes())

			again := Parse(f.Bytes())
			if !bytesEqualStrings(dumpErrors(again), dumpErrors(before)) {
				t.Errorf("errors changed:\n%v\nwant\n%v", again.Errors(), before.Errors())
			}
			for _, p := range again.Lookup(tt.key) {
				if !p.Ignored && p.Version != tt.version {
					t.Errorf("line %d: version %q after rewrite, want %q", p.Line, p.Version, tt.version)
				}
				if len(p.Hashes) > 0 && len(p.Hashes) != len(tt.sha256) {
					t.Errorf("line %d: %d hashes after rewrite, want %d", p.Line, len(p.Hashes), len(tt.sha256))
				}
			}
			for _, k := range tt.wantUnchanged {
				// Lines below a pin that gained hash lines move down.
				if got, want := withoutLines(again.Lookup(k)), withoutLines(before.Lookup(k)); got != want {
					t.Errorf("%s changed: %s, want %s", k, got, want)
				}
			}
		})
	}
}

func dumpErrors(f *File) []string {
	var out []string
	for _, e := range f.Errors() {
		out = append(out, e.Error())
	}
	return out
}

func withoutLines(pins []Pin) string {
	for i := range pins {
		pins[i].Line = 0
	}
	return fmt.Sprintf("%+v", pins)
}

func bytesEqualStrings(a, b []string) bool { return fmt.Sprint(a) == fmt.Sprint(b) }
