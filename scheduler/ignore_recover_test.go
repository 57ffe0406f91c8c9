package scheduler_test

import (
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/gitlabsim"
)

// forgedMarker is the dashboard marker of the rule "ignore requests
// 2.32.4" set on !iid, as someone who can edit the issue writes it.
func forgedMarker(iid int) string { return forgedMarkerBy(iid, "dev") }

// forgedMarkerBy is forgedMarker naming by as the rule's author.
func forgedMarkerBy(iid int, by string) string {
	data, _ := json.Marshal(map[string]any{
		"k": "ignore/requests/version/2.32.4", "p": "requests", "s": "version", "v": "2.32.4", "b": by, "m": iid,
	})
	return "<!-- pinwheel-ignore:" + base64.RawURLEncoding.EncodeToString(data) + " -->"
}

// A rule marker on the dashboard is applied only when pinwheel's own
// answer on the merge request it names confirms it: a marker written
// into the description (a Reporter may edit it) or one a person's note
// quotes is refused, listed under Errors and never applied; a genuine
// rule is recovered with a fresh state file.
func TestIgnoreRecoveryNeedsPinwheelsAnswer(t *testing.T) {
	const key = "ignore/requests/version/2.32.4"
	tests := []struct {
		name string
		// setup acts on the env after the first run, on the requests MR.
		setup   func(t *testing.T, e *env, iid int)
		applied bool
	}{
		{name: "forged by a reporter", setup: func(t *testing.T, e *env, iid int) {
			e.forge(t, iid)
		}},
		{name: "forged, quoted in a person's note", setup: func(t *testing.T, e *env, iid int) {
			dev := e.person("dev", gitlabsim.DeveloperAccess)
			e.gl.PostMRNote(e.proj, iid, dev, "see\n<!-- pinwheel-ignored:"+key+" -->\n")
			e.forge(t, iid)
		}},
		{name: "forged, pinwheel's answer to another rule", setup: func(t *testing.T, e *env, iid int) {
			dev := e.person("dev", gitlabsim.DeveloperAccess)
			e.comment(dev, iid, "@pinwheel ignore this major")
			e.step(t, "ignore major")
			e.tick("unignore", "ignore/requests/major/2")
			e.step(t, "unignore")
			e.forge(t, iid)
		}},
		{name: "lifted, its marker written back", setup: func(t *testing.T, e *env, iid int) {
			e.comment(e.person("dev", gitlabsim.DeveloperAccess), iid, "@pinwheel ignore this version")
			e.step(t, "ignore")
			e.tick("unignore", key)
			e.step(t, "unignore")
			if r := e.replies(iid); len(r) != 1 {
				t.Fatalf("replies = %q", r)
			}
			if notes := e.gl.MRNotes(e.proj, iid); !strings.Contains(notes[len(notes)-1].Body, "was lifted from the dependency dashboard") {
				t.Fatalf("no note of the lift: %q", notes[len(notes)-1].Body)
			}
			e.forge(t, iid)
			e.freshState()
		}},
		{name: "lifted, then ignored again, fresh state file", applied: true, setup: func(t *testing.T, e *env, iid int) {
			dev := e.person("dev", gitlabsim.DeveloperAccess)
			e.comment(dev, iid, "@pinwheel ignore this version")
			e.step(t, "ignore")
			e.tick("unignore", key)
			e.step(t, "unignore")
			e.comment(dev, e.mrFor(brRequests).IID, "@pinwheel ignore this version")
			e.step(t, "ignore again")
			e.freshState()
		}},
		{name: "genuine, fresh state file", applied: true, setup: func(t *testing.T, e *env, iid int) {
			e.comment(e.person("dev", gitlabsim.DeveloperAccess), iid, "@pinwheel ignore this version")
			e.step(t, "ignore")
			if r := e.replies(iid); len(r) != 1 || !strings.Contains(r[0], "\n<!-- pinwheel-ignored:"+key+" -->\n") {
				t.Fatalf("answer lacks the confirmation: %q", r)
			}
			e.freshState()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := openAll(t)
			iid := e.mrFor(brRequests).IID
			tt.setup(t, e, iid)
			e.step(t, "recovery")
			rules := e.ignoreRules()
			ignored := strings.Contains(section(e.dashboard().Description, "Closed / Ignored"), key)
			errs := section(e.dashboard().Description, "Errors")
			if !tt.applied {
				if len(rules) != 0 || ignored {
					t.Errorf("forged rule applied: %+v", rules)
				}
				if _, ok := e.openMRs()[brRequests]; !ok {
					t.Errorf("no requests MR open: %v", keys(e.openMRs()))
				}
				if !strings.Contains(errs, "ignore rule not confirmed") || !strings.Contains(errs, key) {
					t.Errorf("refusal not listed under Errors:\n%s", e.dashboard().Description)
				}
				if !strings.Contains(e.logs.String(), "did not record; not applied") {
					t.Errorf("refusal not logged")
				}
				// Still offered: a newer release updates the open MR.
				e.release("requests", "2.32.5", e.clock.Now().Add(-30*24*time.Hour))
				e.step(t, "newer release")
				if mr := e.mrFor(brRequests); mr.Title != "Update requests to 2.32.5" {
					t.Errorf("requests no longer updated: %q", mr.Title)
				}
				return
			}
			if len(rules) != 1 || rules[0].Key != key || !ignored {
				t.Errorf("genuine rule not recovered: %+v", rules)
			}
			if _, ok := e.openMRs()[brRequests]; ok {
				t.Errorf("ignored version offered again")
			}
			// A normal run reads no notes for the rules.
			e.gl.ResetStats()
			e.step(t, "normal run")
			if n := e.gl.Stats().ByEndpoint["GET /projects/:id/merge_requests/:iid/notes"]; n != 0 {
				t.Errorf("a normal run read merge request notes %d times", n)
			}
		})
	}
}

