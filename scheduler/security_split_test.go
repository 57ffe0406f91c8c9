package scheduler_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/gitlabsim"
	"github.com/pinwheel-dev/pinwheel/indexsim"
)

const brRequestsVuln = brRequests + "-vulnerability"

// reintroduced are the ranges of an advisory fixed in 2.32.4 and
// introduced again in 2.33.0: only the vulnerability branch's 2.32.4
// fixes it.
var reintroduced = []indexsim.OSVEvent{{Introduced: "0"}, {Fixed: "2.32.4"}, {Introduced: "2.33.0"}}

// requestsAdvisory is an OSV advisory of requests over one range.
func requestsAdvisory(id string, modified time.Time, events []indexsim.OSVEvent) indexsim.OSVVuln {
	return indexsim.OSVVuln{ID: id, Package: "requests", Summary: "leak", Modified: modified, Ranges: [][]indexsim.OSVEvent{events}}
}

// streamMREnv is newEnv after a Saturday run that opened the normal MR to
// requests 2.33.0 (returned), with the clock then on the Wednesday after
// (outside the window) and OSV on, giving requests the advisory
// PYSEC-2026-7 over events.
func streamMREnv(t *testing.T, events []indexsim.OSVEvent) (*env, gitlabsim.MergeRequest) {
	t.Helper()
	e := newEnv(t, unlimited)
	e.release("requests", "2.33.0", released)
	e.clock.Set(saturday)
	e.mustRun()
	plain := e.mrFor(brRequests)
	if plain.Title != "Update requests to 2.33.0" {
		t.Fatalf("stream MR %q, want the normal update to 2.33.0", plain.Title)
	}
	e.idx.AddOSVVuln(requestsAdvisory("PYSEC-2026-7", released, events))
	e.useOSV()
	e.clock.Set(saturday.AddDate(0, 0, 4))
	return e, plain
}

// An advisory appearing while a normal MR to a newer release is open never
// rebuilds that MR down to the fix (issue #10): the fix gets its own MR
// on the vulnerability branch, or, when the newer release fixes it too,
// the open MR becomes the security update.
func TestSecurityUpdateSplitsFromOpenPlainMR(t *testing.T) {
	tests := []struct {
		name   string
		events []indexsim.OSVEvent
		// plainTitle is the stream MR's title after the advisory; vuln
		// says a security MR opens on the vulnerability branch.
		plainTitle string
		vuln       bool
	}{
		{"2.33.0 still affected: split", reintroduced, "Update requests to 2.33.0", true},
		{"2.33.0 fixes it too: retitled", []indexsim.OSVEvent{{Introduced: "0"}, {Fixed: "2.32.4"}},
			"Update requests to 2.33.0 [security]", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, plain := streamMREnv(t, tt.events)
			sha := plain.SHA()
			before := len(e.openMRs())
			for run := 1; run <= 2; run++ {
				e.mustRun()
				got := e.mrFor(brRequests)
				if got.SHA() != sha || got.Title != tt.plainTitle {
					t.Errorf("run %d: stream MR %q at %s, want %q at %s", run, got.Title, got.SHA(), tt.plainTitle, sha)
				}
				if tt.vuln == (got.Title != plain.Title) {
					t.Errorf("run %d: stream MR title %q", run, got.Title)
				}
				if !tt.vuln && !strings.Contains(got.Description, "PYSEC-2026-7") {
					t.Errorf("run %d: retitled MR does not list the advisory:\n%s", run, got.Description)
				}
				open := e.openMRs()
				want := before
				if tt.vuln {
					want++
				}
				if len(open) != want {
					t.Errorf("run %d: %d open MRs, want %d", run, len(open), want)
				}
				vuln, ok := open[brRequestsVuln]
				if ok != tt.vuln {
					t.Fatalf("run %d: vulnerability MR open %v, want %v", run, ok, tt.vuln)
				}
				if !ok {
					continue
				}
				if vuln.Title != "Update requests to 2.32.4 [security]" || !slices.Contains(vuln.Labels, "security") {
					t.Errorf("run %d: vulnerability MR %q labels %v", run, vuln.Title, vuln.Labels)
				}
				if c, _ := e.gl.File(e.proj, brRequestsVuln, "constraints.txt"); !strings.Contains(string(c), "requests==2.32.4\n") {
					t.Errorf("run %d: vulnerability branch constraints:\n%s", run, c)
				}
				body := section(e.dashboard().Description, "Open")
				if !hasBox(body, "rebase", brRequests) || !hasBox(body, "rebase", brRequestsVuln) {
					t.Errorf("run %d: both MRs not listed as open:\n%s", run, body)
				}
			}
			if !tt.vuln {
				return
			}
			// Merging the plain MR fixes the pin: the vulnerability MR is
			// obsolete and closed.
			if _, err := e.gl.MergeMR(e.proj, plain.IID); err != nil {
				t.Fatal(err)
			}
			e.mustRun()
			if _, ok := e.openMRs()[brRequestsVuln]; ok {
				t.Errorf("vulnerability MR still open after the plain MR merged")
			}
		})
	}
}

