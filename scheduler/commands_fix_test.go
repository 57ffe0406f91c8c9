package scheduler_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/gitlabsim"
	"github.com/pinwheel-dev/pinwheel/scheduler"
	"github.com/pinwheel-dev/pinwheel/state"
)

// A command on a project the Runner found by autodiscovery (not in the
// config's projects) is taken and answered.
func TestCommandOnAutodiscoveredProject(t *testing.T) {
	e := openAll(t)
	found := e.cfg.Projects[0]
	cfg := *e.cfg
	other := found
	other.Path = "group/configured-elsewhere"
	cfg.Projects = []config.Project{other}
	e.cfg = &cfg
	e.adjust = func(r *scheduler.Runner) { r.SetProjects([]config.Project{found}) }
	dev := e.person("dev", gitlabsim.DeveloperAccess)
	iid := e.mrFor(brRequests).IID
	if _, code := e.comment(dev, iid, "@pinwheel ignore this version"); code != http.StatusAccepted {
		t.Fatalf("webhook answered %d, want 202", code)
	}
	e.step(t, "command")
	if got := e.replies(iid); len(got) != 1 || !strings.Contains(got[0], "version 2.32.4") {
		t.Fatalf("replies = %q", got)
	}
}

// A rebase whose rebuild fails is not answered until a run has rebuilt
// the branch: the command stays pending, the next run carries it out and
// answers it once.
func TestCommandRebaseAnsweredAfterRebuild(t *testing.T) {
	e := openAll(t)
	dev := e.person("dev", gitlabsim.DeveloperAccess)
	iid := e.mrFor(brRequests).IID
	e.gl.Commit(e.proj, "main", "Docs", map[string]string{"README": "new\n"})
	e.comment(dev, iid, "@pinwheel rebase")
	e.hook = func(r *http.Request) error {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/repository/commits") {
			return errors.New("connection refused")
		}
		return nil
	}
	e.clock.Add(time.Hour)
	e.run()
	if got := e.replies(iid); len(got) != 0 {
		t.Fatalf("answered before the branch was rebuilt: %q", got)
	}
	e.hook = nil
	e.step(t, "healthy")
	e.step(t, "healthy again")
	main, _ := e.gl.Branch(e.proj, "main")
	head, _ := e.gl.Branch(e.proj, brRequests)
	if c := e.commit(head); len(c.Parents) != 1 || c.Parents[0] != main {
		t.Errorf("branch not rebuilt on main %s: parents %v", main, c.Parents)
	}
	if got := e.replies(iid); len(got) != 1 || !strings.Contains(got[0], "rebuilt this merge request on the current `main`") {
		t.Errorf("replies = %q, want one after the rebuild", got)
	}
}

// An ignore rule survives a new state file (another shard, a lost
// volume): the run reads it back from the dashboard, opens no merge
// request for the ignored version, keeps listing the rule, and its box
// still lifts it.
func TestIgnoreRuleRecoveredFromDashboard(t *testing.T) {
	e := openAll(t)
	dev := e.person("dev", gitlabsim.DeveloperAccess)
	iid := e.mrFor(brRequests).IID
	e.comment(dev, iid, "@pinwheel ignore this version")
	e.step(t, "ignore")
	e.dbPath = t.TempDir() + "/new-shard.db"
	cfg := *e.cfg
	cfg.State = e.dbPath
	e.cfg = &cfg
	e.clock.Add(7 * 24 * time.Hour)
	e.step(t, "new state file")
	if mr, ok := e.openMRs()[brRequests]; ok {
		t.Fatalf("ignored version offered again with a new state file: !%d %q", mr.IID, mr.Title)
	}
	e.wantIgnored(t, iid, "ignore/requests/version/2.32.4")
	e.tick("unignore", "ignore/requests/version/2.32.4")
	e.step(t, "unignore ticked")
	if mr, ok := e.openMRs()[brRequests]; !ok || mr.Title != "Update requests to 2.32.4" {
		t.Errorf("after unignore, no MR for 2.32.4: %v", e.openMRs())
	}
	e.step(t, "after unignore")
	if len(e.ignoreRules()) != 0 || strings.Contains(e.dashboard().Description, "pinwheel-ignore:") {
		t.Errorf("lifted rule came back: %+v", e.ignoreRules())
	}
}

