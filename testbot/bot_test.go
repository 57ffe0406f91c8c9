package testbot_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/pinwheel-dev/pinwheel/daemon"
	"github.com/pinwheel-dev/pinwheel/gitlabsim"
	"github.com/pinwheel-dev/pinwheel/state"
)

// A comment triggers exactly one pipeline with the MR's commit, and the
// result lands in the same note; with a trigger token and with the API.
func TestCommentTriggersOnePipeline(t *testing.T) {
	for _, withToken := range []bool{true, false} {
		t.Run(fmt.Sprintf("token=%v", withToken), func(t *testing.T) {
			f := newFixture(t)
			b := f.newBot(t, withToken, nil)
			ev := f.comment(t, f.dev, "@pinwheel test [foo=bar] [msg=a b]")
			if err := f.handle(t, b, ev); err != nil {
				t.Fatal(err)
			}
			pls := f.pipelines()
			if len(pls) != 1 {
				t.Fatalf("%d pipelines; want 1", len(pls))
			}
			pl := pls[0]
			wantSource := map[bool]string{true: "trigger", false: "api"}[withToken]
			if pl.Source != wantSource || pl.Ref != "main" {
				t.Errorf("pipeline source %q ref %q; want %q main", pl.Source, pl.Ref, wantSource)
			}
			id := fmt.Sprintf("%d!1#%d", f.lib.ID, ev.NoteID)
			want := map[string]string{
				"cki_lib_pip_url":            "git+" + f.sim.URL() + "/group/cki-lib.git@" + f.mrSHA,
				"CKI_DEPLOYMENT_ENVIRONMENT": "retrigger",
				"foo":                        "bar",
				"msg":                        "a b",
				"PINWHEEL_TEST":              id,
			}
			if got := f.vars(pl.ID); !reflect.DeepEqual(got, want) {
				t.Errorf("variables = %v\nwant %v", got, want)
			}
			notes := f.botNotes()
			if len(notes) != 1 {
				t.Fatalf("%d replies; want 1", len(notes))
			}
			url := fmt.Sprintf("%s/group/pipeline-definition/-/pipelines/%d", f.sim.URL(), pl.ID)
			for _, s := range []string{"@dev ", fmt.Sprintf("[#%d](%s)", pl.ID, url), "is pending", "| `foo` | `bar` |", "`cki_lib_pip_url`"} {
				if !strings.Contains(notes[0].Body, s) {
					t.Errorf("reply lacks %q:\n%s", s, notes[0].Body)
				}
			}

			// Nothing changes while the pipeline runs.
			f.poll(t, b)
			if n := f.botNotes(); len(n) != 1 || n[0].Body != notes[0].Body {
				t.Errorf("a poll with no change touched the reply")
			}
			f.sim.SetPipelineStatusByID(f.pipe, pl.ID, "failed")
			f.poll(t, b)
			after := f.botNotes()
			if len(after) != 1 || after[0].ID != notes[0].ID {
				t.Fatalf("replies after the result = %d; want the same one note", len(after))
			}
			if !strings.Contains(after[0].Body, "**failed**") || !strings.Contains(after[0].Body, url) {
				t.Errorf("edited reply:\n%s", after[0].Body)
			}
			if got := counter(t, f.metrics, "pinwheel_bot_triggers_total", "failed"); got != 1 {
				t.Errorf("triggers{failed} = %v", got)
			}
			// Finished: later polls leave it alone.
			f.poll(t, b)
			if len(f.pipelines()) != 1 || f.botNotes()[0].Body != after[0].Body {
				t.Errorf("a poll after the end changed something")
			}
		})
	}
}

