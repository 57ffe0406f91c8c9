package scheduler_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/indexsim"
)

// editMain changes constraints.txt on main as a person would.
func (e *env) editMain(t *testing.T, old, new string) {
	t.Helper()
	data, _ := e.gl.File(e.proj, "main", "constraints.txt")
	if !strings.Contains(string(data), old) {
		t.Fatalf("no %q in constraints.txt:\n%s", old, data)
	}
	e.gl.Commit(e.proj, "main", "By hand", map[string]string{"constraints.txt": strings.Replace(string(data), old, new, 1)})
}

// mrByIID returns a merge request in any state.
func (e *env) mrByIID(t *testing.T, iid int) (state, title string, notes []string) {
	t.Helper()
	for _, mr := range e.gl.MergeRequests(e.proj) {
		if mr.IID == iid {
			for _, n := range e.gl.MRNotes(e.proj, iid) {
				notes = append(notes, n.Body)
			}
			return mr.State, mr.Title, notes
		}
	}
	t.Fatalf("no MR !%d", iid)
	return "", "", nil
}

// An open MR whose update the target made unnecessary (a person bumped the
// pin, or removed the package) is closed with a note saying why, and its
// branch deleted unless a person pushed to it. The run after it is quiet.
func TestObsoleteMRClosed(t *testing.T) {
	for _, tc := range []struct {
		name     string
		old, new string
		pushed   bool
		note     string
	}{
		{"pin bumped to the MR's version", "requests==2.31.0", "requests==2.32.4", false,
			"constraints.txt on main already pins requests 2.32.4 or newer, so this MR is no longer needed"},
		{"pin bumped past it, to the next major", "requests==2.31.0", "requests==3.0.0", false,
			"already pins requests 2.32.4 or newer"},
		{"package removed", "requests==2.31.0\n", "", false,
			"constraints.txt on main no longer pins requests, so this MR is no longer needed"},
		{"pin bumped, a person's commit on the branch", "requests==2.31.0", "requests==2.32.4", true,
			"The branch has commits by someone else, so pinwheel keeps it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := openAll(t)
			e.release("requests", "3.0.0", released) // too new to matter to 2.31.0's MR: a major branch
			iid := e.mrFor(brRequests).IID
			var theirs string
			if tc.pushed {
				theirs = e.gl.Commit(e.proj, brRequests, "Fix the tests", map[string]string{"tests.txt": "fixed\n"})
			}
			e.editMain(t, tc.old, tc.new)
			e.clock.Add(time.Hour)
			rep := e.mustRun()
			if rep.MRsClosed != 1 {
				t.Errorf("closed %d MRs, want 1: %v", rep.MRsClosed, rep.Actions)
			}
			st, title, notes := e.mrByIID(t, iid)
			if st != "closed" || title != "Update requests to 2.32.4 - autoclosed" {
				t.Errorf("MR !%d: %s %q", iid, st, title)
			}
			if len(notes) != 1 || !strings.Contains(notes[0], tc.note) {
				t.Errorf("notes: %q, want one with %q", notes, tc.note)
			}
			head, ok := e.gl.Branch(e.proj, brRequests)
			if tc.pushed != ok || tc.pushed && head != theirs {
				t.Errorf("branch exists %v (head %s), want %v (head %s)", ok, head, tc.pushed, theirs)
			}
			if body := e.dashboard().Description; strings.Contains(body, "branch="+brRequests+" ") || strings.Contains(body, "!"+itoa(iid)) {
				t.Errorf("the closed MR is still on the dashboard:\n%s", body)
			}
			e.clock.Add(time.Hour)
			e.gl.ResetStats()
			if rep := e.mustRun(); rep.Writes != 0 || e.gl.Stats().Writes != 0 {
				t.Errorf("the run after the close wrote: %v", rep.Actions)
			}
			e.clock.Add(time.Hour)
			e.gl.ResetStats()
			e.mustRun()
			if st := e.gl.Stats(); st.Requests > 5 || st.Writes != 0 {
				t.Errorf("quiet run: %d requests, %d writes: %v", st.Requests, st.Writes, st.ByEndpoint)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// An open MR is left as it is when the run cannot tell its update is gone
// for good: the package's look-up failed, or people took the pin in hand
// (`# pinwheel: ignore`, or the config's ignore), or only an unmanaged
// line names it now.
func TestOpenMRNotClosedWithoutProof(t *testing.T) {
	for _, tc := range []struct {
		name     string
		old, new string
		extra    string
		prepare  func(*env)
	}{
		{"index error for the pin", "requests==2.31.0", "requests==2.32.4", "", func(e *env) {
			e.idx.Inject(indexsim.Fault{Count: 1 << 20, PathPrefix: "/simple/requests", Status: http.StatusNotFound})
		}},
		{"ignore comment", "requests==2.31.0", "requests==2.32.4  # pinwheel: ignore", "", nil},
		{"ignored by the config", "requests==2.31.0", "requests==2.32.4", "", func(e *env) {
			e.cfg = e.config(unlimited + "packages:\n  - name: requests\n    ignore: true\n")
		}},
		{"unmanaged range", "requests==2.31.0", "requests>=2.31,<3", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := openAll(t)
			iid := e.mrFor(brRequests).IID
			e.editMain(t, tc.old, tc.new)
			if tc.prepare != nil {
				tc.prepare(e)
			}
			e.clock.Add(time.Hour)
			rep := e.run()
			if strings.HasPrefix(tc.name, "index error") && !strings.Contains(section(e.dashboard().Description, "Errors"), "requests") {
				t.Errorf("the failed look-up is not under Errors:\n%s", e.dashboard().Description)
			}
			if rep.MRsClosed != 0 {
				t.Errorf("closed %d MRs: %v", rep.MRsClosed, rep.Actions)
			}
			if mr := e.mrFor(brRequests); mr.IID != iid {
				t.Errorf("requests MR is !%d, want !%d", mr.IID, iid)
			}
			if _, ok := e.gl.Branch(e.proj, brRequests); !ok {
				t.Errorf("branch deleted")
			}
			if n := len(e.gl.MRNotes(e.proj, iid)); n != 0 {
				t.Errorf("%d notes on the MR", n)
			}
		})
	}
}

// A person closes an update MR: pinwheel notes it once and deletes the
// branch, unless the person pushed to it; a recreate tick builds the
// branch again.
func TestClosedMRBranchDeleted(t *testing.T) {
	e := openAll(t)
	certifi := e.mrFor(brCertifi)
	e.gl.CloseMR(e.proj, certifi.IID)
	theirs := e.gl.Commit(e.proj, brIdna, "Pin idna for the tests", map[string]string{"tests.txt": "x\n"})
	e.gl.CloseMR(e.proj, e.mrFor(brIdna).IID)
	e.step(t, "closed")
	if _, ok := e.gl.Branch(e.proj, brCertifi); ok {
		t.Errorf("the closed MR's branch is still there")
	}
	if head, _ := e.gl.Branch(e.proj, brIdna); head != theirs {
		t.Errorf("the branch a person pushed to was deleted or moved")
	}
	if n := len(e.gl.MRNotes(e.proj, certifi.IID)); n != 1 {
		t.Errorf("%d notes on the closed MR", n)
	}
	e.clock.Add(time.Hour)
	e.gl.ResetStats()
	if e.mustRun(); e.gl.Stats().Writes != 0 {
		t.Errorf("the run after wrote: %v", e.gl.Stats().ByEndpoint)
	}

	e.tick("recreate", brCertifi)
	e.step(t, "recreate")
	re := e.mrFor(brCertifi)
	if re.IID == certifi.IID || re.Title != certifi.Title {
		t.Errorf("recreated: !%d %q", re.IID, re.Title)
	}
	if data, ok := e.gl.File(e.proj, brCertifi, "constraints.txt"); !ok || !strings.Contains(string(data), "certifi==2024.8.30\n") {
		t.Errorf("recreated branch:\n%s", data)
	}
}

// A dry run prints the clean-up it would do and writes nothing.
func TestCleanupDryRun(t *testing.T) {
	e := openAll(t)
	iid := e.mrFor(brRequests).IID
	e.gl.CloseMR(e.proj, e.mrFor(brCertifi).IID)
	e.editMain(t, "requests==2.31.0", "requests==2.32.4")
	e.clock.Add(time.Hour)
	e.out.Reset()
	e.gl.ResetStats()
	rep := e.runCtx(t.Context(), true)
	if rep.Err != nil {
		t.Fatal(rep.Err)
	}
	if st := e.gl.Stats(); st.Writes != 0 {
		t.Errorf("dry run wrote: %v", st.ByEndpoint)
	}
	out := e.out.String()
	for _, want := range []string{
		"would note on obsolete MR !" + itoa(iid),
		"would close MR !" + itoa(iid) + " as no longer needed",
		"would delete branch " + brRequests,
		"would delete branch " + brCertifi,
	} {
		if n := strings.Count(out, want); n != 1 {
			t.Errorf("dry run output has %q %d times, want once:\n%s", want, n, out)
		}
	}
	if mr := e.mrFor(brRequests); mr.IID != iid {
		t.Errorf("dry run closed the MR")
	}
}
