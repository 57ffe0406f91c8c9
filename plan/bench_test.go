package plan

import (
	"fmt"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/pep440"
	"github.com/pinwheel-dev/pinwheel/registry"
)

// BenchmarkEvaluate runs one pin against a project with a long history
// (500 releases, 4 files each), the size of a busy PyPI project.
func BenchmarkEvaluate(b *testing.B) {
	var releases []registry.Release
	for i := range 500 {
		releases = append(releases, rel(fmt.Sprintf("%d.%d.%d", i/100, i/10%10, i%10), "py:>=3.8", "py:>=3.8", "py:>=3.9,!=3.9.1", "yanked"))
	}
	rule := Rule{Allowed: pep440.MustParseSpecifiers("<5"), MinimumReleaseAge: 72 * time.Hour}
	py := pythons("3.10", "3.12")
	for b.Loop() {
		res, err := Evaluate("1.2.3", releases, rule, py, now)
		if err != nil || len(res.Updates) != 2 {
			b.Fatalf("Evaluate: %v, %d updates", err, len(res.Updates))
		}
	}
}
