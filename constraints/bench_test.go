package constraints

import (
	"fmt"
	"strings"
	"testing"
)

// benchFile is a pip-compile style file of n pins with two hashes each.
func benchFile(n int) []byte {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "package-%d==1.%d.0 \\\n    --hash=sha256:%064x \\\n    --hash=sha256:%064x\n    # via app\n", i, i, i, i+1)
	}
	return []byte(b.String())
}

func BenchmarkParse1000(b *testing.B) {
	data := benchFile(1000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		Parse(data)
	}
}

func BenchmarkSetVersion1000(b *testing.B) {
	f := Parse(benchFile(1000))
	digests := []string{strings.Repeat("a", 64)}
	versions := []string{"2.0", "3.0"}
	i := 0
	for b.Loop() {
		if _, err := f.SetVersion("package-500", versions[i%2], digests); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkYAML1000(b *testing.B) {
	f := Parse(benchFile(1000))
	for b.Loop() {
		YAML(f, "constraints.txt")
	}
}