// A person who closes both the plain MR and the split-off fix declined
// both: the next runs open neither again, on either branch, although the
// fix would bypass the window (issue #10 review).
func TestSecurityFixDeclinedOnVulnerabilityBranch(t *testing.T) {
	e, plain := streamMREnv(t, reintroduced)
	e.mustRun()
	vuln, ok := e.openMRs()[brRequestsVuln]
	if !ok {
		t.Fatalf("no vulnerability MR: %v", keys(e.openMRs()))
	}
	if err := e.gl.CloseMR(e.proj, plain.IID); err != nil {
		t.Fatal(err)
	}
	if err := e.gl.CloseMR(e.proj, vuln.IID); err != nil {
		t.Fatal(err)
	}
	for run := 1; run <= 2; run++ {
		e.clock.Add(time.Hour)
		e.mustRun()
		for branch, mr := range e.openMRs() {
			if strings.HasPrefix(branch, brRequests) {
				t.Errorf("run %d: %s opened again on %s", run, mr.Title, branch)
			}
		}
	}
}

// Once the fix split off is no lower than the stream MR's version and no
// plain update is left, the stream MR carries the fix (retitled, or
// rebuilt up to it) and the vulnerability MR is closed: one MR per
// package, never two carrying the same fix (issue #10 review).
// The dry run does not promise to close the vulnerability MR beside a
// stream MR someone else pushed to: the real run leaves both as they are.
func TestSecurityFixJoinsEditedStreamMRDryRun(t *testing.T) {
	e, _ := streamMREnv(t, reintroduced)
	e.mustRun()
	vuln := e.mrFor(brRequestsVuln).IID
	e.idx.AddOSVVuln(requestsAdvisory("PYSEC-2026-8", released, []indexsim.OSVEvent{{Introduced: "0"}, {Fixed: "2.33.0"}}))
	e.idx.AddOSVVuln(requestsAdvisory("PYSEC-2026-7", released.Add(time.Hour), []indexsim.OSVEvent{{Introduced: "0"}, {Fixed: "2.32.4"}}))
	e.gl.Commit(e.proj, brRequests, "A person's fix", map[string]string{"NOTES.md": "mine\n"})
	e.clock.Add(time.Hour)
	dry := strings.Join(e.runCtx(t.Context(), true).Actions, "\n")
	if strings.Contains(dry, fmt.Sprintf("close MR !%d", vuln)) {
		t.Errorf("dry run closes the vulnerability MR beside an edited stream MR:\n%s", dry)
	}
	e.clock.Add(time.Hour)
	e.mustRun()
	if _, ok := e.openMRs()[brRequestsVuln]; !ok {
		t.Errorf("the real run closed the vulnerability MR beside an edited stream MR")
	}
}

