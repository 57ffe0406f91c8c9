package dashboard

import (
	"slices"
	"strings"
	"testing"
)

func TestCarryOver(t *testing.T) {
	d := fullDashboard()
	newBody := Render(d)
	django := Box{Kind: KindRebase, Branch: "pinwheel/django-4.x"}
	flask := Box{Kind: KindRebase, Branch: "pinwheel/flask-3.x"}
	numpy := Box{Kind: KindUnlimit, Branch: "pinwheel/numpy-2.x"}
	vanished := Box{Kind: KindUnschedule, Branch: "pinwheel/gone-1.x"}

	// The issue as re-read just before writing: django was ticked when
	// the run started and the run rebased it; flask, numpy, the manual-run
	// box and gone were ticked while the run was in flight.
	fresh := strings.ReplaceAll(newBody, "\n", "\r\n") // as GitLab may return it
	for _, b := range []Box{django, flask, numpy, {Kind: KindManualRun}} {
		fresh = strings.Replace(fresh, checkbox(b, false), checkbox(b, true), 1)
	}
	fresh += "\r\n - [x] " + vanished.marker() + "Update gone\r\n"

	// The run's own rendering has django ticked (say the model still had
	// it): a consumed box must come out unticked all the same.
	d.Open[0].Ticked = true
	newBody = Render(d)

	consumed := func(b Box) bool { return b == django }
	got, dropped := CarryOver(newBody, fresh, consumed)

	if want := []Box{{Kind: KindManualRun}, flask, numpy}; !slices.Equal(Parse(got).ticked(), want) {
		t.Errorf("ticked after CarryOver = %v, want %v", Parse(got).ticked(), want)
	}
	if want := []Box{vanished}; !slices.Equal(dropped, want) {
		t.Errorf("dropped = %v, want %v", dropped, want)
	}
	// Only tick marks change.
	if a, b := strings.ReplaceAll(got, "[x]", "[ ]"), strings.ReplaceAll(newBody, "[x]", "[ ]"); a != b {
		t.Errorf("CarryOver changed more than ticks:\n%s", got)
	}
}

func TestCarryOverNothingToCarry(t *testing.T) {
	newBody := Render(fullDashboard())
	got, dropped := CarryOver(newBody, "", nil)
	if got != newBody || dropped != nil {
		t.Errorf("CarryOver with an empty fresh body changed the text or dropped %v", dropped)
	}
}

func TestCarryOverKeepsBulkBox(t *testing.T) {
	newBody := Render(fullDashboard())
	fresh := strings.Replace(newBody, checkbox(Box{Kind: KindRebaseAllOpen}, false), checkbox(Box{Kind: KindRebaseAllOpen}, true), 1)
	got, _ := CarryOver(newBody, fresh, func(Box) bool { return false })
	if !Parse(got).Has(KindRebase, "pinwheel/flask-3.x") {
		t.Errorf("bulk box ticked mid-run was lost")
	}
	got, _ = CarryOver(newBody, fresh, func(b Box) bool { return b.Kind == KindRebaseAllOpen })
	if Parse(got).Has(KindRebaseAllOpen, "") {
		t.Errorf("consumed bulk box came out ticked")
	}
}

func TestEqual(t *testing.T) {
	a := Render(fullDashboard())
	tests := []struct {
		name string
		b    string
		want bool
	}{
		{"same", a, true},
		{"CRLF", strings.ReplaceAll(a, "\n", "\r\n"), true},
		{"trailing white space and newlines", strings.ReplaceAll(a, "\n", "  \n") + "\n\n", true},
		{"a tick", strings.Replace(a, "[ ]", "[x]", 1), false},
		{"a word", strings.Replace(a, "Update", "Upgrade", 1), false},
		{"leading indentation", strings.Replace(a, " - [ ]", "- [ ]", 1), false},
	}
	for _, tt := range tests {
		if got := Equal(a, tt.b); got != tt.want {
			t.Errorf("%s: Equal = %v, want %v", tt.name, got, tt.want)
		}
	}
}
