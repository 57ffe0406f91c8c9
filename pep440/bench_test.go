package pep440

import "testing"

var benchVersions = []string{"1.0", "2.31.0", "1!2.3.4rc5.post6.dev7+abc.8", "v1.0-beta-2", "3.12.0a7"}

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		for _, s := range benchVersions {
			if _, err := Parse(s); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkCompare(b *testing.B) {
	vs := make([]Version, len(benchVersions))
	for i, s := range benchVersions {
		vs[i] = MustParse(s)
	}
	for b.Loop() {
		for i := range vs {
			_ = vs[i].Compare(vs[(i+1)%len(vs)])
		}
	}
}

func BenchmarkSpecifiersContains(b *testing.B) {
	specs := MustParseSpecifiers(">=3.8, !=3.9.*, <4")
	v := MustParse("3.12.1")
	for b.Loop() {
		if !specs.Contains(v) {
			b.Fatal("want contained")
		}
	}
}
