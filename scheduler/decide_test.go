package scheduler

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/dashboard"
	"github.com/pinwheel-dev/pinwheel/plan"
	"github.com/pinwheel-dev/pinwheel/state"
)

var (
	offered = &Candidate{Update: &plan.Update{From: "2.31.0", To: "2.32.0", Type: "minor"}, Blob: "blob-offered"}
	pending = &Candidate{Update: &plan.Update{From: "2.31.0", To: "2.33.0", Type: "minor", Pending: true}, Blob: "blob-pending"}
	// secOffered is offered as a security update (plan.SecurityUpdate).
	secOffered = &Candidate{Update: &plan.Update{From: "2.31.0", To: "2.32.0", Type: "minor", Security: true, Fixes: []string{"PYSEC-1"}}, Blob: "blob-offered"}
	// plain is the newer normal update secOffered replaced; plainSec the
	// same when it fixes all too (plan.Update.Plain).
	plain    = &Candidate{Update: &plan.Update{From: "2.31.0", To: "2.33.0", Type: "minor"}, Blob: "blob-plain"}
	plainSec = &Candidate{Update: &plan.Update{From: "2.31.0", To: "2.33.0", Type: "minor", Security: true, Fixes: []string{"PYSEC-1"}}, Blob: "blob-plain"}
	// plainNewer is a newer plain update, affected by an advisory that
	// the open MR's 2.33.0 (once a fix-all) is affected by too.
	plainNewer = &Candidate{Update: &plan.Update{From: "2.31.0", To: "2.34.0", Type: "minor"}, Blob: "blob-newer"}
)

const (
	titleOffered = "Update requests to 2.32.0"
	titlePending = "Update requests to 2.33.0"
)

func openMR(title, blob string) state.MergeRequestRecord {
	return state.MergeRequestRecord{IID: 7, State: "opened", Title: title, BuiltSHA: "abc", Blob: blob}
}

