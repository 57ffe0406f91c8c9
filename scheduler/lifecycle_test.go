package scheduler_test

import (
	"os"
	"strings"
	"testing"
	"time"
)

// heads returns the head of every update branch.
func (e *env) heads() map[string]string {
	out := map[string]string{}
	for _, b := range allBranches {
		out[b], _ = e.gl.Branch(e.proj, b)
	}
	return out
}

func (e *env) step(t *testing.T, what string) {
	t.Helper()
	e.clock.Add(time.Hour)
	rep := e.run()
	if rep.Err != nil {
		t.Fatalf("%s: %v", what, rep.Err)
	}
}

func TestOpenMRLifecycle(t *testing.T) {
	e := openAll(t)
	if n := len(e.openMRs()); n != 5 {
		t.Fatalf("open MRs: %d", n)
	}

	// A newer release: the branch is rebuilt and the MR retitled.
	before := e.heads()
	reqIID := e.mrFor(brRequests).IID
	e.release("requests", "2.32.5", saturday)
	e.clock.Add(time.Hour)
	rep := e.mustRun()
	if rep.MRsUpdated != 1 || rep.MRsOpened != 0 {
		t.Fatalf("newer release: %+v", rep)
	}
	mr := e.mrFor(brRequests)
	if mr.IID != reqIID || mr.Title != "Update requests to 2.32.5" || !strings.Contains(mr.Description, "2.32.5") {
		t.Errorf("MR after newer release: !%d %q", mr.IID, mr.Title)
	}
	after := e.heads()
	for _, b := range allBranches {
		if changed := after[b] != before[b]; changed != (b == brRequests) {
			t.Errorf("%s rebuilt: %v", b, changed)
		}
	}
	if data, _ := e.gl.File(e.proj, brRequests, "constraints.txt"); !strings.Contains(string(data), "requests==2.32.5\n") {
		t.Errorf("requests branch:\n%s", data)
	}

	// A person changes the constraints file on the target: every branch is
	// rebuilt on the new head, still one commit each.
	data, _ := e.gl.File(e.proj, "main", "constraints.txt")
	e.gl.Commit(e.proj, "main", "Add a comment", map[string]string{
		"constraints.txt": strings.Replace(string(data), "# pins", "# pins, reviewed", 1),
	})
	mainHead, _ := e.gl.Branch(e.proj, "main")
	e.clock.Add(time.Hour)
	if rep = e.mustRun(); rep.MRsUpdated != 5 {
		t.Fatalf("target changed: %+v", rep)
	}
	for _, b := range allBranches {
		head, _ := e.gl.Branch(e.proj, b)
		cs := e.gl.Commits(e.proj, head)
		if cs[0].Parents[0] != mainHead {
			t.Errorf("%s not rebuilt on main", b)
		}
		if data, _ := e.gl.File(e.proj, b, "constraints.txt"); !strings.HasPrefix(string(data), "# pins, reviewed\n") {
			t.Errorf("%s lacks the target's change", b)
		}
	}

	// Another file changes on the target: nothing to do, until a person
	// ticks rebase.
	e.gl.Commit(e.proj, "main", "Docs", map[string]string{"README": "more\n"})
	before = e.heads()
	e.clock.Add(time.Hour)
	if rep = e.mustRun(); rep.Writes != 0 {
		t.Fatalf("unrelated change wrote: %v", rep.Actions)
	}
	e.tick("rebase", brIdna)
	e.clock.Add(time.Hour)
	if rep = e.mustRun(); rep.MRsUpdated != 1 {
		t.Fatalf("rebase tick: %+v", rep)
	}
	after = e.heads()
	for _, b := range allBranches {
		if changed := after[b] != before[b]; changed != (b == brIdna) {
			t.Errorf("%s rebuilt: %v", b, changed)
		}
	}
	if strings.Contains(e.dashboard().Description, "[x]") {
		t.Errorf("rebase box still ticked")
	}

	// A person closes the certifi MR: listed as closed, noted once, not
	// proposed again.
	certifi := e.mrFor(brCertifi)
	e.gl.CloseMR(e.proj, certifi.IID)
	e.step(t, "closed")
	e.step(t, "closed again")
	if _, ok := e.openMRs()[brCertifi]; ok {
		t.Fatalf("closed update proposed again")
	}
	body := e.dashboard().Description
	if !hasBox(section(body, "Closed / Ignored"), "recreate", brCertifi) {
		t.Errorf("closed MR not listed:\n%s", body)
	}
	notes := e.gl.MRNotes(e.proj, certifi.IID)
	if len(notes) != 1 || !strings.Contains(notes[0].Body, "Because you closed this MR without merging") {
		t.Errorf("notes on the closed MR: %+v", notes)
	}

	// Ticking recreate opens it again.
	e.tick("recreate", brCertifi)
	e.step(t, "recreate")
	re := e.mrFor(brCertifi)
	if re.IID == certifi.IID || re.Title != certifi.Title {
		t.Errorf("recreated: !%d %q", re.IID, re.Title)
	}
	if hasBox(e.dashboard().Description, "recreate", brCertifi) {
		t.Errorf("still listed as closed")
	}

	// Closed again, then a newer release: the newer version is proposed.
	e.gl.CloseMR(e.proj, re.IID)
	e.step(t, "closed")
	e.release("certifi", "2024.12.14", saturday)
	e.step(t, "newer certifi")
	if mr := e.mrFor(brCertifi); mr.Title != "Update certifi to 2024.12.14" {
		t.Errorf("newer certifi: %q", mr.Title)
	}

	// Merged: gone from the dashboard's update sections.
	if _, err := e.gl.MergeMR(e.proj, e.mrFor(brRequests).IID); err != nil {
		t.Fatal(err)
	}
	e.step(t, "merged")
	body = e.dashboard().Description
	if strings.Contains(body, "branch="+brRequests) {
		t.Errorf("merged update still listed:\n%s", body)
	}
	if len(e.openMRs()) != 4 {
		t.Errorf("open MRs after merge: %d", len(e.openMRs()))
	}
	e.gl.ResetStats()
	e.step(t, "settled")
	if st := e.gl.Stats(); st.Writes != 0 {
		t.Errorf("settled run wrote: %v", st.ByEndpoint)
	}
}