// A second command for the same commit and variables while the first
// pipeline runs links to it, also across a restart; once it finished a
// new one may start.
func TestDuplicateCommand(t *testing.T) {
	f := newFixture(t)
	b := f.newBot(t, true, nil)
	if err := f.handle(t, b, f.comment(t, f.dev, "@pinwheel test [a=1]")); err != nil {
		t.Fatal(err)
	}
	if err := f.handle(t, b, f.comment(t, f.dev, "@pinwheel test [a=1]")); err != nil {
		t.Fatal(err)
	}
	pl := f.pipelines()[0]
	f.restart(t)
	b = f.newBot(t, true, nil)
	ev := f.comment(t, f.dev, "@PINWHEEL test [a=1]")
	if err := f.handle(t, b, ev); err != nil {
		t.Fatal(err)
	}
	// The same webhook delivered again is one command.
	if err := f.handle(t, b, ev); err != nil {
		t.Fatal(err)
	}
	if n := len(f.pipelines()); n != 1 {
		t.Fatalf("%d pipelines; want 1", n)
	}
	notes := f.botNotes()
	if len(notes) != 3 {
		t.Fatalf("%d replies; want the test's and two duplicates'", len(notes))
	}
	for _, n := range notes[1:] {
		if !strings.Contains(n.Body, "runs already") || !strings.Contains(n.Body, fmt.Sprintf("/-/pipelines/%d)", pl.ID)) {
			t.Errorf("duplicate reply:\n%s", n.Body)
		}
	}
	// Other variables are another test.
	if err := f.handle(t, b, f.comment(t, f.dev, "@pinwheel test [a=2]")); err != nil {
		t.Fatal(err)
	}
	f.sim.SetPipelineStatusByID(f.pipe, pl.ID, "success")
	f.poll(t, b)
	if err := f.handle(t, b, f.comment(t, f.dev, "@pinwheel test [a=1]")); err != nil {
		t.Fatal(err)
	}
	if n := len(f.pipelines()); n != 3 {
		t.Errorf("%d pipelines; want 3 (a=1, a=2, a=1 again after the first finished)", n)
	}
	if got := counter(t, f.metrics, "pinwheel_bot_refusals_total", "duplicate"); got != 2 {
		t.Errorf("refusals{duplicate} = %v; want 2", got)
	}
}

// A trigger whose answer is lost (GitLab created the pipeline, then the
// proxy answered 502) is found after a restart, not triggered again; the
// same for a reply whose answer is lost.
func TestLostAnswersAcrossRestart(t *testing.T) {
	f := newFixture(t)
	b := f.newBot(t, true, nil)
	f.sim.Inject(gitlabsim.Fault{Status: 502, Match: "POST /projects/:id/trigger/pipeline", AfterServing: true})
	if err := f.handle(t, b, f.comment(t, f.dev, "@pinwheel test")); err == nil {
		t.Fatal("no error for a lost trigger answer")
	}
	if n := len(f.pipelines()); n != 1 {
		t.Fatalf("%d pipelines after the lost answer; want 1", n)
	}
	f.restart(t)
	b = f.newBot(t, true, nil)
	f.sim.Inject(gitlabsim.Fault{Status: 502, Match: "POST /projects/:id/merge_requests/:iid/notes", AfterServing: true})
	if err := b.Poll(t.Context()); err == nil {
		t.Fatal("no error for a lost reply answer")
	}
	f.restart(t)
	b = f.newBot(t, true, nil)
	f.poll(t, b)
	if n := len(f.pipelines()); n != 1 {
		t.Errorf("%d pipelines after the restarts; want 1", n)
	}
	notes := f.botNotes()
	if len(notes) != 1 || !strings.Contains(notes[0].Body, fmt.Sprintf("#%d", f.pipelines()[0].ID)) {
		t.Fatalf("replies = %+v; want one linking the pipeline", notes)
	}
	f.sim.SetPipelineStatusByID(f.pipe, f.pipelines()[0].ID, "canceled")
	f.poll(t, b)
	if n := f.botNotes(); len(n) != 1 || !strings.Contains(n[0].Body, "**was canceled**") {
		t.Errorf("reply after cancel:\n%v", n)
	}
}

// A crash after the intent was recorded but before the trigger was sent
// triggers once on restart.
func TestIntentWithoutTrigger(t *testing.T) {
	f := newFixture(t)
	b := f.newBot(t, true, nil)
	f.sim.Inject(gitlabsim.Fault{Status: 503, Match: "POST /projects/:id/trigger/pipeline"})
	if err := f.handle(t, b, f.comment(t, f.dev, "@pinwheel test")); err == nil {
		t.Fatal("no error for a 503 trigger")
	}
	if n := len(f.pipelines()); n != 0 {
		t.Fatalf("%d pipelines; want 0", n)
	}
	f.poll(t, b)
	f.poll(t, b)
	if n := len(f.pipelines()); n != 1 {
		t.Errorf("%d pipelines after the polls; want 1", n)
	}
}

