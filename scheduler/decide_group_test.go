package scheduler

import (
	"fmt"
	"slices"
	"testing"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/dashboard"
	"github.com/pinwheel-dev/pinwheel/plan"
	"github.com/pinwheel-dev/pinwheel/state"
)

// TestDecideGroupClosedEntry: a group's closed member versions left out
// of its candidate are listed under Closed whatever happens to the rest.
func TestDecideGroupClosedEntry(t *testing.T) {
	keep := []dashboard.PackageUpdate{{Name: "idna", From: "3.4", To: "3.11"}}
	closed := []dashboard.PackageUpdate{{Name: "requests", From: "2.31.0", To: "2.32.4"}}
	g := &Candidate{Update: &plan.Update{}, Packages: keep, ClosedPackages: closed, Blob: "b"}
	tests := []struct {
		name   string
		in     DecisionInput
		listed bool
	}{
		{"created", DecisionInput{Offered: g, InWindow: true}, true},
		{"held", DecisionInput{Offered: g}, true},
		{"open", DecisionInput{Offered: g, HasRecord: true, Record: openMR("Update web dependencies", "b")}, true},
		{"none closed", DecisionInput{Offered: &Candidate{Update: g.Update, Packages: keep}, InWindow: true}, false},
		{"all closed", DecisionInput{Offered: &Candidate{Update: g.Update, Packages: closed, Ignored: true}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.Branch, tt.in.Name, tt.in.Group = "pinwheel/group-web", "web", "web"
			d := decide(tt.in)
			if got := d.ClosedEntry != nil; got != tt.listed {
				t.Fatalf("closed entry %+v, want listed %v", d.ClosedEntry, tt.listed)
			}
			if tt.listed && (d.ClosedEntry.Branch != tt.in.Branch || len(d.ClosedEntry.Packages) != 1 || d.ClosedEntry.Packages[0].Name != "requests") {
				t.Errorf("closed entry %+v", d.ClosedEntry)
			}
		})
	}
}

// TestDecideGroupInvariants runs decideGroup over every combination of
// ticks, window, limits, candidate kind and merge request state.
func TestDecideGroupInvariants(t *testing.T) {
	pkgs := []dashboard.PackageUpdate{{Name: "idna", From: "3.4", To: "3.11"}}
	u := &plan.Update{}
	cands := map[string]*Candidate{
		"new":         {Update: u, Packages: pkgs, Blob: "b"},
		"some closed": {Update: u, Packages: pkgs, Blob: "b", ClosedPackages: pkgs},
		"ignored":     {Update: u, Packages: pkgs, Ignored: true},
		"merged":      {Update: u, Packages: pkgs, Merged: true},
	}
	records := map[string]*state.MergeRequestRecord{
		"none":   nil,
		"open":   ptr(openMR("Update web dependencies", "b")),
		"stale":  ptr(openMR("Update web dependencies", "old")),
		"merged": {IID: 1, State: "merged", Title: "Update web dependencies"},
		"closed": {IID: 1, State: "closed", Title: "Update web dependencies"},
		"locked": {IID: 1, State: "locked", Title: "Update web dependencies"},
	}
	for cn, c := range cands {
		for rn, rec := range records {
			if (c.Ignored || c.Merged) && rec != nil && rec.State == "opened" {
				continue // the candidates are only computed so for a closed or merged one
			}
			for bits := 0; bits < 1<<8; bits++ {
				b := func(i int) bool { return bits&(1<<i) != 0 }
				in := DecisionInput{
					Branch: "pinwheel/group-web", Name: "web", Group: "web", Offered: c,
					Ticks:    Ticks{Approve: b(0), Rebase: b(1), Retry: b(2), Recreate: b(3), Unschedule: b(4), Unlimit: b(5)},
					InWindow: b(6), Limits: config.Limits{OpenMRs: 1},
				}
				if b(7) {
					in.OpenMRs = 1
				}
				if rec != nil {
					in.Record, in.HasRecord = *rec, true
				}
				d := decide(in)
				ctx := fmt.Sprintf("%s/%s %+v", cn, rn, in.Ticks)
				if c.Merged && d.Action != ActLeave {
					t.Errorf("%s: %v for versions merged already", ctx, d.Action)
				}
				if c.Ignored && (d.Action == ActCreate || d.Action == ActUpdate || d.Action == ActRebase) {
					t.Errorf("%s: %v for closed versions", ctx, d.Action)
				}
				if (d.Action == ActUpdate || d.Action == ActRebase) && in.Record.State != "opened" {
					t.Errorf("%s: rebuilds a %s merge request", ctx, in.Record.State)
				}
				if (d.ClosedEntry != nil) != (cn == "some closed") {
					t.Errorf("%s: closed entry %+v", ctx, d.ClosedEntry)
				}
				for _, k := range d.Consume {
					if d.Action == ActLeave || d.Action == ActHold || d.Action == ActClose || d.Action == ActIdle {
						t.Errorf("%s: consumes %s without acting (%v)", ctx, k, d.Action)
					}
				}
				if in.Ticks.Recreate && in.Record.State == "opened" && d.Action == ActRebase && !slices.Contains(d.Consume, dashboard.KindRecreate) {
					t.Errorf("%s: recreate on an open group not consumed", ctx)
				}
			}
		}
	}
}

// TestDecideGroupMembers: an open group MR whose files are current is
// rebuilt when the members it carries are not the candidate's (one was
// updated by a person to the group's own version), and left alone when
// they are.
func TestDecideGroupMembers(t *testing.T) {
	pkgs := []dashboard.PackageUpdate{{Name: "requests", From: "2.31.0", To: "2.32.5"}}
	tests := []struct {
		name     string
		recorded map[string]string
		want     map[string]string
		action   Action
	}{
		{"same members", map[string]string{"requests": "2.32.5"}, map[string]string{"requests": "2.32.5"}, ActLeave},
		{"a member left", map[string]string{"requests": "2.32.5", "idna": "3.10"}, map[string]string{"requests": "2.32.5"}, ActUpdate},
		{"a member joined", map[string]string{"requests": "2.32.5"}, map[string]string{"requests": "2.32.5", "idna": "3.10"}, ActUpdate},
		{"not recorded (older state)", nil, map[string]string{"requests": "2.32.5"}, ActUpdate},
		{"single update", nil, nil, ActLeave},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := openMR("Update web dependencies", "b")
			rec.Versions = tt.recorded
			d := decide(DecisionInput{
				Branch: "pinwheel/group-web", Name: "web", Group: "web", HasRecord: true, Record: rec,
				Offered: &Candidate{Update: &plan.Update{}, Packages: pkgs, Blob: "b", Versions: tt.want},
			})
			if d.Action != tt.action {
				t.Errorf("action %v, want %v", d.Action, tt.action)
			}
		})
	}
}
