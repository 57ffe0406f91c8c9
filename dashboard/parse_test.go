package dashboard

import (
	"slices"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	rebase := func(b string) Box { return Box{Kind: KindRebase, Branch: b} }
	tests := []struct {
		name string
		body string
		want []Box // ticked, literally
	}{
		{
			name: "renovate line",
			body: " - [x] <!-- rebase-branch=pinwheel/requests-2.x -->Update requests to 2.32.4",
			want: []Box{rebase("pinwheel/requests-2.x")},
		},
		{
			name: "unticked",
			body: " - [ ] <!-- rebase-branch=pinwheel/requests-2.x -->Update requests",
		},
		{
			name: "capital X, star bullet, indentation, CRLF",
			body: "intro\r\n  * [X] <!-- unschedule-branch=pinwheel/a-1.x -->A\r\n\t- [x]   <!--unlimit-branch=pinwheel/b-2.x-->B\r\n",
			want: []Box{{Kind: KindUnlimit, Branch: "pinwheel/b-2.x"}, {Kind: KindUnschedule, Branch: "pinwheel/a-1.x"}},
		},
		{
			name: "text edited around boxes, entries deleted and reordered",
			body: "My notes: don't merge numpy yet!\n\n## Open\n\n - [x] <!-- rebase-branch=pinwheel/flask-3.x -->Update flask (edited title)\n   - some comment\n - [ ] <!-- rebase-branch=pinwheel/django-4.x -->Update django\n\n - [x] <!-- approve-branch=pinwheel/urllib3-2.x -->moved here",
			want: []Box{{Kind: KindApprove, Branch: "pinwheel/urllib3-2.x"}, rebase("pinwheel/flask-3.x")},
		},
		{
			name: "bulk and manual-run boxes",
			body: " - [x] <!-- rebase-all-open-prs -->**rebase all**\n - [x] <!-- manual job -->run again\n - [x] <!-- approve-all-pending-prs -->not ours",
			want: []Box{{Kind: KindManualRun}, {Kind: KindRebaseAllOpen}},
		},
		{
			name: "unknown kinds ignored",
			body: " - [x] <!-- other-branch=pinwheel/a -->\n - [x] <!-- approvePr-branch=pinwheel/a -->\n - [x] <!-- delete-branch=pinwheel/a -->",
		},
		{
			name: "hostile branches ignored",
			body: strings.Join([]string{
				" - [x] <!-- rebase-branch=../../etc -->",
				" - [x] <!-- rebase-branch=pinwheel/../../etc/passwd -->",
				" - [x] <!-- rebase-branch=$(rm -rf /) -->",
				" - [x] <!-- rebase-branch=`id` -->",
				" - [x] <!-- rebase-branch=a;b -->",
				" - [x] <!-- rebase-branch=/abs -->",
				" - [x] <!-- rebase-branch=-flag -->",
				" - [x] <!-- rebase-branch=a//b -->",
				" - [x] <!-- rebase-branch=a.lock -->",
				" - [x] <!-- rebase-branch=" + strings.Repeat("a", MaxBranchLength+1) + " -->",
				" - [x] <!-- rebase-branch=a b -->",
				" - [x] <!-- rebase-branch= -->",
			}, "\n"),
		},
		{
			name: "marker not at the start of a box line",
			body: "text - [x] <!-- rebase-branch=pinwheel/a -->\n> - [x] <!-- rebase-branch=pinwheel/b -->\n - [x] see <!-- rebase-branch=pinwheel/c -->\n - [x] <!-- rebase-branch=pinwheel/d --",
		},
		{
			name: "duplicate box ticked once counts as ticked",
			body: " - [ ] <!-- rebase-branch=pinwheel/a -->\n - [x] <!-- rebase-branch=pinwheel/a -->",
			want: []Box{rebase("pinwheel/a")},
		},
		{name: "empty", body: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Parse(tt.body).ticked(); !slices.Equal(got, tt.want) {
				t.Errorf("ticked = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseLongMarkerIgnored(t *testing.T) {
	body := " - [x] <!-- rebase-branch=pinwheel/" + strings.Repeat("a/", 50_000) + "x -->"
	if got := Parse(body).ticked(); len(got) != 0 {
		t.Errorf("ticked = %d boxes, want none", len(got))
	}
}

// A well-formed marker naming a branch that is no update is reported by
// Parse, and made harmless by the caller, which only ever asks about its
// own branches.
func TestTicksSelectOnlyAmongComputedBranches(t *testing.T) {
	body := " - [x] <!-- rebase-branch=pinwheel/django-4.x -->Update django\n" +
		" - [x] <!-- rebase-branch=main -->pasted by someone\n" +
		" - [x] <!-- rebase-branch=pinwheel/not-an-update -->pasted too\n"
	ticks := Parse(body)
	if got, want := ticks.Branches(KindRebase), []string{"main", "pinwheel/django-4.x", "pinwheel/not-an-update"}; !slices.Equal(got, want) {
		t.Errorf("Branches = %v, want %v", got, want)
	}
	computed := []string{"pinwheel/django-4.x", "pinwheel/flask-3.x"}
	if got, want := ticks.Selected(KindRebase, computed), []string{"pinwheel/django-4.x"}; !slices.Equal(got, want) {
		t.Errorf("Selected = %v, want %v", got, want)
	}
	var acted []string
	for _, b := range computed {
		if ticks.Has(KindRebase, b) {
			acted = append(acted, b)
		}
	}
	if !slices.Equal(acted, []string{"pinwheel/django-4.x"}) {
		t.Errorf("caller acted on %v", acted)
	}
	if ticks.Has(KindRecreate, "pinwheel/django-4.x") {
		t.Errorf("a rebase tick counted as recreate")
	}
}

func TestBulkBoxCoversOnlyShownBoxes(t *testing.T) {
	body := " - [ ] <!-- unschedule-branch=pinwheel/a-1.x -->A\n" +
		" - [ ] <!-- unschedule-branch=pinwheel/b-1.x -->B\n" +
		" - [ ] <!-- unlimit-branch=pinwheel/c-1.x -->C\n" +
		" - [x] <!-- create-all-awaiting-schedule-prs -->all\n"
	ticks := Parse(body)
	if got, want := ticks.Branches(KindUnschedule), []string{"pinwheel/a-1.x", "pinwheel/b-1.x"}; !slices.Equal(got, want) {
		t.Errorf("Branches(unschedule) = %v, want %v", got, want)
	}
	if ticks.Has(KindUnschedule, "pinwheel/new-1.x") {
		t.Errorf("bulk box covered a branch not in the body")
	}
	if ticks.Has(KindUnlimit, "pinwheel/c-1.x") {
		t.Errorf("awaiting-schedule bulk box covered a rate-limited entry")
	}
	if !ticks.Has(KindCreateAllAwaitingSchedule, "") || ticks.RunRequested() {
		t.Errorf("standalone boxes misread")
	}
}

func TestValidBranch(t *testing.T) {
	for _, ok := range []string{"pinwheel/requests-2.x", "a", "pinwheel/zope.interface-5.x", "A_b/C-1.2"} {
		if !ValidBranch(ok) {
			t.Errorf("ValidBranch(%q) = false", ok)
		}
	}
	for _, bad := range []string{"", "..", "a/../b", "a..b", "/a", "a/", "a//b", ".a", "a/.b", "-a", "a/-b", "a.lock", "a.", "a b", "a~1", "a:b", "ä", strings.Repeat("a", MaxBranchLength+1)} {
		if ValidBranch(bad) {
			t.Errorf("ValidBranch(%q) = true", bad)
		}
	}
}

func TestKindBulk(t *testing.T) {
	tests := []struct {
		kind, bulk Kind
		ok         bool
	}{
		{KindUnschedule, KindCreateAllAwaitingSchedule, true},
		{KindUnlimit, KindCreateAllRateLimited, true},
		{KindRebase, KindRebaseAllOpen, true},
		// Release age is skipped per update only.
		{KindApprove, "", false},
		{KindRecreate, "", false},
		{KindRetry, "", false},
		{KindManualRun, "", false},
		{KindRebaseAllOpen, "", false},
	}
	for _, tt := range tests {
		if bulk, ok := tt.kind.Bulk(); bulk != tt.bulk || ok != tt.ok {
			t.Errorf("%s.Bulk() = %q, %v; want %q, %v", tt.kind, bulk, ok, tt.bulk, tt.ok)
		}
	}
}

func TestPerBranchKindsParse(t *testing.T) {
	kinds := PerBranchKinds()
	if len(kinds) != 7 {
		t.Fatalf("PerBranchKinds() = %v, want the 7 per-entry kinds", kinds)
	}
	for _, k := range kinds {
		b := Box{Kind: k, Branch: "pinwheel/requests-2.x"}
		got, ticked, _, ok := parseLine(" - [x] " + b.marker() + " text")
		if !ok || !ticked || got != b {
			t.Errorf("parseLine(%s) = %+v, %v, %v", b.marker(), got, ticked, ok)
		}
	}
	kinds[0] = "changed"
	if PerBranchKinds()[0] == "changed" {
		t.Error("PerBranchKinds shares its slice with callers")
	}
}
