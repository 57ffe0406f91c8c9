package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/pinwheel-dev/pinwheel/daemon"
	"github.com/pinwheel-dev/pinwheel/gitlabsim"
	"github.com/pinwheel-dev/pinwheel/internal/discard"
	"github.com/pinwheel-dev/pinwheel/metrics"
	"github.com/pinwheel-dev/pinwheel/state"
)

const hookSecret = "hook-secret"

// comment posts a comment on merge request iid as author, as a person
// does in the UI, and delivers its Note Hook to a daemon listener whose
// merge request commands are a runner over the state file; it returns the
// note and the listener's status. A run answers the command.
func (e *env) comment(author gitlabsim.User, iid int, body string) (int, int) {
	e.t.Helper()
	id, ok := e.gl.PostMRNote(e.proj, iid, author, body)
	if !ok {
		e.t.Fatalf("no MR !%d", iid)
	}
	return id, e.deliver(iid, id)
}

// deliver sends the Note Hook of note id on !iid (again).
func (e *env) deliver(iid, id int) int {
	e.t.Helper()
	hook, err := e.gl.MRNoteHook(e.proj, iid, id)
	if err != nil {
		e.t.Fatal(err)
	}
	r, db := e.runner(false)
	defer db.Close()
	loop, err := daemon.NewLoop(daemon.LoopConfig{
		Projects: []string{project}, Log: quietLog(),
		Run: func(context.Context, string) (daemon.Result, error) { return daemon.Result{}, nil },
	})
	if err != nil {
		e.t.Fatal(err)
	}
	srv := daemon.NewServer(daemon.ServerConfig{Loop: loop, WebhookSecret: hookSecret, Commands: r, Log: quietLog()})
	req := httptest.NewRequest(http.MethodPost, "/hooks/gitlab", strings.NewReader(string(hook)))
	req.Header.Set("X-Gitlab-Event", "Note Hook")
	req.Header.Set("X-Gitlab-Token", hookSecret)
	w := httptest.NewRecorder()
	srv.Handler().ServeHTTP(w, req)
	return w.Code
}

// replies returns pinwheel's answers to commands on !iid.
func (e *env) replies(iid int) []string {
	var out []string
	for _, n := range e.gl.MRNotes(e.proj, iid) {
		if n.AuthorID == e.bot.ID && strings.Contains(n.Body, "<!-- pinwheel-command:") {
			out = append(out, n.Body)
		}
	}
	return out
}

// person adds a user with access level on the project.
func (e *env) person(name string, level int) gitlabsim.User {
	u, _ := e.gl.AddUser(name)
	if level > 0 {
		e.gl.AddMember(e.proj, u, level)
	}
	return u
}

func (e *env) ignoreRules() []state.IgnoreRule {
	e.t.Helper()
	db, err := state.Open(e.dbPath)
	if err != nil {
		e.t.Fatal(err)
	}
	defer db.Close()
	rules, err := db.Ignores(project)
	if err != nil {
		e.t.Fatal(err)
	}
	return rules
}