func TestRefusals(t *testing.T) {
	tests := []struct {
		name   string
		author func(f *fixture) gitlabsim.User
		body   string
		reply  string
		reason string
	}{
		{"reporter", func(f *fixture) gitlabsim.User { return f.rep }, "@pinwheel test", "only Developers (or higher) of `group/cki-lib` may start them; you are Reporter", "permission"},
		{"not a member", func(f *fixture) gitlabsim.User { u, _ := f.sim.AddUser("stranger"); return u }, "@pinwheel test", "you are not a member", "permission"},
		{"bad key", func(f *fixture) gitlabsim.User { return f.dev }, "@pinwheel test [ok=1] [1x=2]", "`[1x=2]` the key must be letters", "malformed"},
		{"no pair", func(f *fixture) gitlabsim.User { return f.dev }, "@pinwheel test now", "`now` is not a \\[key=value\\] pair", "malformed"},
		{"configured variable", func(f *fixture) gitlabsim.User { return f.dev }, "@pinwheel test [CKI_DEPLOYMENT_ENVIRONMENT=production]", "`CKI_DEPLOYMENT_ENVIRONMENT` is set by pinwheel", "malformed"},
		{"pip url", func(f *fixture) gitlabsim.User { return f.dev }, "@pinwheel test [cki_lib_pip_url=git+https://evil.example/x.git]", "`cki_lib_pip_url` is set by pinwheel", "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			b := f.newBot(t, true, nil)
			ev := f.comment(t, tt.author(f), tt.body)
			if err := f.handle(t, b, ev); err != nil {
				t.Fatal(err)
			}
			if err := f.handle(t, b, ev); err != nil { // delivered twice: answered once
				t.Fatal(err)
			}
			if n := len(f.pipelines()); n != 0 {
				t.Errorf("%d pipelines; want none", n)
			}
			notes := f.botNotes()
			if len(notes) != 1 || !strings.Contains(notes[0].Body, tt.reply) || !strings.Contains(notes[0].Body, "nothing was started") {
				t.Fatalf("replies = %+v; want one saying %q", notes, tt.reply)
			}
			if got := counter(t, f.metrics, "pinwheel_bot_refusals_total", tt.reason); got != 1 {
				t.Errorf("refusals{%s} = %v", tt.reason, got)
			}
		})
	}
}