// TestDecide covers every way out of decide.
func TestDecide(t *testing.T) {
	limits := config.Limits{OpenMRs: 2, NewMRsPerRun: 1}
	errContent := errors.New("no line changes")
	tests := []struct {
		name    string
		in      DecisionInput
		action  Action
		section Section
		want    string // the version carried, "" for none
		consume []dashboard.Kind
		pending bool // a Pending release age entry
		note    bool
		fail    Section
		err     bool
		title   string // Entry.Title when not the decision's
		split   bool   // the fix goes on the vulnerability branch
	}{
		{name: "nothing to offer", in: DecisionInput{}, action: ActIdle},
		{name: "only pending", in: DecisionInput{Pending: pending}, action: ActIdle, pending: true},
		{name: "in window, no MR", in: DecisionInput{Offered: offered, InWindow: true}, action: ActCreate, section: SectionOpen, want: "2.32.0"},
		{name: "outside window", in: DecisionInput{Offered: offered}, action: ActHold, section: SectionAwaitingSchedule, want: "2.32.0"},
		{name: "outside window, pending listed", in: DecisionInput{Offered: offered, Pending: pending}, action: ActHold, section: SectionAwaitingSchedule, want: "2.32.0", pending: true},
		{name: "unschedule ticked", in: DecisionInput{Offered: offered, Ticks: Ticks{Unschedule: true}}, action: ActCreate, section: SectionOpen, want: "2.32.0",
			consume: []dashboard.Kind{dashboard.KindUnschedule}, fail: SectionAwaitingSchedule},
		{name: "retry ticked", in: DecisionInput{Offered: offered, Ticks: Ticks{Retry: true}}, action: ActCreate, section: SectionOpen, want: "2.32.0",
			consume: []dashboard.Kind{dashboard.KindRetry}, fail: SectionAwaitingSchedule},
		{name: "open limit reached", in: DecisionInput{Offered: offered, InWindow: true, Limits: limits, OpenMRs: 2}, action: ActHold, section: SectionRateLimited, want: "2.32.0"},
		{name: "per-run limit reached", in: DecisionInput{Offered: offered, InWindow: true, Limits: limits, CreatedThisRun: 1}, action: ActHold, section: SectionRateLimited, want: "2.32.0"},
		{name: "limits below cap", in: DecisionInput{Offered: offered, InWindow: true, Limits: limits, OpenMRs: 1}, action: ActCreate, section: SectionOpen, want: "2.32.0"},
		{name: "unlimit ticked", in: DecisionInput{Offered: offered, InWindow: true, Limits: limits, OpenMRs: 5, Ticks: Ticks{Unlimit: true}}, action: ActCreate, section: SectionOpen,
			want: "2.32.0", consume: []dashboard.Kind{dashboard.KindUnlimit}},
		{name: "approve ticked: the pending one, at once", in: DecisionInput{Offered: offered, Pending: pending, Ticks: Ticks{Approve: true}}, action: ActCreate, section: SectionOpen,
			want: "2.33.0", consume: []dashboard.Kind{dashboard.KindApprove}, fail: SectionAwaitingSchedule},
		{name: "approve without pending is nothing", in: DecisionInput{Offered: offered, Ticks: Ticks{Approve: true}}, action: ActHold, section: SectionAwaitingSchedule, want: "2.32.0"},
		{name: "security skips window and limits", in: DecisionInput{Offered: secOffered, Limits: limits, OpenMRs: 9, Security: true}, action: ActCreate, section: SectionOpen,
			want: "2.32.0", fail: SectionAwaitingSchedule},
		{name: "open, current", in: DecisionInput{Offered: offered, HasRecord: true, Record: openMR(titleOffered, "blob-offered")}, action: ActLeave, section: SectionOpen, want: "2.32.0"},
		{name: "security update's title", in: DecisionInput{Offered: secOffered, Security: true}, action: ActCreate, section: SectionOpen,
			want: "2.32.0", fail: SectionAwaitingSchedule, title: titleOffered + " [security]"},
		{name: "no vulnerability data: the open security MR stays", in: DecisionInput{Pending: pending, NoVulnData: true, HasRecord: true,
			Record: openMR(titleOffered+" [security]", "blob-offered")}, action: ActLeave, section: SectionOpen, title: titleOffered + " [security]"},
		{name: "no vulnerability data: a plain open MR is kept current", in: DecisionInput{Offered: offered, NoVulnData: true, HasRecord: true,
			Record: openMR("Update requests to 2.31.5", "x")}, action: ActUpdate, section: SectionOpen, want: "2.32.0"},
		{name: "no vulnerability data, the pin at the MR's version: left to cleanup", in: DecisionInput{Pinned: "2.32.0", NoVulnData: true, HasRecord: true,
			Record: openMR(titleOffered+" [security]", "blob-offered")}, action: ActIdle},
		// An advisory's record unreadable: the open security MR moves up only.
		{name: "incomplete data: the security MR is not rebuilt down to a lower fix", in: DecisionInput{Pinned: "2.31.0", Offered: secOffered, Security: true,
			VulnIncomplete: true, HasRecord: true, Record: openMR(titlePending+" [security]", "blob-plain")},
			action: ActLeave, section: SectionOpen, title: titlePending + " [security]"},
		{name: "incomplete data: the security MR does not become the plain update", in: DecisionInput{Pinned: "2.31.0", Offered: offered,
			VulnIncomplete: true, HasRecord: true, Record: openMR(titleOffered+" [security]", "blob-offered")},
			action: ActLeave, section: SectionOpen, title: titleOffered + " [security]"},
		{name: "incomplete data: no split beside the security MR", in: DecisionInput{Pinned: "2.31.0", Offered: secOffered, Security: true,
			VulnIncomplete: true, HasRecord: true, Record: openMR("Update requests to 2.33.0 [security]", "blob-plain")},
			action: ActLeave, section: SectionOpen, title: titlePending + " [security]"},
		{name: "incomplete data: an older fix's security MR is rebuilt up to the fix", in: DecisionInput{Pinned: "2.31.0", Offered: secOffered, Security: true,
			VulnIncomplete: true, HasRecord: true, Record: openMR("Update requests to 2.31.5 [security]", "x")},
			action: ActUpdate, section: SectionOpen, want: "2.32.0", title: titleOffered + " [security]"},
		{name: "incomplete data: a plain open MR is kept current", in: DecisionInput{Pinned: "2.31.0", Offered: offered, VulnIncomplete: true, HasRecord: true,
			Record: openMR("Update requests to 2.31.5", "x")}, action: ActUpdate, section: SectionOpen, want: "2.32.0"},
		{name: "with data, no longer vulnerable: the security MR becomes the plain update", in: DecisionInput{Offered: offered, HasRecord: true,
			Record: openMR(titleOffered+" [security]", "blob-offered")}, action: ActUpdate, section: SectionOpen, want: "2.32.0"},
		// route: a security update that replaced a newer plain one.
		{name: "route 1: the open security MR stays", in: DecisionInput{Offered: secOffered, Plain: plain, Security: true, HasRecord: true,
			Record: openMR(titleOffered+" [security]", "blob-offered")}, action: ActLeave, section: SectionOpen, want: "2.32.0", title: titleOffered + " [security]"},
		{name: "route 1: the plain MR retitled security stays", in: DecisionInput{Offered: secOffered, Plain: plainSec, Security: true, HasRecord: true,
			Record: openMR(titlePending+" [security]", "blob-plain")}, action: ActLeave, section: SectionOpen, want: "2.33.0", title: titlePending + " [security]"},
		{name: "route 1: an older fix's security MR is rebuilt up to the fix", in: DecisionInput{Offered: secOffered, Plain: plain, Security: true, HasRecord: true,
			Record: openMR("Update requests to 2.31.5 [security]", "x")}, action: ActUpdate, section: SectionOpen, want: "2.32.0", title: titleOffered + " [security]"},
		{name: "route 1: the plain MR retitled security is never rebuilt down to the fix", in: DecisionInput{Offered: secOffered, Plain: plainNewer, Security: true, HasRecord: true,
			Record: openMR(titlePending+" [security]", "blob-plain")}, action: ActUpdate, section: SectionOpen, want: "2.34.0", split: true},
		{name: "route 2: an open vulnerability MR splits", in: DecisionInput{Offered: secOffered, Plain: plainSec, VulnOpen: true, Security: true, HasRecord: true,
			Record: openMR(titlePending, "blob-plain")}, action: ActUpdate, section: SectionOpen, want: "2.33.0", title: titlePending + " [security]", split: true},
		{name: "route 2: the plain update, no MR, waits for the window", in: DecisionInput{Offered: secOffered, Plain: plain, VulnOpen: true, Security: true},
			action: ActHold, section: SectionAwaitingSchedule, want: "2.33.0", split: true},
		{name: "route 2: no plain update: the stream branch carries nothing", in: DecisionInput{Offered: secOffered, VulnOpen: true, Security: true},
			action: ActIdle, split: true},
		{name: "route 2: no plain update: the open plain MR at the fix carries it, retitled security", in: DecisionInput{Offered: secOffered, VulnOpen: true, Security: true,
			HasRecord: true, Record: openMR(titleOffered, "blob-offered")}, action: ActUpdate, section: SectionOpen, want: "2.32.0", title: titleOffered + " [security]"},
		{name: "route 2: no plain update: the open plain MR below the fix is rebuilt up to it", in: DecisionInput{Offered: secOffered, VulnOpen: true, Security: true,
			HasRecord: true, Record: openMR("Update requests to 2.31.5", "x")}, action: ActUpdate, section: SectionOpen, want: "2.32.0", title: titleOffered + " [security]"},
		{name: "route 2: no plain update: an open MR above the fix is never rebuilt down", in: DecisionInput{Offered: secOffered, VulnOpen: true, Security: true,
			HasRecord: true, Record: openMR(titlePending, "blob-pending")}, action: ActIdle, split: true},
		{name: "route 2: no plain update: an open MR with a person's title splits", in: DecisionInput{Offered: secOffered, VulnOpen: true, Security: true,
			HasRecord: true, Record: openMR("WIP requests", "x")}, action: ActIdle, split: true},
		{name: "route 3: the open plain MR fixes all: retitled security", in: DecisionInput{Offered: secOffered, Plain: plainSec, Security: true, HasRecord: true,
			Record: openMR(titlePending, "blob-plain")}, action: ActUpdate, section: SectionOpen, want: "2.33.0", title: titlePending + " [security]"},
		{name: "route 4: the open plain MR stays, the fix splits", in: DecisionInput{Offered: secOffered, Plain: plain, Security: true, HasRecord: true,
			Record: openMR(titlePending, "blob-plain")}, action: ActLeave, section: SectionOpen, want: "2.33.0", split: true},
		{name: "route 5: a fix declined on the vulnerability branch is not proposed again", in: DecisionInput{Offered: secOffered, Plain: plain, Security: true,
			HasRecord: true, Record: state.MergeRequestRecord{IID: 7, State: "closed", Title: titlePending, Noted: true}, ClosedVersion: "2.33.0", VulnClosedVersion: "2.32.0"},
			action: ActClose, section: SectionClosed, want: "2.32.0", title: titleOffered + " [security]"},
		{name: "route 5: no open MR: the branch carries the fix", in: DecisionInput{Offered: secOffered, Plain: plain, Security: true},
			action: ActCreate, section: SectionOpen, want: "2.32.0", fail: SectionAwaitingSchedule, title: titleOffered + " [security]"},
		{name: "open, newer release", in: DecisionInput{Offered: offered, HasRecord: true, Record: openMR("Update requests to 2.31.5", "blob-old")}, action: ActUpdate, section: SectionOpen,
			want: "2.32.0"},
		{name: "open, target changed", in: DecisionInput{Offered: offered, HasRecord: true, Record: openMR(titleOffered, "blob-old")}, action: ActUpdate, section: SectionOpen, want: "2.32.0"},
		{name: "open, never built", in: DecisionInput{Offered: offered, HasRecord: true, Record: state.MergeRequestRecord{IID: 7, State: "opened", Title: titleOffered, Blob: "blob-offered"}},
			action: ActUpdate, section: SectionOpen, want: "2.32.0"},
		{name: "open, rebase ticked", in: DecisionInput{Offered: offered, HasRecord: true, Record: openMR(titleOffered, "blob-offered"), Ticks: Ticks{Rebase: true}},
			action: ActRebase, section: SectionOpen, want: "2.32.0", consume: []dashboard.Kind{dashboard.KindRebase}},
		{name: "open, retry ticked", in: DecisionInput{Offered: offered, HasRecord: true, Record: openMR(titleOffered, "blob-offered"), Ticks: Ticks{Retry: true}},
			action: ActRebase, section: SectionOpen, want: "2.32.0", consume: []dashboard.Kind{dashboard.KindRetry}},
		{name: "open, approve ticked", in: DecisionInput{Offered: offered, Pending: pending, HasRecord: true, Record: openMR(titleOffered, "blob-offered"), Ticks: Ticks{Approve: true}},
			action: ActRebase, section: SectionOpen, want: "2.33.0", consume: []dashboard.Kind{dashboard.KindApprove}},
		{name: "open, carries the approved pending one", in: DecisionInput{Offered: offered, Pending: pending, PendingApproved: true, HasRecord: true, Record: openMR(titlePending, "blob-pending")},
			action: ActLeave, section: SectionOpen, want: "2.33.0"},
		{name: "open outside window is kept current", in: DecisionInput{Offered: offered, HasRecord: true, Record: openMR("Update requests to 2.31.5", "x")}, action: ActUpdate,
			section: SectionOpen, want: "2.32.0"},
		{name: "open, files cannot carry it", in: DecisionInput{Offered: &Candidate{Update: offered.Update, Err: errContent}, HasRecord: true, Record: openMR(titleOffered, "")},
			action: ActIdle, want: "2.32.0", err: true},
		{name: "merged with this update", in: DecisionInput{Offered: offered, InWindow: true, HasRecord: true, Record: state.MergeRequestRecord{IID: 7, State: "merged", Title: titleOffered}},
			action: ActLeave, want: "2.32.0"},
		{name: "merged an older one", in: DecisionInput{Offered: offered, InWindow: true, HasRecord: true, Record: state.MergeRequestRecord{IID: 7, State: "merged", Title: "Update requests to 2.31.5"}},
			action: ActCreate, section: SectionOpen, want: "2.32.0"},
		{name: "locked", in: DecisionInput{Offered: offered, HasRecord: true, Record: state.MergeRequestRecord{IID: 7, State: "locked", Title: "Update requests to 2.31.5"}},
			action: ActLeave, section: SectionOpen, want: "2.32.0", title: "Update requests to 2.31.5"},
		{name: "closed by a person", in: DecisionInput{Offered: offered, InWindow: true, HasRecord: true, Record: state.MergeRequestRecord{IID: 7, State: "closed", Title: titleOffered}},
			action: ActClose, section: SectionClosed, want: "2.32.0", note: true},
		{name: "closed, already noted", in: DecisionInput{Offered: offered, HasRecord: true, Record: state.MergeRequestRecord{IID: 7, State: "closed", Title: titleOffered, Noted: true}},
			action: ActClose, section: SectionClosed, want: "2.32.0"},
		{name: "closed and retitled, remembered", in: DecisionInput{Offered: offered, HasRecord: true, ClosedVersion: "2.32.0", Record: state.MergeRequestRecord{IID: 7, State: "closed", Title: "other"}},
			action: ActClose, section: SectionClosed, want: "2.32.0", note: true},
		{name: "closed MR vanished, remembered", in: DecisionInput{Offered: offered, ClosedVersion: "2.32.0"}, action: ActClose, section: SectionClosed, want: "2.32.0"},
		{name: "closed an older one: newer offered", in: DecisionInput{Offered: offered, InWindow: true, ClosedVersion: "2.31.5", HasRecord: true,
			Record: state.MergeRequestRecord{IID: 7, State: "closed", Title: "Update requests to 2.31.5", Noted: true}}, action: ActCreate, section: SectionOpen, want: "2.32.0"},
		{name: "closed, recreate ticked", in: DecisionInput{Offered: offered, HasRecord: true, Record: state.MergeRequestRecord{IID: 7, State: "closed", Title: titleOffered}, Ticks: Ticks{Recreate: true}},
			action: ActCreate, section: SectionOpen, want: "2.32.0", note: true, consume: []dashboard.Kind{dashboard.KindRecreate}},
		{name: "closed pending, recreate and approve ticked", in: DecisionInput{Offered: offered, Pending: pending, HasRecord: true,
			Record: state.MergeRequestRecord{IID: 7, State: "closed", Title: titlePending, Noted: true}, Ticks: Ticks{Recreate: true, Approve: true}},
			action: ActCreate, section: SectionOpen, want: "2.33.0", consume: []dashboard.Kind{dashboard.KindRecreate, dashboard.KindApprove}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.Branch, tt.in.Name = "pinwheel/requests-2.x", "requests"
			d := decide(tt.in)
			if (d.Err != nil) != tt.err {
				t.Fatalf("err = %v, want error %v", d.Err, tt.err)
			}
			if tt.err {
				return
			}
			got := ""
			if d.Want != nil {
				got = d.Want.Update.To
			}
			if d.Action != tt.action || d.Section != tt.section || got != tt.want {
				t.Errorf("decide = %v in section %d carrying %q, want %v in %d carrying %q", d.Action, d.Section, got, tt.action, tt.section, tt.want)
			}
			if !slices.Equal(d.Consume, tt.consume) {
				t.Errorf("consume = %v, want %v", d.Consume, tt.consume)
			}
			if (d.PendingEntry != nil) != tt.pending {
				t.Errorf("pending entry = %v, want %v", d.PendingEntry, tt.pending)
			}
			if d.Note != tt.note || d.FailSection != tt.fail {
				t.Errorf("note %v fail section %d, want %v %d", d.Note, d.FailSection, tt.note, tt.fail)
			}
			if d.Split != tt.split {
				t.Errorf("split = %v, want %v", d.Split, tt.split)
			}
			if tt.title != "" && d.Entry.Title != tt.title {
				t.Errorf("entry title = %q, want %q", d.Entry.Title, tt.title)
			}
			if tt.section != SectionNone && d.Entry.Branch != tt.in.Branch {
				t.Errorf("entry branch = %q", d.Entry.Branch)
			}
		})
	}
}

