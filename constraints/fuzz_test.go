package constraints

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse checks that any input parses without panicking, round-trips
// byte for byte, and that moving every pin leaves a file that parses to the
// same entries.
func FuzzParse(f *testing.F) {
	for _, path := range inputs(f) {
		f.Add(readInput(f, filepath.Base(path)))
	}
	f.Add([]byte("a==1 \\\r\n\t--hash sha256:" + strings.Repeat("0", 64) + " \\\r"))
	f.Add([]byte("a[b , c]==1;x # pinwheel:ignore\\\n\\"))
	digest := []string{strings.Repeat("f", 64)}
	f.Fuzz(func(t *testing.T, data []byte) {
		file := Parse(data)
		if !bytes.Equal(file.Bytes(), data) {
			t.Fatalf("Bytes() differs from the input")
		}
		_ = YAML(file, "fuzz")
		before := file.Pins()
		nUnmanaged, nErrs := len(file.Unmanaged()), len(file.Errors())
		for _, p := range before {
			if _, err := file.SetVersion(p.Key, "9.9", digest); err != nil {
				continue
			}
		}
		after := Parse(file.Bytes())
		if len(after.Pins()) != len(before) || len(after.Unmanaged()) != nUnmanaged || len(after.Errors()) != nErrs {
			t.Fatalf("rewrite changed the entries: pins %d→%d, unmanaged %d→%d, errors %d→%d\n%q",
				len(before), len(after.Pins()), nUnmanaged, len(after.Unmanaged()), nErrs, len(after.Errors()), file.Bytes())
		}
		for i, p := range after.Pins() {
			if p.Key != before[i].Key {
				t.Fatalf("pin %d is %s after rewrite, was %s", i, p.Key, before[i].Key)
			}
		}
	})
}
