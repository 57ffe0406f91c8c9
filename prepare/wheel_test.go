package prepare

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/pinwheel-dev/pinwheel/indexsim"
)

// wheel is a tiny pure-Python wheel: one module whose __version__ is the
// release version, with its dependencies in Requires-Dist.
type wheel struct {
	name, version string
	requires      []string
}

func (w wheel) module() string { return strings.ReplaceAll(strings.ToLower(w.name), "-", "_") }

func (w wheel) filename() string {
	return fmt.Sprintf("%s-%s-py3-none-any.whl", w.module(), w.version)
}

// bytes builds the wheel per https://packaging.python.org/en/latest/specifications/binary-distribution-format/.
func (w wheel) bytes(t testing.TB) []byte {
	t.Helper()
	distInfo := fmt.Sprintf("%s-%s.dist-info", w.module(), w.version)
	var meta strings.Builder
	fmt.Fprintf(&meta, "Metadata-Version: 2.1\nName: %s\nVersion: %s\n", w.name, w.version)
	for _, r := range w.requires {
		fmt.Fprintf(&meta, "Requires-Dist: %s\n", r)
	}
	files := []struct{ name, body string }{
		{w.module() + "/__init__.py", fmt.Sprintf("__version__ = %q\n", w.version)},
		{distInfo + "/METADATA", meta.String()},
		{distInfo + "/WHEEL", "Wheel-Version: 1.0\nGenerator: pinwheel-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	var record strings.Builder
	for _, f := range files {
		fw, err := zw.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write([]byte(f.body)); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(f.body))
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", f.name, base64.RawURLEncoding.EncodeToString(sum[:]), len(f.body))
	}
	fmt.Fprintf(&record, "%s/RECORD,,\n", distInfo)
	fw, err := zw.Create(distInfo + "/RECORD")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write([]byte(record.String())); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// newIndex serves the given wheels from the index simulator.
func newIndex(t testing.TB, wheels ...wheel) *indexsim.Server {
	t.Helper()
	s := indexsim.New(indexsim.Options{})
	t.Cleanup(s.Close)
	for _, w := range wheels {
		s.AddRelease(w.name, w.version, indexsim.File{Filename: w.filename(), Content: w.bytes(t)})
	}
	return s
}