// TestDecideInvariants runs decide over every combination of ticks,
// window, limits, security and merge request state and checks what must
// hold whatever the case.
func TestDecideInvariants(t *testing.T) {
	records := map[string]*state.MergeRequestRecord{
		"none":          nil,
		"open current":  ptr(openMR(titleOffered, "blob-offered")),
		"open stale":    ptr(openMR("Update requests to 2.31.5", "x")),
		"merged":        {IID: 1, State: "merged", Title: titleOffered},
		"closed":        {IID: 1, State: "closed", Title: titleOffered},
		"closed noted":  {IID: 1, State: "closed", Title: titleOffered, Noted: true},
		"closed other":  {IID: 1, State: "closed", Title: "Update requests to 2.0", Noted: true},
		"locked":        {IID: 1, State: "locked", Title: titleOffered},
		"closed pendng": {IID: 1, State: "closed", Title: titlePending},
	}
	n := 0
	for name, rec := range records {
		for bits := 0; bits < 1<<10; bits++ {
			b := func(i int) bool { return bits&(1<<i) != 0 }
			in := DecisionInput{
				Branch: "pinwheel/requests-2.x", Name: "requests", Offered: offered,
				Ticks:    Ticks{Approve: b(0), Rebase: b(1), Retry: b(2), Recreate: b(3), Unschedule: b(4), Unlimit: b(5)},
				InWindow: b(6), Security: b(7), Limits: config.Limits{OpenMRs: 1}, OpenMRs: 0,
			}
			if b(8) {
				in.OpenMRs = 1
			}
			if b(9) {
				in.Pending = pending
			}
			if in.Security {
				in.Offered = secOffered
			}
			if rec != nil {
				in.Record, in.HasRecord = *rec, true
			}
			d := decide(in)
			n++
			ctx := fmt.Sprintf("%s %+v", name, in)
			if d.Want == nil || d.Err != nil {
				t.Fatalf("%s: no update decided (%v)", ctx, d.Err)
			}
			bypass := in.Ticks.Unschedule || in.Ticks.Unlimit || in.Ticks.Retry || in.Security && d.Want.Update.Security || in.Ticks.Approve && in.Pending != nil
			if d.Action == ActHold && bypass {
				t.Errorf("%s: held despite a bypass", ctx)
			}
			if d.Action == ActCreate && !bypass && !d.Recreated && (!in.InWindow || in.Limited()) {
				t.Errorf("%s: created outside window/limits", ctx)
			}
			if (d.Action == ActUpdate || d.Action == ActRebase) && in.Record.State != "opened" {
				t.Errorf("%s: rebuilds a %s merge request", ctx, in.Record.State)
			}
			if d.Action == ActRebase && !in.Ticks.Rebase && !in.Ticks.Retry && !(in.Ticks.Approve && in.Pending != nil) {
				t.Errorf("%s: rebase nobody asked for", ctx)
			}
			if in.Record.State == "closed" && in.Record.Title == d.Title && d.Action != ActClose && !in.Ticks.Recreate {
				t.Errorf("%s: closed update proposed again (%v)", ctx, d.Action)
			}
			if d.Note && (in.Record.IID == 0 || in.Record.Noted) {
				t.Errorf("%s: notes twice", ctx)
			}
			for _, k := range d.Consume {
				ticked := map[dashboard.Kind]bool{
					dashboard.KindApprove: in.Ticks.Approve, dashboard.KindRebase: in.Ticks.Rebase, dashboard.KindRetry: in.Ticks.Retry,
					dashboard.KindRecreate: in.Ticks.Recreate, dashboard.KindUnschedule: in.Ticks.Unschedule, dashboard.KindUnlimit: in.Ticks.Unlimit,
				}[k]
				if !ticked {
					t.Errorf("%s: consumes %s, not ticked", ctx, k)
				}
				if d.Action == ActLeave || d.Action == ActHold || d.Action == ActClose {
					t.Errorf("%s: consumes %s without acting", ctx, k)
				}
			}
			if d.Action != ActIdle && d.Action != ActLeave && d.Section == SectionNone {
				t.Errorf("%s: %v listed nowhere", ctx, d.Action)
			}
		}
	}
	if n != len(records)<<10 {
		t.Fatalf("ran %d cases", n)
	}
}

