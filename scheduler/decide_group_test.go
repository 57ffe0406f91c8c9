package scheduler

import (
	"testing"

	"github.com/pinwheel-dev/pinwheel/dashboard"
	"github.com/pinwheel-dev/pinwheel/plan"
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