// Every command on pinwheel's merge request, by a Developer: answered
// once, carried out in the run the webhook triggers, and a redelivered
// webhook or a second run does not do it again.
func TestCommands(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		// before runs before the comment, check after the run.
		before func(e *env)
		check  func(t *testing.T, e *env, iid int, reply string)
	}{
		{"rebase", "@pinwheel rebase", func(e *env) {
			e.gl.Commit(e.proj, "main", "Docs", map[string]string{"README": "new\n"})
		}, func(t *testing.T, e *env, iid int, reply string) {
			main, _ := e.gl.Branch(e.proj, "main")
			head, _ := e.gl.Branch(e.proj, brRequests)
			if c := e.commit(head); len(c.Parents) != 1 || c.Parents[0] != main {
				t.Errorf("branch not rebuilt on main %s: parents %v", main, c.Parents)
			}
			if !strings.Contains(reply, "rebuilt this merge request on the current `main`") || strings.Contains(reply, "already") {
				t.Errorf("reply %q", reply)
			}
		}},
		{"rebase with nothing to rebuild", "@pinwheel rebase", nil, func(t *testing.T, e *env, iid int, reply string) {
			main, _ := e.gl.Branch(e.proj, "main")
			head, _ := e.gl.Branch(e.proj, brRequests)
			if c := e.commit(head); len(c.Parents) != 1 || c.Parents[0] != main || !strings.HasPrefix(c.Message, "Update requests to 2.32.4") {
				t.Errorf("branch head %q on %v, want pinwheel's commit on main %s", c.Message, c.Parents, main)
			}
			if !strings.Contains(reply, "was already on the current `main`; there was nothing to rebuild") || strings.Contains(reply, "rebuilt this") {
				t.Errorf("reply %q", reply)
			}
		}},
		{"rebase refused on a pushed branch", "@pinwheel rebase", func(e *env) {
			e.gl.Commit(e.proj, brRequests, "Fix the tests", map[string]string{"tests.txt": "fixed\n"})
		}, func(t *testing.T, e *env, iid int, reply string) {
			head, _ := e.gl.Branch(e.proj, brRequests)
			if c := e.commit(head); c.Message != "Fix the tests" {
				t.Errorf("the person's commit was replaced by %q", c.Message)
			}
			if !strings.Contains(reply, "someone else pushed") || !strings.Contains(reply, "@pinwheel recreate") {
				t.Errorf("reply %q", reply)
			}
		}},
		{"recreate over a pushed branch", "@pinwheel recreate", func(e *env) {
			e.gl.Commit(e.proj, brRequests, "Fix the tests", map[string]string{"tests.txt": "fixed\n"})
		}, func(t *testing.T, e *env, iid int, reply string) {
			head, _ := e.gl.Branch(e.proj, brRequests)
			if c := e.commit(head); !strings.HasPrefix(c.Message, "Update requests to 2.32.4") {
				t.Errorf("branch head %q, want pinwheel's rebuilt commit", c.Message)
			}
			if !strings.Contains(reply, "recreated") {
				t.Errorf("reply %q", reply)
			}
		}},
		{"recreate a closed MR", "@pinwheel recreate", func(e *env) {
			if err := e.gl.CloseMR(e.proj, e.mrFor(brRequests).IID); err != nil {
				e.t.Fatal(err)
			}
			e.step(e.t.(*testing.T), "closed by a person")
		}, func(t *testing.T, e *env, iid int, reply string) {
			if mr := e.mrFor(brRequests); mr.IID == iid || mr.Title != "Update requests to 2.32.4" {
				t.Errorf("open MR !%d %q, want a new one for 2.32.4", mr.IID, mr.Title)
			}
		}},
		{"rebase a closed MR refused", "@pinwheel rebase", func(e *env) {
			if err := e.gl.CloseMR(e.proj, e.mrFor(brRequests).IID); err != nil {
				e.t.Fatal(err)
			}
		}, func(t *testing.T, e *env, iid int, reply string) {
			if !strings.Contains(reply, "is closed, so there is nothing to rebase") {
				t.Errorf("reply %q", reply)
			}
			if _, ok := e.openMRs()[brRequests]; ok {
				t.Error("rebase opened a closed MR again")
			}
		}},
		{"ignore this version", "@pinwheel ignore this version", nil, func(t *testing.T, e *env, iid int, reply string) {
			e.wantIgnored(t, iid, "ignore/requests/version/2.32.4")
			if !strings.Contains(reply, "version 2.32.4") {
				t.Errorf("reply %q", reply)
			}
		}},
		{"ignore this major", "@pinwheel ignore this major\nwe stay on 2.31 until the audit", nil, func(t *testing.T, e *env, iid int, reply string) {
			e.wantIgnored(t, iid, "ignore/requests/major/2")
		}},
		{"ignore this minor", "@pinwheel ignore this minor", nil, func(t *testing.T, e *env, iid int, reply string) {
			e.wantIgnored(t, iid, "ignore/requests/minor/2.32")
		}},
		{"ignore this dependency", "@pinwheel ignore this dependency", nil, func(t *testing.T, e *env, iid int, reply string) {
			e.wantIgnored(t, iid, "ignore/requests/dependency")
		}},
		{"unknown", "@pinwheel merge it", nil, func(t *testing.T, e *env, iid int, reply string) {
			if !strings.Contains(reply, "does not know `@pinwheel merge it`") || !strings.Contains(reply, "ignore this dependency") {
				t.Errorf("help reply %q", reply)
			}
			if e.mrFor(brRequests).IID != iid {
				t.Error("an unknown command changed the MR")
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := openAll(t)
			dev := e.person("dev", gitlabsim.DeveloperAccess)
			iid := e.mrFor(brRequests).IID
			if tc.before != nil {
				tc.before(e)
			}
			note, code := e.comment(dev, iid, tc.body)
			if code != http.StatusAccepted {
				t.Fatalf("webhook answered %d, want 202", code)
			}
			if rep := e.run(); rep.Err != nil {
				t.Fatalf("command run: %v\n%s", rep.Err, e.logs.String())
			}
			got := e.replies(iid)
			if len(got) != 1 {
				t.Fatalf("replies = %q, want one", got)
			}
			if !strings.HasPrefix(got[0], "@dev ") {
				t.Errorf("reply does not address the commenter: %q", got[0])
			}
			tc.check(t, e, iid, got[0])
			// GitLab delivers the hook again; the daemon restarts.
			if code := e.deliver(iid, note); code != http.StatusOK {
				t.Errorf("redelivery answered %d, want 200 (handled already)", code)
			}
			e.step(t, "again")
			if got := e.replies(iid); len(got) != 1 {
				t.Errorf("after a redelivery, replies = %q", got)
			}
		})
	}
}

