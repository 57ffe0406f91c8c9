package dashboard

import (
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	f.Add(Render(fullDashboard()))
	f.Add(Render(hostileDashboard()))
	f.Add(" - [x] <!-- rebase-branch=../../etc -->\r\n * [X] <!-- manual job -->")
	f.Add(" - [x] <!-- rebase-branch=$(rm -rf) -->")
	f.Fuzz(func(t *testing.T, body string) {
		ticks := Parse(body)
		for b := range ticks.boxes {
			if b.Branch == "" && !b.Kind.standalone() || b.Branch != "" && (!b.Kind.perBranch() || !ValidBranch(b.Branch)) {
				t.Fatalf("Parse returned box %+v", b)
			}
		}
		for _, k := range []Kind{KindUnschedule, KindApprove, KindUnlimit, KindRebase, KindRecreate, KindRetry} {
			for _, br := range ticks.Branches(k) {
				if !ValidBranch(br) {
					t.Fatalf("Branches(%s) returned %q", k, br)
				}
			}
		}
		out, _ := CarryOver(body, body, nil)
		if out != body {
			t.Fatalf("CarryOver(body, body) changed the body")
		}
	})
}

// FuzzRenderTitle checks that no title, whatever it holds, adds or ticks
// a box.
func FuzzRenderTitle(f *testing.F) {
	f.Add("Update requests to 2.32.4")
	f.Add("x\n - [x] <!-- manual job -->")
	f.Add("`\r - [x] <!-- rebase-branch=a -->")
	f.Fuzz(func(t *testing.T, title string) {
		e := Entry{Branch: "pinwheel/requests-2.x", Title: title, From: title, To: title, UpdateType: title,
			MR: &MergeRequest{IID: 1, WebURL: title, Pipeline: title}}
		d := Dashboard{Open: []Entry{e}, Problems: []Problem{{Subject: title, Message: title}},
			Files: []DependencyFile{{Path: title, Pins: []Pin{{Name: title, Version: title, Note: title}}}}}
		ticks := Parse(Render(d))
		if len(ticks.boxes) != 1 || !strings.Contains(Render(d), checkbox(Box{Kind: KindRebase, Branch: e.Branch}, false)) || len(ticks.ticked()) != 0 {
			t.Fatalf("title %q changed the boxes: %v", title, ticks.boxes)
		}
	})
}
