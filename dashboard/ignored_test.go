package dashboard

import (
	"strings"
	"testing"
)

func TestRenderIgnored(t *testing.T) {
	rules := []IgnoreRule{
		{Key: "ignore/requests/major/3", Package: "requests", What: "every release of major 3", By: "alice", MRIID: 4},
		{Key: "ignore/bad key", Package: "<b>x</b>", What: "every update"},
	}
	cases := []struct {
		name   string
		d      Dashboard
		closed bool
	}{
		{"alone", Dashboard{Ignored: rules}, false},
		{"after closed MRs", Dashboard{Ignored: rules, Closed: []Entry{{Branch: "pinwheel/idna-3.x", Title: "Update idna to 3.10"}}}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := Render(c.d)
			if n := strings.Count(body, "## Closed / Ignored"); n != 1 {
				t.Fatalf("%d Closed / Ignored headings:\n%s", n, body)
			}
			if strings.Contains(body, noUpdates) {
				t.Errorf("says there is nothing:\n%s", body)
			}
			box := " - [ ] <!-- unignore-branch=ignore/requests/major/3 -->`requests`: every release of major 3 (by `@alice` on !4) <!-- pinwheel-ignore:"
			if !strings.Contains(body, box) {
				t.Errorf("no unignore box %q in:\n%s", box, body)
			}
			if !strings.Contains(body, "_(no checkbox: the rule's key is not valid)_") || !strings.Contains(body, "`<b>x</b>`") {
				t.Errorf("bad key not shown safely:\n%s", body)
			}
			if got := strings.Contains(body, "<!-- recreate-branch=pinwheel/idna-3.x -->"); got != c.closed {
				t.Errorf("recreate box shown = %v, want %v", got, c.closed)
			}
			// The box reads back, and With ticks another box.
			ticks := Parse(strings.Replace(body, "[ ] <!-- unignore", "[x] <!-- unignore", 1))
			if !ticks.Has(KindUnignore, "ignore/requests/major/3") {
				t.Error("ticked unignore box not parsed")
			}
			if w := ticks.With(Box{Kind: KindRebase, Branch: "b"}); !w.Has(KindRebase, "b") || ticks.Has(KindRebase, "b") {
				t.Error("With does not add a tick to a copy")
			}
		})
	}
}

// Each rule's hidden marker reads back as the rule, whatever its text
// holds; a marker someone mangled is skipped.
func TestIgnoreMarkersRoundTrip(t *testing.T) {
	rules := []IgnoreRule{
		{Key: "ignore/requests/major/3", Package: "requests", What: "x", By: "alice", MRIID: 4, Scope: "major", Value: "3"},
		{Key: "ignore/six/dependency", Package: "six", What: "y", By: "bob --> <!-- pinwheel-ignore:", Scope: "dependency"},
	}
	body := Render(Dashboard{Ignored: rules})
	got := ParseIgnoreRules(body)
	if len(got) != 2 {
		t.Fatalf("read back %+v from:\n%s", got, body)
	}
	for i, r := range rules {
		r.What = ""
		if got[i] != r {
			t.Errorf("rule %d = %+v, want %+v", i, got[i], r)
		}
	}
	mangled := strings.Replace(body, ignoreMarkerPrefix+"ey", ignoreMarkerPrefix+"!!", 1)
	if got := ParseIgnoreRules(mangled); len(got) != 1 || got[0].Key != "ignore/six/dependency" {
		t.Errorf("mangled marker: %+v", got)
	}
}