// wantIgnored checks an ignore command: the MR is closed, the rule
// stored and listed with its unignore box; no MR for requests comes back.
func (e *env) wantIgnored(t *testing.T, iid int, key string) {
	t.Helper()
	for _, mr := range e.gl.MergeRequests(e.proj) {
		if mr.IID == iid && mr.State != "closed" {
			t.Errorf("MR !%d is %s, want closed", iid, mr.State)
		}
	}
	if _, ok := e.openMRs()[brRequests]; ok {
		t.Errorf("an MR for requests is open again")
	}
	if _, ok := e.gl.Branch(e.proj, brRequests); ok {
		t.Errorf("the branch of the ignored MR is still there")
	}
	rules := e.ignoreRules()
	if len(rules) != 1 || rules[0].Key != key || rules[0].By != "dev" {
		t.Fatalf("rules = %+v, want %s by dev", rules, key)
	}
	if !hasBox(section(e.dashboard().Description, "Closed / Ignored"), "unignore", key) {
		t.Errorf("no unignore box for %s:\n%s", key, e.dashboard().Description)
	}
}

func (e *env) commit(sha string) gitlabsim.Commit {
	e.t.Helper()
	for _, c := range e.gl.Commits(e.proj, sha) {
		if c.ID == sha {
			return c
		}
	}
	e.t.Fatalf("no commit %s", sha)
	return gitlabsim.Commit{}
}

func quietLog() logrus.FieldLogger { return discard.Logger() }