// A branch a person pushed to is theirs: a newer release does not
// overwrite their commit, until they tick rebase. Pinwheel tells its own
// head from theirs by its record, and without the state file by the head
// commit's title.
func TestPushedBranchIsLeftAlone(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before func(*testing.T, *env) // before the person's push
		after  func(*testing.T, *env) // after it
	}{
		{"with state", func(t *testing.T, e *env) {
			// Another merge request changes later, so the listing cursor
			// passes the requests merge request's last update.
			e.gl.CloseMR(e.proj, e.mrFor(brSix).IID)
			e.step(t, "six closed")
		}, func(*testing.T, *env) {}},
		{"state lost", func(*testing.T, *env) {}, func(t *testing.T, e *env) {
			if err := os.Remove(e.dbPath); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := openAll(t)
			e.clock.Add(time.Hour)
			tc.before(t, e)
			theirs := e.gl.Commit(e.proj, brRequests, "Fix the tests for the new requests", map[string]string{"tests.txt": "fixed\n"})
			tc.after(t, e)
			e.release("requests", "2.32.5", saturday)
			e.step(t, "newer release")
			if head, _ := e.gl.Branch(e.proj, brRequests); head != theirs {
				t.Fatalf("the branch a person pushed to was rebuilt")
			}
			e.tick("rebase", brRequests)
			e.step(t, "rebase ticked")
			head, _ := e.gl.Branch(e.proj, brRequests)
			if data, _ := e.gl.File(e.proj, head, "constraints.txt"); head == theirs || !strings.Contains(string(data), "requests==2.32.5\n") {
				t.Errorf("rebase tick did not rebuild the branch:\n%s", data)
			}
			if mr := e.mrFor(brRequests); mr.Title != "Update requests to 2.32.5" {
				t.Errorf("title %q", mr.Title)
			}
		})
	}
}

// TestOpenMRKeptCurrentOutsideWindow: the window holds back merge requests
// nobody asked for, not the upkeep of open ones. A release that arrives
// on a Wednesday rebuilds its open MR on the Wednesday run.
func TestOpenMRKeptCurrentOutsideWindow(t *testing.T) {
	e := openAll(t)
	reqIID := e.mrFor(brRequests).IID
	e.clock.Set(wednesday.AddDate(0, 0, 7))
	e.release("requests", "2.32.5", e.clock.Now())
	rep := e.mustRun()
	if rep.MRsUpdated != 1 || rep.MRsOpened != 0 {
		t.Fatalf("weekday run after a newer release: %+v", rep)
	}
	if mr := e.mrFor(brRequests); mr.IID != reqIID || mr.Title != "Update requests to 2.32.5" {
		t.Errorf("MR after the weekday run: !%d %q, want !%d retitled to 2.32.5", mr.IID, mr.Title, reqIID)
	}
}
