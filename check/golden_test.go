package check

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/constraints"
	"github.com/pinwheel-dev/pinwheel/indexsim"
	"github.com/pinwheel-dev/pinwheel/internal/golden"
)

// realIndex holds releases for every package the real-world-shaped inputs
// (constraints/testdata/input) pin, with Requires-Python where dropping
// old Pythons makes the per-line choice matter.
func realIndex(t *testing.T) *indexsim.Server {
	t.Helper()
	sim := indexsim.New(indexsim.Options{Clock: func() time.Time { return now }})
	t.Cleanup(sim.Close)
	catalog := map[string][]string{ // name -> "version requires-python"
		"voluptuous":                {"0.15.2", "0.16.0 >=3.9"},
		"chardet":                   {"5.2.0"},
		"sphinx":                    {"7.4.7 >=3.9", "8.1.3 >=3.10", "8.2.3 >=3.11", "9.0.4 >=3.11", "9.1.0 >=3.12"},
		"numpy":                     {"1.26.4 >=3.9", "2.0.2 >=3.9", "2.2.6 >=3.10", "2.3.5 >=3.11"},
		"XStatic-Angular-Bootstrap": {"2.5.0.0", "2.5.0.1"},
		"pyOpenSSL":                 {"25.1.0", "25.3.0 >=3.7"},
		"setuptools":                {"80.9.0", "80.10.2 >=3.9"},
		"Paste":                     {"3.10.1"},
		"oslo.config":               {"9.8.0", "10.0.0 >=3.10"},
		"pywin32":                   {"308", "311"},
		"exceptiongroup":            {"1.2.2", "1.3.0 >=3.7"},
		"tomli":                     {"2.2.1", "2.3.0 >=3.8"},
		"colorama":                  {"0.4.6"},
		"typing-extensions":         {"4.12.2", "4.15.0 >=3.9"},
		"backports-zoneinfo":        {"0.2.1"},
		"certifi":                   {"2024.8.30", "2025.11.12 >=3.7"},
		"charset-normalizer":        {"3.4.0", "3.4.4 >=3.7"},
		"idna":                      {"3.10", "3.11 >=3.8"},
		"requests":                  {"2.32.3", "2.32.5 >=3.9"},
		"flask":                     {"3.0.3", "3.1.2 >=3.9"},
		"flask-login":               {"0.6.3"},
		"jinja2":                    {"3.1.4", "3.1.6 >=3.7"},
	}
	for name, rels := range catalog {
		for _, r := range rels {
			v, requires, _ := strings.Cut(r, " ")
			sim.AddRelease(name, v, indexsim.File{
				Filename:       strings.ReplaceAll(name, "-", "_") + "-" + v + "-py3-none-any.whl",
				RequiresPython: requires,
				UploadTime:     now.AddDate(0, 0, -30),
			})
		}
	}
	return sim
}

// TestGoldenRealWorldFiles checks the files people really have, as
// `pinwheel check` prints them: "===" pins with markers, a poetry export
// with markers, pip-compile output with hashes, and a file with options
// pip refuses.
func TestGoldenRealWorldFiles(t *testing.T) {
	sim := realIndex(t)
	for _, name := range []string{"upper-constraints", "multi-marker", "pip-compile", "unknown-options"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("..", "constraints", "testdata", "input", name+".txt"))
			if err != nil {
				t.Fatal(err)
			}
			f := constraints.ParseFile(name+".txt", data)
			rep := Run(context.Background(), newClient(t, sim), f, Options{Now: now})
			var b bytes.Buffer
			if err := WriteTable(&b, rep.Rows()); err != nil {
				t.Fatal(err)
			}
			for _, e := range f.Errors() {
				fmt.Fprintf(&b, "error: %v\n", e)
			}
			for _, u := range f.Unmanaged() {
				fmt.Fprintf(&b, "unmanaged: line %d: %s (%s)\n", u.Line, u.Text, u.Reason)
			}
			golden.Check(t, filepath.Join("real", name+".txt"), b.Bytes())
		})
	}
}