// A command whose webhook never came (daemon down, hook disabled) is
// found by the next run through the merge request listing it does
// anyway, carried out and answered once; a run with nothing changed
// reads no notes.
func TestCommandCaughtUpWithoutWebhook(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		// runs until the command is carried out
		runs  int
		check func(t *testing.T, e *env, iid int)
	}{
		{"rebase", "@pinwheel rebase", 1, func(t *testing.T, e *env, iid int) {
			main, _ := e.gl.Branch(e.proj, "main")
			head, _ := e.gl.Branch(e.proj, brRequests)
			if c := e.commit(head); len(c.Parents) != 1 || c.Parents[0] != main {
				t.Errorf("branch not rebuilt on main %s: parents %v", main, c.Parents)
			}
		}},
		{"ignore, carried out by the run after", "@pinwheel ignore this version", 2, func(t *testing.T, e *env, iid int) {
			e.wantIgnored(t, iid, "ignore/requests/version/2.32.4")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := openAll(t)
			e.step(t, "settled")
			dev := e.person("dev", gitlabsim.DeveloperAccess)
			iid := e.mrFor(brRequests).IID
			e.gl.Commit(e.proj, "main", "Docs", map[string]string{"README": "new\n"})
			e.clock.Add(time.Minute)
			if _, ok := e.gl.PostMRNote(e.proj, iid, dev, tc.body); !ok {
				t.Fatal("no MR")
			}
			e.clock.Add(time.Hour)
			for i := 0; i < tc.runs; i++ {
				e.step(t, fmt.Sprintf("catch-up run %d", i+1))
			}
			got := e.replies(iid)
			if len(got) != 1 || !strings.HasPrefix(got[0], "@dev ") {
				t.Fatalf("replies = %q, want one", got)
			}
			tc.check(t, e, iid)
			e.clock.Add(time.Hour)
			e.step(t, "after")
			e.clock.Add(time.Hour)
			notes := e.countNoteReads()
			e.step(t, "nothing changed")
			if *notes != 0 {
				t.Errorf("a run with nothing changed read MR notes %d times", *notes)
			}
			if got := e.replies(iid); len(got) != 1 {
				t.Errorf("replies = %q, want still one", got)
			}
		})
	}
}

// Ignore commands on a group merge request: a named member is left out
// and the group rebuilt without it; "ignore this major" covers every
// member and closes it; "ignore this version" without a name says how to
// name one and changes nothing.
func TestIgnoreOnGroupMR(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		reply      string
		keys       []string
		closed     bool
		rows       int
	}{
		{"named member", "@pinwheel ignore this version urllib3", "rebuilds this group's merge request without it",
			[]string{"ignore/urllib3/version/2.2.3"}, false, 2},
		{"named dependency", "@pinwheel ignore this dependency IDNA", "rebuilds",
			[]string{"ignore/idna/dependency"}, false, 2},
		{"every member", "@pinwheel ignore this major", "closes this merge request",
			[]string{"ignore/idna/major/3", "ignore/requests/major/2", "ignore/urllib3/major/2"}, true, 0},
		{"no name", "@pinwheel ignore this version", "name the one to ignore: `@pinwheel ignore this version <package>`", nil, false, 3},
		{"not a member", "@pinwheel ignore this version six", "`six` is not in this group", nil, false, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := groupEnv(t)
			e.mustRun()
			dev := e.person("dev", gitlabsim.DeveloperAccess)
			iid := e.mrFor(brWeb).IID
			e.comment(dev, iid, tc.body)
			e.step(t, "command")
			got := e.replies(iid)
			if len(got) != 1 || !strings.Contains(got[0], tc.reply) {
				t.Fatalf("replies = %q, want one with %q", got, tc.reply)
			}
			var keys []string
			for _, r := range e.ignoreRules() {
				keys = append(keys, r.Key)
			}
			if strings.Join(keys, " ") != strings.Join(tc.keys, " ") {
				t.Errorf("rules = %v, want %v", keys, tc.keys)
			}
			mr, open := e.openMRs()[brWeb]
			if open == tc.closed {
				t.Fatalf("group MR open = %v, want %v", open, !tc.closed)
			}
			if open && (mr.IID != iid || tableRows(mr.Description) != tc.rows) {
				t.Errorf("group MR !%d with %d rows, want !%d with %d:\n%s", mr.IID, tableRows(mr.Description), iid, tc.rows, mr.Description)
			}
			e.step(t, "again")
			if got := e.replies(iid); len(got) != 1 {
				t.Errorf("replies = %q", got)
			}
			if _, open := e.openMRs()[brWeb]; open == tc.closed {
				t.Errorf("after another run, group MR open = %v", open)
			}
		})
	}
}

// A rule on an epoch version gets a key its unignore box can carry, and
// ticking it lifts the rule.
func TestIgnoreEpochVersionLiftable(t *testing.T) {
	e := newEnv(t, unlimited)
	e.release("six", "1!1.0", released)
	e.clock.Set(saturday)
	e.mustRun()
	const branch, key = "pinwheel/six-1-1.x", "ignore/six/version/1_epoch_1.0"
	dev := e.person("dev", gitlabsim.DeveloperAccess)
	iid := e.mrFor(branch).IID
	e.comment(dev, iid, "@pinwheel ignore this version")
	e.step(t, "ignore")
	if rules := e.ignoreRules(); len(rules) != 1 || rules[0].Key != key || rules[0].Value != "1!1.0" {
		t.Fatalf("rules = %+v, want %s", rules, key)
	}
	e.tick("unignore", key)
	e.step(t, "unignore ticked")
	if len(e.ignoreRules()) != 0 {
		t.Errorf("rule not lifted: %+v", e.ignoreRules())
	}
	if mr, ok := e.openMRs()[branch]; !ok || mr.Title != "Update six to 1!1.0" {
		t.Errorf("after unignore, no MR for 1!1.0: %v", e.openMRs())
	}
}

