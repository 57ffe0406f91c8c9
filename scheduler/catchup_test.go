package scheduler_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/gitlabsim"
)

// countNoteReads counts the runs' GET …/merge_requests/:iid/notes from
// now on.
func (e *env) countNoteReads() *int {
	n := new(int)
	e.hook = func(r *http.Request) error {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/notes") && strings.Contains(r.URL.Path, "/merge_requests/") {
			*n++
		}
		return nil
	}
	return n
}

// A note pinwheel posts while it closes or acknowledges a merge request
// is counted as its own, like its other notes: the next run, with
// nothing new on GitLab, reads no merge request's notes, and a command
// posted after is still caught up without the webhook.
func TestOwnClosingNotesNeedNoCatchUp(t *testing.T) {
	tests := []struct {
		name string
		env  func(t *testing.T) *env
		// act makes the next run close or acknowledge a merge request
		// with a note; it returns that merge request.
		act func(t *testing.T, e *env) int
	}{
		{name: "obsolete, closed", env: openAll, act: func(t *testing.T, e *env) int {
			iid := e.mrFor(brRequests).IID
			e.editMain(t, "requests==2.31.0", "requests==2.32.4")
			return iid
		}},
		{name: "closed by a person, acknowledged", env: openAll, act: func(t *testing.T, e *env) int {
			iid := e.mrFor(brRequests).IID
			if err := e.gl.CloseMR(e.proj, iid); err != nil {
				t.Fatal(err)
			}
			return iid
		}},
		{name: "ignore command, closed", env: openAll, act: func(t *testing.T, e *env) int {
			iid := e.mrFor(brRequests).IID
			e.comment(e.person("dev", gitlabsim.DeveloperAccess), iid, "@pinwheel ignore this version")
			return iid
		}},
		{name: "group closed by a person, acknowledged", env: func(t *testing.T) *env {
			e := groupEnv(t)
			e.mustRun()
			return e
		}, act: func(t *testing.T, e *env) int {
			iid := e.mrFor(brWeb).IID
			if err := e.gl.CloseMR(e.proj, iid); err != nil {
				t.Fatal(err)
			}
			return iid
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := tt.env(t)
			e.step(t, "settled")
			iid := tt.act(t, e)
			before := len(e.gl.MRNotes(e.proj, iid))
			e.step(t, "pinwheel closes or acknowledges")
			if got := len(e.gl.MRNotes(e.proj, iid)) - before; got != 1 {
				t.Fatalf("pinwheel posted %d notes on !%d, want 1", got, iid)
			}
			if st, _, _ := e.mrByIID(t, iid); st != "closed" {
				t.Fatalf("!%d is %s", iid, st)
			}
			reads := e.countNoteReads()
			e.clock.Add(time.Minute)
			e.step(t, "nothing changed")
			if *reads != 0 {
				t.Errorf("the run after pinwheel's own note read MR notes %d times", *reads)
			}
			// A command the webhook did not bring is still caught up.
			dev := e.person("dev", gitlabsim.DeveloperAccess)
			answered := len(e.replies(iid))
			if _, ok := e.gl.PostMRNote(e.proj, iid, dev, "@pinwheel rebase"); !ok {
				t.Fatal("no MR")
			}
			e.clock.Add(time.Minute)
			e.step(t, "catch-up")
			if got := e.replies(iid); len(got) != answered+1 || !strings.HasPrefix(got[len(got)-1], "@dev ") {
				t.Fatalf("replies = %q, want one more, to @dev", got)
			}
		})
	}
}