// With the pin's data incomplete (an advisory's record unreadable), the
// vulnerability MR beside a stream MR left as it was is kept: the stream
// MR may not fix what is missing. With the data back it is still the one.
func TestSecurityIncompleteDataKeepsVulnerabilityMR(t *testing.T) {
	e, _ := streamMREnv(t, []indexsim.OSVEvent{{Introduced: "0"}, {Fixed: "2.32.4"}})
	e.mustRun()
	if got := e.mrFor(brRequests).Title; got != "Update requests to 2.33.0 [security]" {
		t.Fatalf("stream MR %q", got)
	}
	// A person pushes to the stream MR; the advisory comes back in 2.33.0,
	// so the fix goes on the vulnerability branch.
	e.gl.Commit(e.proj, brRequests, "A person's fix", map[string]string{"NOTES.md": "mine\n"})
	e.idx.AddOSVVuln(requestsAdvisory("PYSEC-2026-7", released.Add(time.Hour), reintroduced))
	e.clock.Add(time.Hour)
	e.mustRun()
	vuln, ok := e.openMRs()[brRequestsVuln]
	if !ok {
		t.Fatalf("no vulnerability MR: %v", keys(e.openMRs()))
	}
	e.idx.AddOSVVuln(requestsAdvisory("PYSEC-2026-9", released, []indexsim.OSVEvent{{Introduced: "0"}, {Fixed: "2.32.4"}}))
	e.idx.Inject(indexsim.Fault{Count: 3, PathPrefix: "/v1/vulns/PYSEC-2026-9", Status: 500})
	for _, step := range []string{"record unreadable", "record back"} {
		e.clock.Add(time.Hour)
		e.mustRun()
		if got, ok := e.openMRs()[brRequestsVuln]; !ok || got.IID != vuln.IID {
			st, title, _ := e.mrByIID(t, vuln.IID)
			t.Errorf("%s: vulnerability MR !%d is %s %q; open now: %v", step, vuln.IID, st, title, keys(e.openMRs()))
		}
	}
}

func TestSecurityFixJoinsStreamMR(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(e *env)
		title string
		same  bool // the stream branch keeps its commit
	}{
		{"fix at the stream's version: retitled", func(e *env) {
			e.idx.AddOSVVuln(requestsAdvisory("PYSEC-2026-8", released, []indexsim.OSVEvent{{Introduced: "0"}, {Fixed: "2.33.0"}}))
			e.idx.AddOSVVuln(requestsAdvisory("PYSEC-2026-7", released.Add(time.Hour), []indexsim.OSVEvent{{Introduced: "0"}, {Fixed: "2.32.4"}}))
		}, "Update requests to 2.33.0 [security]", true},
		{"fix above the stream's version: rebuilt up", func(e *env) {
			e.release("requests", "2.33.1", released)
			e.idx.AddOSVVuln(requestsAdvisory("PYSEC-2026-8", released, []indexsim.OSVEvent{{Introduced: "0"}, {Fixed: "2.33.1"}}))
			e.idx.AddOSVVuln(requestsAdvisory("PYSEC-2026-7", released.Add(time.Hour), append(slices.Clip(reintroduced), indexsim.OSVEvent{Fixed: "2.33.1"})))
		}, "Update requests to 2.33.1 [security]", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, plain := streamMREnv(t, reintroduced)
			e.mustRun()
			if _, ok := e.openMRs()[brRequestsVuln]; !ok {
				t.Fatalf("no vulnerability MR: %v", keys(e.openMRs()))
			}
			tc.setup(e)
			// A dry run first says what the real run then does.
			vuln := e.mrFor(brRequestsVuln).IID
			e.clock.Add(time.Hour)
			dry := strings.Join(e.runCtx(t.Context(), true).Actions, "\n")
			if !strings.Contains(dry, fmt.Sprintf("close MR !%d as no longer needed", vuln)) || !strings.Contains(dry, tc.title) {
				t.Errorf("dry run does not show the vulnerability MR closing beside %q:\n%s", tc.title, dry)
			}
			if _, ok := e.openMRs()[brRequestsVuln]; !ok {
				t.Fatal("the dry run closed the vulnerability MR")
			}
			for run := 1; run <= 2; run++ {
				e.clock.Add(time.Hour)
				e.mustRun()
				open := e.openMRs()
				if _, ok := open[brRequestsVuln]; ok {
					t.Errorf("run %d: vulnerability MR still open beside the stream MR", run)
				}
				got := e.mrFor(brRequests)
				if got.Title != tc.title || (got.SHA() == plain.SHA()) != tc.same {
					t.Errorf("run %d: stream MR %q at %s (was %s), want %q", run, got.Title, got.SHA(), plain.SHA(), tc.title)
				}
				if !strings.Contains(got.Description, "PYSEC-2026-8") {
					t.Errorf("run %d: stream MR does not list the advisory:\n%s", run, got.Description)
				}
			}
		})
	}
}
