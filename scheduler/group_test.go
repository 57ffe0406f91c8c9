package scheduler_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/config"
)

const brWeb = "pinwheel/group-web"

// webGroup groups requests, urllib3 and idna; certifi and six stay alone.
const webGroup = "    groups:\n      - name: web\n        packages: [requests, urllib3, IDNA]\n"

func groupEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t, unlimited+webGroup)
	e.clock.Set(saturday)
	return e
}

func (e *env) fileOn(ref string) string {
	e.t.Helper()
	data, ok := e.gl.File(e.proj, ref, "constraints.txt")
	if !ok {
		e.t.Fatalf("no constraints.txt on %s", ref)
	}
	return string(data)
}

// tableRows counts a description's package rows.
func tableRows(desc string) int {
	_, table, _ := strings.Cut(desc, "|---|---|---|---|---|---|\n")
	n := 0
	for _, l := range strings.Split(table, "\n") {
		if !strings.HasPrefix(l, "| ") {
			break
		}
		n++
	}
	return n
}

// TestGroupLifecycle: one MR and one commit for the group's three
// packages; a newer release of one rebuilds it; one removed by a person
// leaves it; the last one updated by a person closes it.
func TestGroupLifecycle(t *testing.T) {
	e := groupEnv(t)
	rep := e.mustRun()
	open := e.openMRs()
	if len(open) != 3 || rep.MRsOpened != 3 {
		t.Fatalf("open MRs %v, report %+v; want the group, certifi and six", keys(open), rep)
	}
	mr := e.mrFor(brWeb)
	if mr.Title != "Update web dependencies" || tableRows(mr.Description) != 3 {
		t.Errorf("group MR %q with %d rows:\n%s", mr.Title, tableRows(mr.Description), mr.Description)
	}
	for _, b := range []string{brRequests, brUrllib3, brIdna} {
		if _, ok := open[b]; ok {
			t.Errorf("%s has an MR of its own", b)
		}
	}
	head, _ := e.gl.Branch(e.proj, brWeb)
	if n := len(e.gl.Commits(e.proj, head)) - len(e.gl.Commits(e.proj, "main")); n != 1 {
		t.Errorf("group branch has %d commits over main, want 1", n)
	}
	f := e.fileOn(brWeb)
	for _, pin := range []string{"requests==2.32.4\n", "urllib3==2.2.3 ", "idna==3.10 ", "certifi==2023.7.22\n", "six==1.16.0 "} {
		if !strings.Contains(f, pin) {
			t.Errorf("group branch lacks %q:\n%s", pin, f)
		}
	}
	if y, ok := e.gl.File(e.proj, brWeb, "pipeline/constraints.yml"); !ok || !strings.Contains(string(y), "2.32.4") {
		t.Errorf("group branch YAML not regenerated:\n%s", y)
	}
	listed := section(e.dashboard().Description, "Open")
	if strings.Count(listed, "group-web") != 1 || !strings.Contains(listed, "`urllib3` `2.0.7` → `2.2.3`") {
		t.Errorf("dashboard Open section:\n%s", listed)
	}

	// A newer release of one member: the same MR, rebuilt.
	e.release("requests", "2.32.5", saturday)
	e.clock.Add(time.Hour)
	if rep = e.mustRun(); rep.MRsUpdated != 1 || rep.MRsOpened != 0 {
		t.Fatalf("newer release: %+v", rep)
	}
	if got := e.mrFor(brWeb); got.IID != mr.IID || !strings.Contains(e.fileOn(brWeb), "requests==2.32.5\n") || !strings.Contains(got.Description, "2.32.5") {
		t.Errorf("after a newer release: !%d\n%s", got.IID, e.fileOn(brWeb))
	}

	// A person removes urllib3 from the file: rebuilt without it.
	main := strings.Replace(e.fileOn("main"), "urllib3==2.0.7 \\\n    --hash=sha256:"+oldHash+"\n", "", 1)
	e.gl.Commit(e.proj, "main", "Drop urllib3", map[string]string{"constraints.txt": main})
	e.clock.Add(time.Hour)
	e.mustRun()
	got := e.mrFor(brWeb)
	if got.IID != mr.IID || tableRows(got.Description) != 2 || strings.Contains(e.fileOn(brWeb), "urllib3") {
		t.Errorf("after urllib3 removed: !%d, %d rows\n%s", got.IID, tableRows(got.Description), e.fileOn(brWeb))
	}

	// A person updates idna to the very version the group offers: the
	// branch's files stay the same, but the MR no longer carries idna.
	main = strings.Replace(e.fileOn("main"), "idna==3.4 ", "idna==3.10 ", 1)
	e.gl.Commit(e.proj, "main", "Update idna by hand", map[string]string{"constraints.txt": main})
	e.clock.Add(time.Hour)
	e.mustRun()
	got = e.mrFor(brWeb)
	if got.IID != mr.IID || tableRows(got.Description) != 1 || strings.Contains(got.Description, "idna") || !strings.Contains(got.Description, "requests") {
		t.Errorf("after idna updated by hand: !%d, %d rows\n%s", got.IID, tableRows(got.Description), got.Description)
	}
	if open := section(e.dashboard().Description, "Open"); strings.Contains(open, "`idna`") {
		t.Errorf("dashboard still lists idna in the group:\n%s", open)
	}
	e.clock.Add(time.Hour)
	if rep = e.mustRun(); rep.Writes != 0 {
		t.Errorf("quiet run after idna left the group wrote: %v", rep.Actions)
	}

	// A person updates requests: nothing left, the MR is closed.
	main = strings.Replace(e.fileOn("main"), "requests==2.31.0", "requests==2.32.5", 1)
	e.gl.Commit(e.proj, "main", "Update by hand", map[string]string{"constraints.txt": main})
	e.clock.Add(time.Hour)
	e.mustRun()
	if _, ok := e.openMRs()[brWeb]; ok {
		t.Fatal("empty group MR still open")
	}
	if m, _ := e.gl.MergeRequest(e.proj, mr.IID); m.State != "closed" {
		t.Errorf("group MR state %s", m.State)
	}
	if _, ok := e.gl.Branch(e.proj, brWeb); ok {
		t.Error("empty group's branch kept")
	}
	e.clock.Add(time.Hour)
	if rep = e.mustRun(); rep.Writes != 0 {
		t.Errorf("quiet run after the group emptied wrote: %v", rep.Actions)
	}
}