// A rule stored under an old key without a box is given its new key.
func TestIgnoreOldKeyRekeyed(t *testing.T) {
	e := openAll(t)
	db, err := state.Open(e.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	err = db.PutIgnore(project, state.IgnoreRule{Key: "ignore/six/version/1!1.0", Package: "six", Scope: "version", Value: "1!1.0", By: "dev"})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	e.step(t, "rekey")
	if rules := e.ignoreRules(); len(rules) != 1 || rules[0].Key != "ignore/six/version/1_epoch_1.0" {
		t.Fatalf("rules = %+v", rules)
	}
	if !hasBox(section(e.dashboard().Description, "Closed / Ignored"), "unignore", "ignore/six/version/1_epoch_1.0") {
		t.Errorf("no unignore box:\n%s", e.dashboard().Description)
	}
}

// Before any run learnt pinwheel's username, a webhook takes only known
// commands, not every mention; once a run learnt it (state file), only
// notes addressed to pinwheel.
func TestHandleNoteBeforeUsernameKnown(t *testing.T) {
	for _, tc := range []struct {
		name   string
		learnt bool
		body   string
		taken  bool
	}{
		{"unknown name, a mention", false, "@alice please have a look", false},
		{"unknown name, a command", false, "@pinwheel rebase", true},
		{"learnt, another user", true, "@alice rebase", false},
		{"learnt, help", true, "@pinwheel merge it", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, unlimited)
			e.clock.Set(saturday)
			if tc.learnt {
				e.mustRun()
			} else {
				// Open the MR with another state file: this one learns
				// nothing.
				real := e.dbPath
				e.dbPath = t.TempDir() + "/other.db"
				e.mustRun()
				e.dbPath = real
			}
			dev := e.person("dev", gitlabsim.DeveloperAccess)
			_, code := e.comment(dev, e.mrFor(brRequests).IID, tc.body)
			if taken := code == http.StatusAccepted; taken != tc.taken {
				t.Errorf("webhook answered %d, taken = %v, want %v", code, taken, tc.taken)
			}
		})
	}
}

// pinwheel's own push and retitle move a merge request's updated_at but
// not its notes count, so the run after reads no notes; a command a
// developer posts in the same hour, its webhook lost, moves the count and
// is still found, whether it came before or after pinwheel's push.
func TestCommandCaughtUpBesidePinwheelPush(t *testing.T) {
	for _, tc := range []struct {
		name       string
		beforePush bool
	}{
		{"command after the push", false},
		{"command before the push", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := openAll(t)
			e.step(t, "settled")
			dev := e.person("dev", gitlabsim.DeveloperAccess)
			iid := e.mrFor(brRequests).IID
			notes := e.countNoteReads()
			e.release("requests", "2.32.5", e.clock.Now().AddDate(0, 0, -10))
			e.clock.Add(time.Minute)
			if tc.beforePush {
				if _, ok := e.gl.PostMRNote(e.proj, iid, dev, "@pinwheel rebase"); !ok {
					t.Fatal("no MR")
				}
				e.clock.Add(time.Minute)
			}
			e.step(t, "pinwheel pushes")
			if mr := e.mrFor(brRequests); !strings.Contains(mr.Title, "2.32.5") {
				t.Fatalf("title %q: pinwheel did not update the MR", mr.Title)
			}
			if !tc.beforePush {
				if *notes != 0 {
					t.Errorf("the run that pushed read MR notes %d times", *notes)
				}
				e.clock.Add(time.Minute)
				e.step(t, "after the own push")
				if *notes != 0 {
					t.Errorf("the run after pinwheel's own push read MR notes %d times", *notes)
				}
				e.clock.Add(time.Minute)
				if _, ok := e.gl.PostMRNote(e.proj, iid, dev, "@pinwheel rebase"); !ok {
					t.Fatal("no MR")
				}
				e.clock.Add(30 * time.Minute)
				e.step(t, "catch-up")
			}
			if got := e.replies(iid); len(got) != 1 || !strings.HasPrefix(got[0], "@dev ") {
				t.Fatalf("replies = %q, want one to @dev", got)
			}
			// pinwheel's answer is counted as its own: no re-read after.
			*notes = 0
			e.clock.Add(time.Minute)
			e.step(t, "after the answer")
			e.clock.Add(time.Minute)
			e.step(t, "nothing changed")
			if *notes != 0 {
				t.Errorf("a run after the answer read MR notes %d times", *notes)
			}
			if got := e.replies(iid); len(got) != 1 {
				t.Errorf("replies = %q, want still one", got)
			}
		})
	}
}