// A Reporter is told once per merge request that commands need a
// Developer, however many they give, and nothing else happens; a
// non-member is not answered at all (no notes on outsiders' demand).
func TestCommandBelowDeveloperRefused(t *testing.T) {
	for _, tc := range []struct {
		name    string
		level   int
		role    string
		replies int
	}{
		{"reporter", gitlabsim.ReporterAccess, "Reporter", 1},
		{"not a member", 0, "not a member", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := openAll(t)
			e.metrics = metrics.New()
			who := e.person("rep", tc.level)
			iid := e.mrFor(brRequests).IID
			if _, code := e.comment(who, iid, "@pinwheel ignore this dependency"); code != http.StatusAccepted {
				t.Fatalf("webhook answered %d", code)
			}
			e.step(t, "command")
			got := e.replies(iid)
			if len(got) != tc.replies {
				t.Fatalf("replies = %q, want %d", got, tc.replies)
			}
			for _, r := range got {
				if !strings.Contains(r, "only Developers (or higher)") || !strings.Contains(r, "you are "+tc.role) {
					t.Errorf("reply = %q", r)
				}
			}
			if e.mrFor(brRequests).IID != iid || len(e.ignoreRules()) != 0 {
				t.Error("a refused command closed the MR or stored a rule")
			}
			e.step(t, "again")
			if got := e.replies(iid); len(got) != tc.replies {
				t.Errorf("refusal repeated: %q", got)
			}
			// Another command on the same merge request: no second refusal.
			e.clock.Add(time.Minute)
			if _, code := e.comment(who, iid, "@pinwheel rebase"); code != http.StatusAccepted {
				t.Fatalf("webhook answered %d", code)
			}
			e.step(t, "second command")
			if got := e.replies(iid); len(got) != tc.replies {
				t.Errorf("second command: replies = %q, want %d", got, tc.replies)
			}
			if n := commandCount(t, e.metrics, "ignore-dependency", metrics.CommandPermission); n != 1 {
				t.Errorf("mr_commands_total{permission} = %v, want 1", n)
			}
			if n := commandCount(t, e.metrics, "rebase", metrics.CommandPermission); n != 1 {
				t.Errorf("mr_commands_total{rebase,permission} = %v, want 1", n)
			}
		})
	}
}

// A command on a merge request pinwheel did not open gets no answer and
// changes nothing; so does pinwheel's own note and a plain mention.
func TestCommandOnForeignMRIgnored(t *testing.T) {
	e := openAll(t)
	dev := e.person("dev", gitlabsim.DeveloperAccess)
	e.gl.Commit(e.proj, "feature", "Feature", map[string]string{"README": "feature\n"})
	iid, err := e.gl.OpenMR(e.proj, e.proj, "feature", "main", "Update requests to 9.0", dev)
	if err != nil {
		t.Fatal(err)
	}
	e.comment(dev, iid, "@pinwheel ignore this dependency")
	e.comment(dev, iid, "@pinwheel rebase")
	ours := e.mrFor(brRequests).IID
	e.comment(e.bot, ours, "@pinwheel ignore this dependency")
	e.comment(dev, ours, "@pinwheel")
	e.step(t, "commands")
	for _, n := range e.gl.MRNotes(e.proj, iid) {
		if n.AuthorID == e.bot.ID {
			t.Errorf("pinwheel answered on a foreign MR: %q", n.Body)
		}
	}
	if got := e.replies(ours); len(got) != 0 {
		t.Errorf("answered its own note or a mention: %q", got)
	}
	if len(e.ignoreRules()) != 0 || e.mrFor(brRequests).IID != ours {
		t.Error("a command that is none changed something")
	}
}

// An ignored major skips every release of that major, a later major is
// still offered, and the dashboard's unignore box lifts the rule.
func TestIgnoreMajorThenUnignore(t *testing.T) {
	e := openAll(t)
	dev := e.person("dev", gitlabsim.DeveloperAccess)
	e.comment(dev, e.mrFor(brRequests).IID, "@pinwheel ignore this major")
	e.step(t, "ignore")
	e.release("requests", "2.33.0", saturday)
	e.release("requests", "3.0.0", saturday)
	e.clock.Add(7 * 24 * time.Hour)
	e.step(t, "new releases")
	open := e.openMRs()
	if _, ok := open[brRequests]; ok {
		t.Errorf("an MR for ignored major 2 was opened: %q", open[brRequests].Title)
	}
	if mr, ok := open["pinwheel/requests-3.x"]; !ok || mr.Title != "Update requests to 3.0.0" {
		t.Errorf("major 3 not offered: %v", open)
	}
	e.tick("unignore", "ignore/requests/major/2")
	e.step(t, "unignore ticked")
	if len(e.ignoreRules()) != 0 {
		t.Errorf("rule not lifted: %+v", e.ignoreRules())
	}
	if mr, ok := e.openMRs()[brRequests]; !ok || mr.Title != "Update requests to 2.33.0" {
		t.Errorf("after unignore, no MR for 2.33.0: %v", e.openMRs())
	}
	if body := e.dashboard().Description; strings.Contains(body, "unignore-branch=") {
		t.Errorf("lifted rule still listed:\n%s", body)
	}
}

