package scheduler_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/config"
)

// TestGroupMergedNotReopened: a group MR merged while the run's target
// still shows the old pins (auto-merge finishing between reading the
// target and listing the merge requests; here: the merge reverted by a
// person) is not opened again; a newer release of one member is proposed
// alone, without the versions merged already.
func TestGroupMergedNotReopened(t *testing.T) {
	e := groupEnv(t)
	e.mustRun()
	mr := e.mrFor(brWeb)
	old := e.fileOn("main")
	if _, err := e.gl.MergeMR(e.proj, mr.IID); err != nil {
		t.Fatal(err)
	}
	e.gl.Commit(e.proj, "main", "Revert the group", map[string]string{"constraints.txt": old})
	e.clock.Add(time.Hour)
	if rep := e.mustRun(); rep.MRsOpened != 0 {
		t.Fatalf("merged group opened again: %+v, open %v", rep, keys(e.openMRs()))
	}
	if open := section(e.dashboard().Description, "Open"); strings.Contains(open, "group-web") {
		t.Errorf("merged group listed as open:\n%s", open)
	}

	e.release("idna", "3.11", saturday)
	e.clock.Add(time.Hour)
	if rep := e.mustRun(); rep.MRsOpened != 1 {
		t.Fatalf("newer idna: %+v", rep)
	}
	again := e.mrFor(brWeb)
	if f := e.fileOn(brWeb); again.IID == mr.IID || tableRows(again.Description) != 1 || !strings.Contains(f, "idna==3.11 ") || !strings.Contains(f, "requests==2.31.0\n") {
		t.Errorf("after idna 3.11: !%d, %d rows\n%s", again.IID, tableRows(again.Description), f)
	}
}

// TestGroupPendingOfOtherType: a [patch] group takes a member's offered
// patch, not its young minor release: the group has nothing pending and
// its MR carries the patch only.
func TestGroupPendingOfOtherType(t *testing.T) {
	e := newEnv(t, unlimited+"    groups:\n      - name: fixes\n        update_types: [patch]\n        packages: [requests]\n")
	e.clock.Set(saturday)
	e.release("requests", "2.31.1", released.AddDate(0, -1, 0))
	e.cfg.Packages = []config.PackageRule{{Name: "requests", MinimumReleaseAge: config.Duration(30 * 24 * time.Hour)}}
	e.mustRun()
	const br = "pinwheel/group-fixes"
	if f := e.fileOn(br); !strings.Contains(f, "requests==2.31.1\n") {
		t.Fatalf("group branch:\n%s", f)
	}
	pending := section(e.dashboard().Description, "Pending Release Age")
	if hasBox(pending, "approve", br) || strings.Contains(pending, "2.32.4") && strings.Contains(pending, "group-fixes") {
		t.Errorf("the patch group offers a minor release:\n%s", pending)
	}
}

// TestGroupClosedVersionsListed: once a closed group has a new MR for one
// member, the other members' closed versions stay listed under Closed /
// Ignored; their recreate box rebuilds the open MR with them.
func TestGroupClosedVersionsListed(t *testing.T) {
	e := groupEnv(t)
	e.mustRun()
	if err := e.gl.CloseMR(e.proj, e.mrFor(brWeb).IID); err != nil {
		t.Fatal(err)
	}
	e.step(t, "closed")
	e.release("idna", "3.11", saturday)
	e.step(t, "idna 3.11")
	mr := e.mrFor(brWeb)
	if tableRows(mr.Description) != 1 {
		t.Fatalf("group MR after idna 3.11 has %d rows", tableRows(mr.Description))
	}
	closed := section(e.dashboard().Description, "Closed / Ignored")
	for _, want := range []string{"`requests` `2.31.0` → `2.32.4`", "`urllib3` `2.0.7` → `2.2.3`"} {
		if !strings.Contains(closed, want) {
			t.Errorf("Closed section lacks %s:\n%s", want, closed)
		}
	}
	if strings.Contains(closed, "idna") || !hasBox(closed, "recreate", brWeb) {
		t.Errorf("Closed section:\n%s", closed)
	}

	e.tick("recreate", brWeb)
	e.step(t, "recreate")
	got := e.mrFor(brWeb)
	if got.IID != mr.IID || tableRows(got.Description) != 3 || !strings.Contains(e.fileOn(brWeb), "requests==2.32.4\n") {
		t.Errorf("after recreate: !%d (was !%d), %d rows\n%s", got.IID, mr.IID, tableRows(got.Description), e.fileOn(brWeb))
	}
	if d := e.dashboard().Description; hasBox(d, "recreate", brWeb) || strings.Contains(d, "Closed / Ignored") {
		t.Errorf("recreate box still shown:\n%s", d)
	}
	e.step(t, "again")
	if got := e.mrFor(brWeb); tableRows(got.Description) != 3 {
		t.Errorf("closed versions came back: %d rows", tableRows(got.Description))
	}
}
