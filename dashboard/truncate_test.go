package dashboard

import (
	"fmt"
	"strings"
	"testing"
)

func manyPins(n int) []Pin {
	pins := make([]Pin, n)
	for i := range pins {
		pins[i] = Pin{Line: i + 1, Name: fmt.Sprintf("package-%06d-%s", i, strings.Repeat("x", 150)), Version: "1.0.0"}
	}
	return pins
}

func TestRenderTruncatesDetectedDependenciesFirst(t *testing.T) {
	d := fullDashboard()
	d.Files[0].Pins = manyPins(500)
	full := Render(d)
	limit := len(full) / 2
	got := render(d, limit)
	if len(got) > limit {
		t.Fatalf("render with limit %d gave %d bytes", limit, len(got))
	}
	if !strings.Contains(got, "Detected dependencies section has been truncated") {
		t.Errorf("truncated text does not say so")
	}
	// The lists and their boxes are untouched: only rows went.
	if a, b := boxesOf(Parse(got)), boxesOf(Parse(full)); fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("truncation lost boxes: got %v, want %v", a, b)
	}
	if !strings.Contains(got, "package-000000-") {
		t.Errorf("truncation dropped the first rows instead of the last")
	}
	if strings.Contains(got, "package-000499-") {
		t.Errorf("truncated text still has the last row")
	}
}

func TestRenderTruncatesListsWhenRowsAreNotEnough(t *testing.T) {
	var d Dashboard
	for i := range 2000 {
		e := entry(fmt.Sprintf("pkg%04d", i), "1.0", "1.1", "minor")
		e.Title += " " + strings.Repeat("y", 150)
		d.RateLimited = append(d.RateLimited, e)
	}
	d.Files = []DependencyFile{{Path: "constraints.txt", Pins: manyPins(10)}}
	const limit = 100_000
	got := render(d, limit)
	if len(got) > limit {
		t.Fatalf("render gave %d bytes, limit %d", len(got), limit)
	}
	if !strings.Contains(got, "more, not shown") {
		t.Errorf("truncated list does not say so")
	}
	n := len(Parse(got).boxes)
	if n < 100 || n >= 2000 {
		t.Errorf("truncated list keeps %d boxes; want most that fit, fewer than all", n)
	}
}

func TestRenderStaysUnderGitLabLimit(t *testing.T) {
	d := fullDashboard()
	d.Files[0].Pins = manyPins(8000) // about 1.5 MB untruncated
	if got := Render(d); len(got) > MaxBodyLength {
		t.Errorf("Render gave %d bytes, more than %d", len(got), MaxBodyLength)
	}
}

func BenchmarkRenderTruncated(b *testing.B) {
	d := fullDashboard()
	d.Files[0].Pins = manyPins(8000)
	for b.Loop() {
		Render(d)
	}
}