// TestDecideGroup covers decide's group cases: the title is the group's,
// and a closed merge request is matched by versions (left out of the
// candidates already), not by title.
func TestDecideGroup(t *testing.T) {
	pkgs := []dashboard.PackageUpdate{{Name: "requests", From: "2.31.0", To: "2.32.0"}, {Name: "idna", From: "3.4", To: "3.10"}}
	g := &Candidate{Update: &plan.Update{}, Packages: pkgs, Blob: "b"}
	ignored := &Candidate{Update: g.Update, Packages: pkgs, Ignored: true}
	closedRec := state.MergeRequestRecord{IID: 3, State: "closed", Title: "Update web dependencies"}
	noted := closedRec
	noted.Noted = true
	tests := []struct {
		name    string
		in      DecisionInput
		action  Action
		section Section
		note    bool
		consume []dashboard.Kind
	}{
		{"in window", DecisionInput{Offered: g, InWindow: true}, ActCreate, SectionOpen, false, nil},
		{"outside window", DecisionInput{Offered: g}, ActHold, SectionAwaitingSchedule, false, nil},
		{"unschedule ticked", DecisionInput{Offered: g, Ticks: Ticks{Unschedule: true}}, ActCreate, SectionOpen, false, []dashboard.Kind{dashboard.KindUnschedule}},
		{"open, current", DecisionInput{Offered: g, HasRecord: true, Record: openMR("Update web dependencies", "b")}, ActLeave, SectionOpen, false, nil},
		{"open, a member changed", DecisionInput{Offered: g, HasRecord: true, Record: openMR("Update web dependencies", "old")}, ActUpdate, SectionOpen, false, nil},
		{"open, recreate ticked", DecisionInput{Offered: g, HasRecord: true, Record: openMR("Update web dependencies", "b"), Ticks: Ticks{Recreate: true}},
			ActRebase, SectionOpen, false, []dashboard.Kind{dashboard.KindRecreate}},
		{"closed, the rest proposed", DecisionInput{Offered: g, InWindow: true, HasRecord: true, Record: closedRec}, ActCreate, SectionOpen, true, nil},
		{"closed, the rest waits", DecisionInput{Offered: g, HasRecord: true, Record: closedRec}, ActHold, SectionAwaitingSchedule, true, nil},
		{"closed, all ignored", DecisionInput{Offered: ignored, InWindow: true, HasRecord: true, Record: closedRec}, ActClose, SectionClosed, true, nil},
		{"closed and noted, all ignored", DecisionInput{Offered: ignored, InWindow: true, HasRecord: true, Record: noted}, ActClose, SectionClosed, false, nil},
		{"recreate ticked", DecisionInput{Offered: g, HasRecord: true, Record: noted, Ticks: Ticks{Recreate: true}}, ActCreate, SectionOpen, false, []dashboard.Kind{dashboard.KindRecreate}},
		{"merged, new versions", DecisionInput{Offered: g, InWindow: true, HasRecord: true, Record: state.MergeRequestRecord{IID: 3, State: "merged", Title: "Update web dependencies"}},
			ActCreate, SectionOpen, false, nil},
		{"locked", DecisionInput{Offered: g, HasRecord: true, Record: state.MergeRequestRecord{IID: 3, State: "locked", Title: "Update web dependencies"}}, ActLeave, SectionOpen, false, nil},
		{"merged, the same versions", DecisionInput{Offered: &Candidate{Update: g.Update, Packages: pkgs, Merged: true}, InWindow: true, HasRecord: true,
			Record: state.MergeRequestRecord{IID: 3, State: "merged", Title: "Update web dependencies"}}, ActLeave, SectionNone, false, nil},
		{"merged, the same versions, unschedule ticked", DecisionInput{Offered: &Candidate{Update: g.Update, Packages: pkgs, Merged: true}, HasRecord: true,
			Record: state.MergeRequestRecord{IID: 3, State: "merged", Title: "Update web dependencies"}, Ticks: Ticks{Unschedule: true}}, ActLeave, SectionNone, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.Branch, tt.in.Name, tt.in.Group = "pinwheel/group-web", "web", "web"
			d := decide(tt.in)
			if d.Action != tt.action || d.Section != tt.section || d.Note != tt.note || !slices.Equal(d.Consume, tt.consume) {
				t.Errorf("decide = %v in %d, note %v, consume %v; want %v in %d, note %v, consume %v",
					d.Action, d.Section, d.Note, d.Consume, tt.action, tt.section, tt.note, tt.consume)
			}
			if d.Title != "Update web dependencies" || d.Entry.Title != d.Title || len(d.Entry.Packages) != 2 {
				t.Errorf("title %q, entry %+v", d.Title, d.Entry)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
