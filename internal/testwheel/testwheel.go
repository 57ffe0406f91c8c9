// Package testwheel builds tiny pure-Python wheels for tests and the
// example pipeline: one module whose __version__ is the release version,
// its dependencies in Requires-Dist. It serves them from the index
// simulator; it knows nothing of pip or venvs.
package testwheel

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/pinwheel-dev/pinwheel/indexsim"
)

// Wheel is one release of one package.
type Wheel struct {
	Name, Version string
	Requires      []string // Requires-Dist lines, e.g. "alpha>=1.0"
}

// Module is the import name: the project name lower-cased, "-" as "_".
func (w Wheel) Module() string { return strings.ReplaceAll(strings.ToLower(w.Name), "-", "_") }

// Filename is the wheel's file name (py3-none-any).
func (w Wheel) Filename() string {
	return fmt.Sprintf("%s-%s-py3-none-any.whl", w.Module(), w.Version)
}

// Bytes builds the wheel per
// https://packaging.python.org/en/latest/specifications/binary-distribution-format/.
func (w Wheel) Bytes() ([]byte, error) {
	distInfo := fmt.Sprintf("%s-%s.dist-info", w.Module(), w.Version)
	var meta strings.Builder
	fmt.Fprintf(&meta, "Metadata-Version: 2.1\nName: %s\nVersion: %s\n", w.Name, w.Version)
	for _, r := range w.Requires {
		fmt.Fprintf(&meta, "Requires-Dist: %s\n", r)
	}
	files := []struct{ name, body string }{
		{w.Module() + "/__init__.py", fmt.Sprintf("__version__ = %q\n", w.Version)},
		{distInfo + "/METADATA", meta.String()},
		{distInfo + "/WHEEL", "Wheel-Version: 1.0\nGenerator: pinwheel-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	var record strings.Builder
	for _, f := range files {
		fw, err := zw.Create(f.name)
		if err != nil {
			return nil, err
		}
		if _, err := fw.Write([]byte(f.body)); err != nil {
			return nil, err
		}
		sum := sha256.Sum256([]byte(f.body))
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", f.name, base64.RawURLEncoding.EncodeToString(sum[:]), len(f.body))
	}
	fmt.Fprintf(&record, "%s/RECORD,,\n", distInfo)
	fw, err := zw.Create(distInfo + "/RECORD")
	if err != nil {
		return nil, err
	}
	if _, err := fw.Write([]byte(record.String())); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Serve adds the wheels to the index simulator as releases.
func Serve(s *indexsim.Server, wheels ...Wheel) error {
	for _, w := range wheels {
		b, err := w.Bytes()
		if err != nil {
			return fmt.Errorf("build %s: %w", w.Filename(), err)
		}
		s.AddRelease(w.Name, w.Version, indexsim.File{Filename: w.Filename(), Content: b})
	}
	return nil
}