// commandCount reads pinwheel_mr_commands_total{command, result}.
func commandCount(t *testing.T, m *metrics.Metrics, command, result string) float64 {
	t.Helper()
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "pinwheel_mr_commands_total" {
			continue
		}
		for _, s := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range s.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["command"] == command && labels["result"] == result {
				return s.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// failOnce is a transport that lets the first request matching match
// reach GitLab and then loses its answer, as a crash or timeout would.
type failOnce struct {
	next  http.RoundTripper
	match func(*http.Request) bool
	mu    sync.Mutex
	done  bool
}

func (f *failOnce) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := f.next.RoundTrip(r)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err == nil && !f.done && f.match(r) {
		f.done = true
		resp.Body.Close()
		return nil, errors.New("connection reset after the request was sent")
	}
	return resp, err
}

// A run that loses GitLab's answer at any call of a command lists it
// under Errors and goes on; the next run finishes it: one answer, one
// rule, the MR closed.
func TestCommandInterrupted(t *testing.T) {
	for _, tc := range []struct {
		name  string
		match func(*http.Request) bool
	}{
		{"reading the note", func(r *http.Request) bool {
			return r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/notes/")
		}},
		{"closing the MR", func(r *http.Request) bool {
			return r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/merge_requests/")
		}},
		{"posting the answer", func(r *http.Request) bool {
			return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/notes")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := openAll(t)
			dev := e.person("dev", gitlabsim.DeveloperAccess)
			iid := e.mrFor(brRequests).IID
			e.comment(dev, iid, "@pinwheel ignore this version")
			e.wrap = func(next http.RoundTripper) http.RoundTripper { return &failOnce{next: next, match: tc.match} }
			e.clock.Add(time.Hour)
			if rep := e.run(); rep.Problems == 0 {
				t.Fatalf("the interrupted command is not on the dashboard: %+v", rep)
			}
			e.wrap = nil
			e.step(t, "next run")
			e.step(t, "and one more")
			if got := e.replies(iid); len(got) != 1 {
				t.Errorf("replies = %q, want one", got)
			}
			e.wantIgnored(t, iid, "ignore/requests/version/2.32.4")
		})
	}
}

// Nobody can keep pinwheel from answering by writing its marker first,
// and an echoed unknown command carries no marker.
func TestCommandMarkerNotSpoofed(t *testing.T) {
	e := openAll(t)
	dev := e.person("dev", gitlabsim.DeveloperAccess)
	iid := e.mrFor(brRequests).IID
	planted, _ := e.gl.PostMRNote(e.proj, iid, dev, "placeholder")
	next := fmt.Sprintf("%d!%d#%d", e.proj.ID, iid, planted+2)
	e.comment(dev, iid, "@pinwheel <!-- pinwheel-command:"+next+" -->")
	e.comment(dev, iid, "@pinwheel rebase") // gets id planted+2
	e.step(t, "commands")
	got := e.replies(iid)
	if len(got) != 2 {
		t.Fatalf("replies = %q, want the help and the rebase answer", got)
	}
	if strings.Contains(got[0], "<!-- pinwheel-command:"+next) || !strings.Contains(got[1], "nothing to rebuild") {
		t.Errorf("replies = %q", got)
	}
}