// TestGroupClosed: closing a group MR ignores exactly its versions; a
// newer release of one member is proposed alone; recreate brings back all.
func TestGroupClosed(t *testing.T) {
	e := groupEnv(t)
	e.mustRun()
	mr := e.mrFor(brWeb)
	if err := e.gl.CloseMR(e.proj, mr.IID); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Hour)
	if rep := e.mustRun(); rep.MRsOpened != 0 {
		t.Fatalf("closed group reopened: %+v", rep)
	}
	if _, ok := e.gl.Branch(e.proj, brWeb); ok {
		t.Error("closed group's branch kept")
	}
	if notes := e.gl.MRNotes(e.proj, mr.IID); len(notes) != 1 || !strings.Contains(notes[0].Body, "requests 2.32.4") {
		t.Errorf("notes on the closed group MR: %+v", notes)
	}
	closed := section(e.dashboard().Description, "Closed / Ignored")
	if !hasBox(closed, "recreate", brWeb) || !strings.Contains(closed, "`idna` `3.4` → `3.10`") {
		t.Errorf("Closed section:\n%s", closed)
	}
	e.clock.Add(time.Hour)
	if rep := e.mustRun(); rep.Writes != 0 {
		t.Errorf("second run after closing wrote: %v", rep.Actions)
	}

	// idna 3.11: a group MR with idna only.
	e.release("idna", "3.11", saturday)
	e.clock.Add(time.Hour)
	if rep := e.mustRun(); rep.MRsOpened != 1 {
		t.Fatalf("newer idna: %+v", rep)
	}
	again := e.mrFor(brWeb)
	f := e.fileOn(brWeb)
	if again.IID == mr.IID || tableRows(again.Description) != 1 || !strings.Contains(f, "idna==3.11 ") || !strings.Contains(f, "requests==2.31.0\n") {
		t.Errorf("after idna 3.11: !%d, %d rows\n%s", again.IID, tableRows(again.Description), f)
	}

	// Close that one too, then tick recreate: all three come back.
	if err := e.gl.CloseMR(e.proj, again.IID); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Hour)
	e.mustRun()
	e.tick("recreate", brWeb)
	e.clock.Add(time.Hour)
	if rep := e.mustRun(); rep.MRsOpened != 1 {
		t.Fatalf("recreate: %+v", rep)
	}
	if third := e.mrFor(brWeb); tableRows(third.Description) != 3 {
		t.Errorf("recreated group has %d rows:\n%s", tableRows(third.Description), third.Description)
	}
	if hasBox(e.dashboard().Description, "recreate", brWeb) {
		t.Error("recreate box still shown")
	}
}