// Comments that are not commands for the bot start nothing and get no
// answer: HandleNote does not even queue those it can tell from the hook,
// and HandleCommand, reading the note from the API, drops the rest.
func TestIgnored(t *testing.T) {
	f := newFixture(t)
	b := f.newBot(t, true, nil)
	hook := func(edit func(*daemon.NoteEvent)) daemon.NoteEvent {
		ev := f.comment(t, f.dev, "@pinwheel test")
		edit(&ev)
		return ev
	}
	for name, ev := range map[string]daemon.NoteEvent{
		"system note":        hook(func(ev *daemon.NoteEvent) { ev.System = true }),
		"issue comment":      hook(func(ev *daemon.NoteEvent) { ev.NoteableType, ev.MRIID = "Issue", 0 }),
		"project not listed": hook(func(ev *daemon.NoteEvent) { ev.ProjectPath, ev.ProjectID = "group/other", 999 }),
		"edited comment":     hook(func(ev *daemon.NoteEvent) { ev.Action = "update" }),
		"no mention":         f.comment(t, f.dev, "LGTM"),
	} {
		if b.HandleNote(ev) {
			t.Errorf("%s: queued", name)
		}
	}
	for name, ev := range map[string]daemon.NoteEvent{
		"pinwheel's own note": f.comment(t, f.botUser, "@pinwheel test"),
		"another bot's name":  f.comment(t, f.dev, "@otherbot test"),
		"mention, no command": f.comment(t, f.dev, "@pinwheel thanks"),
		// The hook says "@pinwheel test"; the note, read from the API, does not.
		"forged text": func() daemon.NoteEvent { ev := f.comment(t, f.dev, "nice"); ev.Note = "@pinwheel test"; return ev }(),
	} {
		if err := f.handle(t, b, ev); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if n := len(f.pipelines()); n != 0 {
		t.Errorf("%d pipelines; want none", n)
	}
	if n := len(f.botNotes()); n != 1 { // the one posted as pinwheel above
		t.Errorf("%d bot notes; want only the one posted as pinwheel", n)
	}
}

// A fork's merge request is tested from the fork.
func TestForkMR(t *testing.T) {
	f := newFixture(t)
	fork := f.sim.ForkProject(f.lib, "dev/cki-lib")
	sha := f.sim.Commit(fork, "idea", "Idea", map[string]string{"cki_lib/y.py": "new"})
	iid, err := f.sim.OpenMR(f.lib, fork, "idea", "main", "Idea", f.dev)
	if err != nil {
		t.Fatal(err)
	}
	b := f.newBot(t, false, nil)
	id, _ := f.sim.PostMRNote(f.lib, iid, f.dev, "@pinwheel test")
	ev := f.comment(t, f.dev, "x") // shape only
	ev.MRIID, ev.NoteID = int64(iid), int64(id)
	if err := f.handle(t, b, ev); err != nil {
		t.Fatal(err)
	}
	pls := f.pipelines()
	if len(pls) != 1 {
		t.Fatalf("%d pipelines", len(pls))
	}
	if got, want := f.vars(pls[0].ID)["cki_lib_pip_url"], "git+"+f.sim.URL()+"/dev/cki-lib.git@"+sha; got != want {
		t.Errorf("pip url = %q; want the fork's %q", got, want)
	}
}

// A project that restricts pipeline variables gets a reply saying so.
func TestRestrictedVariables(t *testing.T) {
	for _, withToken := range []bool{true, false} {
		t.Run(fmt.Sprintf("token=%v", withToken), func(t *testing.T) {
			f := newFixture(t)
			f.sim.UpdateProject(f.pipe, func(p *gitlabsim.Project) { p.PipelineVariablesMinimumOverrideRole = "no_one_allowed" })
			b := f.newBot(t, withToken, nil)
			if err := f.handle(t, b, f.comment(t, f.dev, "@pinwheel test")); err != nil {
				t.Fatal(err)
			}
			if n := len(f.pipelines()); n != 0 {
				t.Errorf("%d pipelines", n)
			}
			notes := f.botNotes()
			if len(notes) != 1 || !strings.Contains(notes[0].Body, "restricts pipeline variables") || !strings.Contains(notes[0].Body, "no\\_one\\_allowed") {
				t.Fatalf("replies = %+v", notes)
			}
			if got := counter(t, f.metrics, "pinwheel_bot_triggers_total", "error"); got != 1 {
				t.Errorf("triggers{error} = %v", got)
			}
			recs, _ := f.db.BotTests()
			if len(recs) != 1 || recs[0].Phase != state.BotDone {
				t.Errorf("records = %+v", recs)
			}
			f.poll(t, b)
			if n := len(f.botNotes()); n != 1 {
				t.Errorf("a poll after the failure posted again")
			}
		})
	}
}

// A wrong trigger token is answered, and the token is not echoed.
func TestWrongTriggerToken(t *testing.T) {
	f := newFixture(t)
	other := f.sim.CreateProject("group/other", "main")
	f.sim.Commit(other, "main", "init", map[string]string{"a": "b"})
	f.triggerToken = f.sim.AddPipelineTrigger(other, f.botUser) // another project's
	b := f.newBot(t, true, nil)
	if err := f.handle(t, b, f.comment(t, f.dev, "@pinwheel test")); err != nil {
		t.Fatal(err)
	}
	notes := f.botNotes()
	if len(notes) != 1 || !strings.Contains(notes[0].Body, "does not know the trigger token") {
		t.Fatalf("replies = %+v", notes)
	}
}

// A comment that arrives while GitLab fails is not lost: the record made
// before the first call brings it back at the next poll, once.
func TestCommandRetriedAfterOutage(t *testing.T) {
	f := newFixture(t)
	b := f.newBot(t, true, nil)
	f.sim.Inject(gitlabsim.Fault{Status: 503, Match: "GET /projects/:id/merge_requests/:iid/notes/:note_id", Times: 6})
	ev := f.comment(t, f.dev, "@pinwheel test")
	if err := f.handle(t, b, ev); err == nil {
		t.Fatal("no error while GitLab fails")
	}
	if n := len(f.pipelines()); n != 0 {
		t.Fatalf("%d pipelines during the outage", n)
	}
	f.restart(t)
	b = f.newBot(t, true, nil)
	f.poll(t, b)
	f.poll(t, b)
	if err := f.handle(t, b, ev); err != nil { // a late redelivery
		t.Fatal(err)
	}
	if n := len(f.pipelines()); n != 1 {
		t.Errorf("%d pipelines after the outage; want 1", n)
	}
	if n := len(f.botNotes()); n != 1 {
		t.Errorf("%d replies; want 1", n)
	}
}

// A comment queued when the daemon stopped is decided by the next start.
func TestQueuedCommandSurvivesRestart(t *testing.T) {
	f := newFixture(t)
	b := f.newBot(t, true, nil)
	ev := f.comment(t, f.dev, "@pinwheel test")
	if !b.HandleNote(ev) {
		t.Fatal("not queued")
	}
	f.restart(t) // the queue is gone with the process
	b = f.newBot(t, true, nil)
	f.poll(t, b)
	if n := len(f.pipelines()); n != 1 {
		t.Fatalf("%d pipelines; want 1", n)
	}
	if b.HandleNote(ev) {
		t.Error("a delivery of a handled comment was queued again")
	}
	f.poll(t, b)
	if n := len(f.pipelines()); n != 1 || len(f.botNotes()) != 1 {
		t.Errorf("%d pipelines, %d replies; want 1 and 1", n, len(f.botNotes()))
	}
}