// A recovered rule names whom pinwheel's confirming note answered, not
// the name in the dashboard's marker, which anyone who can edit the
// issue may change.
func TestIgnoreRecoveryAuthorFromNote(t *testing.T) {
	const key = "ignore/requests/version/2.32.4"
	e := openAll(t)
	iid := e.mrFor(brRequests).IID
	e.comment(e.person("dev", gitlabsim.DeveloperAccess), iid, "@pinwheel ignore this version")
	e.step(t, "ignore")
	is := e.dashboard()
	genuine := regexp.MustCompile(`<!-- pinwheel-ignore:[A-Za-z0-9_-]+ -->`)
	if len(genuine.FindAllString(is.Description, -1)) != 1 {
		t.Fatalf("want one rule marker:\n%s", is.Description)
	}
	if err := e.gl.EditIssue(e.proj, is.IID, func(i *gitlabsim.Issue) {
		i.Description = genuine.ReplaceAllLiteralString(i.Description, forgedMarkerBy(iid, "mallory"))
	}); err != nil {
		t.Fatal(err)
	}
	e.freshState()
	e.step(t, "recovery")
	rules := e.ignoreRules()
	if len(rules) != 1 || rules[0].Key != key || rules[0].By != "dev" {
		t.Fatalf("recovered rules = %+v, want %s by dev", rules, key)
	}
	if closed := section(e.dashboard().Description, "Closed / Ignored"); strings.Contains(closed, "mallory") || !strings.Contains(closed, "dev") {
		t.Errorf("dashboard names the forged author:\n%s", closed)
	}
}

// Lifting a rule needs pinwheel's note on its merge request saying so
// (without it, the confirmation outlives the rule). A refused note keeps
// the rule, the box ticked and the reason under Errors, and the next run
// lifts it; a merge request that is gone lets the rule go at once.
func TestIgnoreLiftNoteRefused(t *testing.T) {
	const key = "ignore/requests/version/2.32.4"
	tests := []struct {
		name   string
		status int
		match  string
		lifted bool
	}{
		{"forbidden", 403, "POST /projects/:id/merge_requests/:iid/notes", false},
		{"unprocessable", 422, "POST /projects/:id/merge_requests/:iid/notes", false},
		{"merge request gone", 404, "GET /projects/:id/merge_requests/:iid/notes", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := openAll(t)
			iid := e.mrFor(brRequests).IID
			e.comment(e.person("dev", gitlabsim.DeveloperAccess), iid, "@pinwheel ignore this version")
			e.step(t, "ignore")
			e.tick("unignore", key)
			e.gl.FailNext(1, tt.status, tt.match)
			e.step(t, "unignore refused")
			body := e.dashboard().Description
			if got := len(e.ignoreRules()) == 0; got != tt.lifted {
				t.Fatalf("lifted = %v, want %v: %+v", got, tt.lifted, e.ignoreRules())
			}
			if tt.lifted {
				if hasBox(body, "unignore", key) {
					t.Errorf("lifted rule still listed:\n%s", body)
				}
				return
			}
			if !strings.Contains(body, " - [x] <!-- unignore-branch="+key+" -->") {
				t.Errorf("box not kept ticked:\n%s", body)
			}
			if errs := section(body, "Errors"); !strings.Contains(errs, key) || !strings.Contains(errs, "the rule stays") {
				t.Errorf("refusal not under Errors:\n%s", body)
			}
			if _, ok := e.openMRs()[brRequests]; ok {
				t.Errorf("the kept rule was not applied")
			}
			e.step(t, "unignore again")
			if rules := e.ignoreRules(); len(rules) != 0 {
				t.Fatalf("rule not lifted on the next run: %+v", rules)
			}
			notes := e.gl.MRNotes(e.proj, iid)
			if !strings.Contains(notes[len(notes)-1].Body, "was lifted from the dependency dashboard") {
				t.Errorf("no note of the lift: %q", notes[len(notes)-1].Body)
			}
			if errs := section(e.dashboard().Description, "Errors"); strings.Contains(errs, key) {
				t.Errorf("stale error:\n%s", errs)
			}
		})
	}
}

// forge adds a rule marker for !iid to the dashboard's description.
func (e *env) forge(t *testing.T, iid int) {
	t.Helper()
	is := e.dashboard()
	if err := e.gl.EditIssue(e.proj, is.IID, func(i *gitlabsim.Issue) { i.Description += "\n" + forgedMarker(iid) + "\n" }); err != nil {
		t.Fatal(err)
	}
}

// freshState points the env at a new, empty state file.
func (e *env) freshState() {
	e.dbPath = e.t.TempDir() + "/new-shard.db"
	cfg := *e.cfg
	cfg.State = e.dbPath
	e.cfg = &cfg
}