// TestGroupTick: on a weekday the group waits as one entry; ticking it
// creates the one group MR.
func TestGroupTick(t *testing.T) {
	e := newEnv(t, unlimited+webGroup)
	if rep := e.mustRun(); rep.MRsOpened != 0 || rep.UpdatesFound != 3 {
		t.Fatalf("weekday run: %+v", rep)
	}
	waiting := section(e.dashboard().Description, "Awaiting Schedule")
	if !hasBox(waiting, "unschedule", brWeb) || hasBox(waiting, "unschedule", brRequests) || !strings.Contains(waiting, "`requests` `2.31.0` → `2.32.4`") {
		t.Fatalf("Awaiting Schedule:\n%s", waiting)
	}
	e.tick("unschedule", brWeb)
	e.clock.Add(time.Hour)
	if rep := e.mustRun(); rep.MRsOpened != 1 {
		t.Fatalf("after ticking the group: %+v", rep)
	}
	if mr := e.mrFor(brWeb); tableRows(mr.Description) != 3 {
		t.Errorf("group MR rows: %d", tableRows(mr.Description))
	}
	if len(e.openMRs()) != 1 {
		t.Errorf("open MRs: %v", keys(e.openMRs()))
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

const brMisc = "pinwheel/group-misc"

// Interrupting a run with groups at every call boundary: one that creates
// two group MRs, and one that rebuilds a group (a newer release of one
// member, another removed by a person) while acknowledging the other
// group's closed MR.
func TestInterruptGroupsAtEveryCall(t *testing.T) {
	const groups = "    groups:\n      - name: web\n        packages: [requests, urllib3, idna]\n      - name: misc\n"
	t.Run("create", func(t *testing.T) {
		interruptEveryCall(t, func(t *testing.T) *env {
			e := newEnv(t, unlimited+groups)
			e.clock.Set(saturday)
			return e
		})
	})
	t.Run("rebuild and close", func(t *testing.T) {
		interruptEveryCall(t, func(t *testing.T) *env {
			e := newEnv(t, unlimited+groups)
			e.clock.Set(saturday)
			e.mustRun()
			if err := e.gl.CloseMR(e.proj, e.mrFor(brMisc).IID); err != nil {
				t.Fatal(err)
			}
			e.release("requests", "2.32.5", saturday)
			main := strings.Replace(e.fileOn("main"), "urllib3==2.0.7 \\\n    --hash=sha256:"+oldHash+"\n", "", 1)
			e.gl.Commit(e.proj, "main", "Drop urllib3", map[string]string{"constraints.txt": main})
			e.clock.Add(time.Hour)
			return e
		})
	})
	t.Run("recreate and join", func(t *testing.T) {
		interruptEveryCall(t, func(t *testing.T) *env {
			// web's MR closed and acknowledged, its recreate box ticked;
			// certifi and six had MRs of their own before misc existed.
			e := newEnv(t, unlimited+"    groups:\n      - name: web\n        packages: [requests, urllib3, idna]\n")
			e.clock.Set(saturday)
			e.mustRun()
			if err := e.gl.CloseMR(e.proj, e.mrFor(brWeb).IID); err != nil {
				t.Fatal(err)
			}
			e.step(t, "closed")
			e.tick("recreate", brWeb)
			e.cfg = e.config(unlimited + groups)
			e.clock.Add(time.Hour)
			return e
		})
	})
}

// A member whose pin pinwheel cannot rewrite fails alone, on the
// dashboard; the group MR carries the others.
func TestGroupMemberFailsAlone(t *testing.T) {
	e := groupEnv(t)
	h := strings.Repeat("cd", 32)
	main := strings.Replace(e.fileOn("main"), "idna==3.4  # via requests\n",
		"idna==3.4 --hash=sha256:"+h+" --config-settings=x=y --hash=sha256:"+oldHash+"\n", 1)
	e.gl.Commit(e.proj, "main", "Hash idna", map[string]string{"constraints.txt": main})
	e.mustRun()
	mr := e.mrFor(brWeb)
	if tableRows(mr.Description) != 2 || strings.Contains(e.fileOn(brWeb), "idna==3.10") {
		t.Errorf("group MR with a failing member: %d rows\n%s", tableRows(mr.Description), e.fileOn(brWeb))
	}
	if errs := section(e.dashboard().Description, "Errors"); !strings.Contains(errs, "hash") || !hasBox(errs, "retry", brWeb) {
		t.Errorf("Errors section:\n%s", errs)
	}
}

// A dry run decides and does not execute: it prints what the group run
// would write, reads no branch or note to do so, and writes nothing.
func TestGroupDryRun(t *testing.T) {
	e := groupEnv(t)
	e.gl.ResetStats()
	rep := e.runCtx(t.Context(), true)
	st := e.gl.Stats()
	if st.Writes != 0 || rep.Err != nil || rep.MRsOpened != 3 {
		t.Fatalf("dry run: %+v, %v", rep, st.ByEndpoint)
	}
	for ep := range st.ByEndpoint {
		if strings.Contains(ep, "branches") || strings.Contains(ep, "notes") {
			t.Errorf("dry run read %s", ep)
		}
	}
	for _, want := range []string{
		"would commit to branch " + brWeb + ": Update web dependencies",
		`would open MR "Update web dependencies" from ` + brWeb,
	} {
		if !strings.Contains(e.out.String(), want) {
			t.Errorf("dry run output lacks %q:\n%s", want, e.out.String())
		}
	}
}

// A group taken out of the configuration: its MR is closed as no longer
// needed, saying why, and its packages get MRs of their own.
func TestGroupUnconfigured(t *testing.T) {
	e := groupEnv(t)
	e.mustRun()
	iid := e.mrFor(brWeb).IID
	e.cfg = e.config(unlimited)
	e.clock.Add(time.Hour)
	e.mustRun()
	if _, ok := e.openMRs()[brWeb]; ok {
		t.Fatal("group MR still open")
	}
	notes := e.gl.MRNotes(e.proj, iid)
	if len(notes) != 1 || !strings.Contains(notes[0].Body, "no longer configured") {
		t.Errorf("notes: %+v", notes)
	}
	if n := len(e.openMRs()); n != 5 {
		t.Errorf("open MRs: %v", keys(e.openMRs()))
	}
}

// A member's release younger than minimum_release_age: the group carries
// the old enough one and is listed under Pending Release Age; ticking the
// group's approve box takes the young one into the same MR.
func TestGroupApprove(t *testing.T) {
	e := groupEnv(t)
	e.release("requests", "2.33.0", saturday.Add(-24*time.Hour))
	e.cfg.Packages = []config.PackageRule{{Name: "requests", MinimumReleaseAge: config.Duration(7 * 24 * time.Hour)}}
	e.mustRun()
	mr := e.mrFor(brWeb)
	if !strings.Contains(e.fileOn(brWeb), "requests==2.32.4\n") {
		t.Fatalf("group branch:\n%s", e.fileOn(brWeb))
	}
	pending := section(e.dashboard().Description, "Pending Release Age")
	if !hasBox(pending, "approve", brWeb) || !strings.Contains(pending, "`requests` `2.31.0` → `2.33.0`") {
		t.Fatalf("pending section:\n%s", pending)
	}
	e.tick("approve", brWeb)
	e.step(t, "approved")
	got := e.mrFor(brWeb)
	if got.IID != mr.IID || !strings.Contains(e.fileOn(brWeb), "requests==2.33.0\n") || tableRows(got.Description) != 3 {
		t.Errorf("after approving: !%d\n%s", got.IID, e.fileOn(brWeb))
	}
	if hasBox(e.dashboard().Description, "approve", brWeb) {
		t.Error("still pending after approval")
	}
	// The approval stands: the next run leaves the MR as it is.
	e.step(t, "again")
	if !strings.Contains(e.fileOn(brWeb), "requests==2.33.0\n") {
		t.Errorf("approved update undone:\n%s", e.fileOn(brWeb))
	}
}

// Packages with MRs of their own that join a group: the group MR is
// opened, and their own MRs are closed as no longer needed.
func TestGroupSupersedesOwnMRs(t *testing.T) {
	e := openAll(t)
	own := e.mrFor(brRequests).IID
	e.cfg = e.config(unlimited + webGroup)
	e.clock.Add(time.Hour)
	e.mustRun()
	open := e.openMRs()
	if _, ok := open[brWeb]; !ok || len(open) != 3 {
		t.Fatalf("open MRs: %v", keys(open))
	}
	notes := e.gl.MRNotes(e.proj, own)
	if len(notes) != 1 || !strings.Contains(notes[0].Body, "group MR") {
		t.Errorf("notes on requests' own MR: %+v", notes)
	}
	e.clock.Add(time.Hour)
	if rep := e.mustRun(); rep.Writes != 0 {
		t.Errorf("settled run wrote: %v", rep.Actions)
	}
}

// The state forgets a closed group version once the target pins the
// package at or above it; the others stay ignored.
func TestGroupClosedVersionsPruned(t *testing.T) {
	e := groupEnv(t)
	e.mustRun()
	if err := e.gl.CloseMR(e.proj, e.mrFor(brWeb).IID); err != nil {
		t.Fatal(err)
	}
	e.step(t, "closed")
	main := strings.Replace(e.fileOn("main"), "requests==2.31.0", "requests==2.32.4", 1)
	e.gl.Commit(e.proj, "main", "Bump requests", map[string]string{"constraints.txt": main})
	e.step(t, "bumped")
	_, db := e.runner(true)
	rec, err := db.Project(project)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	closed := rec.ClosedGroups[brWeb]
	if _, ok := closed["requests"]; ok || closed["urllib3"] != "2.2.3" || closed["idna"] != "3.10" {
		t.Errorf("closed versions: %v", closed)
	}
	if _, ok := e.openMRs()[brWeb]; ok {
		t.Error("group reopened with ignored versions")
	}
}
