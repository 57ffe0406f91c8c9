package dashboard

import "testing"

func TestTaskNote(t *testing.T) {
	tests := []struct {
		name, body string
		want       Box
		ticked, ok bool
	}{
		{"per-update box ticked, as gitlab.com escapes it",
			`marked the checklist item **unschedule\-branch\=pinwheel/requests\-2\.x Update requests to 2\.32\.4** as completed`,
			Box{Kind: KindUnschedule, Branch: "pinwheel/requests-2.x"}, true, true},
		{"unticked",
			`marked the checklist item **rebase\-branch\=pinwheel/six\-1\.x Rebase** as incomplete`,
			Box{Kind: KindRebase, Branch: "pinwheel/six-1.x"}, false, true},
		{"unescaped text", `marked the checklist item **approve-branch=pinwheel/idna-3.x Approve** as completed`,
			Box{Kind: KindApprove, Branch: "pinwheel/idna-3.x"}, true, true},
		{"standalone", `marked the checklist item **manual job Run pinwheel again** as completed`,
			Box{Kind: KindManualRun}, true, true},
		{"bulk", `marked the checklist item **create\-all\-rate\-limited\-prs Create all** as completed`,
			Box{Kind: KindCreateAllRateLimited}, true, true},
		{"old wording", `marked the task **retry\-branch\=pinwheel/x Retry** as completed`,
			Box{Kind: KindRetry, Branch: "pinwheel/x"}, true, true},
		{"a person's item", `marked the checklist item **Write the release notes** as completed`, Box{}, false, false},
		{"unknown kind", `marked the checklist item **frob\-branch\=pinwheel/x** as completed`, Box{}, false, false},
		{"bad branch", `marked the checklist item **rebase\-branch\=pinwheel/\.\.x** as completed`, Box{}, false, false},
		{"a comment", "LGTM, marked the checklist item **x** as completed", Box{}, false, false},
		{"other system note", "changed the description", Box{}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, ticked, ok := TaskNote(tt.body)
			if b != tt.want || ticked != tt.ticked || ok != tt.ok {
				t.Errorf("TaskNote = %+v %v %v, want %+v %v %v", b, ticked, ok, tt.want, tt.ticked, tt.ok)
			}
		})
	}
}

func TestTick(t *testing.T) {
	body := "# D\r\n - [ ] <!-- unschedule-branch=a -->A\r\n - [x] <!-- rebase-branch=b -->B\n - [ ] <!-- approve-branch=c -->C\n"
	got, missing := Tick(body, []Box{{KindUnschedule, "a"}, {KindRebase, "b"}, {KindRetry, "z"}})
	want := "# D\r\n - [x] <!-- unschedule-branch=a -->A\r\n - [x] <!-- rebase-branch=b -->B\n - [ ] <!-- approve-branch=c -->C\n"
	if got != want {
		t.Errorf("Tick =\n%q\nwant\n%q", got, want)
	}
	if len(missing) != 1 || missing[0] != (Box{KindRetry, "z"}) {
		t.Errorf("missing = %v", missing)
	}
}
