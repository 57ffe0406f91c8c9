package testbot_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/daemon"
	"github.com/pinwheel-dev/pinwheel/gitlabauth"
	"github.com/pinwheel-dev/pinwheel/gitlabsim"
	"github.com/pinwheel-dev/pinwheel/metrics"
	"github.com/pinwheel-dev/pinwheel/state"
	"github.com/pinwheel-dev/pinwheel/testbot"
)

var epoch = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

const poll = 30 * time.Second

// fakeClock is a daemon.Clock moved only by Advance.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, waiter{c.now.Add(d), ch})
	return ch
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if w.at.After(c.now) {
			kept = append(kept, w)
			continue
		}
		w.ch <- c.now
	}
	c.waiters = kept
}

// fixture is a GitLab simulator with a package project group/cki-lib
// (an open MR !1 by dev), the pipeline project group/pipeline-definition,
// and the users pinwheel (the bot), dev (Developer on the package) and
// rep (Reporter).
type fixture struct {
	sim                *gitlabsim.Server
	clock              *fakeClock
	lib, pipe          *gitlabsim.Project
	botUser, dev, rep  gitlabsim.User
	botToken, devToken string
	triggerToken       string
	mrSHA              string
	statePath          string
	db                 *state.DB
	logs               *bytes.Buffer
	metrics            *metrics.Metrics
	errs               []error // every error a test saw, grepped for the token
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{clock: &fakeClock{now: epoch}, logs: &bytes.Buffer{}, metrics: metrics.New()}
	f.sim = gitlabsim.New(gitlabsim.Options{Clock: f.clock.Now})
	t.Cleanup(f.sim.Close)
	f.botUser, f.botToken = f.sim.AddUser("pinwheel")
	f.dev, f.devToken = f.sim.AddUser("dev")
	f.rep, _ = f.sim.AddUser("rep")
	f.lib = f.sim.CreateProject("group/cki-lib", "main")
	f.sim.Commit(f.lib, "main", "init", map[string]string{"setup.py": "..."})
	f.mrSHA = f.sim.Commit(f.lib, "fix", "Fix", map[string]string{"cki_lib/x.py": "fixed"})
	if _, err := f.sim.OpenMR(f.lib, f.lib, "fix", "main", "Fix things", f.dev); err != nil {
		t.Fatal(err)
	}
	f.pipe = f.sim.CreateProject("group/pipeline-definition", "main")
	f.sim.UpdateProject(f.pipe, func(p *gitlabsim.Project) { p.CI = false })
	f.sim.Commit(f.pipe, "main", "init", map[string]string{".gitlab-ci.yml": "test: {script: [true]}"})
	f.sim.AddMember(f.lib, f.dev, gitlabsim.DeveloperAccess)
	f.sim.AddMember(f.lib, f.rep, gitlabsim.ReporterAccess)
	f.sim.AddMember(f.pipe, f.botUser, gitlabsim.DeveloperAccess)
	f.triggerToken = f.sim.AddPipelineTrigger(f.pipe, f.botUser)
	f.statePath = filepath.Join(t.TempDir(), "state.db")
	f.openState(t)
	t.Cleanup(func() { f.noToken(t) })
	return f
}

func (f *fixture) openState(t *testing.T) {
	t.Helper()
	db, err := state.Open(f.statePath)
	if err != nil {
		t.Fatal(err)
	}
	f.db = db
	t.Cleanup(func() { _ = db.Close() })
}

// restart closes the state file and opens it again, as a new daemon does.
func (f *fixture) restart(t *testing.T) {
	t.Helper()
	if err := f.db.Close(); err != nil {
		t.Fatal(err)
	}
	f.openState(t)
}

func botConfig() config.Bot {
	return config.Bot{
		TriggerProject: "group/pipeline-definition", TriggerRef: "main",
		PollInterval: config.Duration(poll),
		Variables:    []config.Variable{{Key: "CKI_DEPLOYMENT_ENVIRONMENT", Value: "retrigger"}},
		Packages:     []config.BotPackage{{Project: "group/cki-lib", Name: "cki-lib"}},
	}
}

func noBackoff(_, _ time.Duration, _ int, _ *http.Response) time.Duration { return 0 }

// newBot builds the bot on the fixture's state, with the trigger token
// when withToken.
func (f *fixture) newBot(t *testing.T, withToken bool, after func()) *testbot.Bot {
	t.Helper()
	gl, err := gitlabauth.NewClient(f.sim.URL(), gitlabauth.Credentials{Token: f.botToken}, gitlab.WithCustomBackoff(noBackoff))
	if err != nil {
		t.Fatal(err)
	}
	l := logrus.New()
	l.SetOutput(f.logs)
	l.SetLevel(logrus.DebugLevel)
	token := ""
	if withToken {
		token = f.triggerToken
	}
	b, err := testbot.New(testbot.Deps{
		Config: botConfig(), TriggerToken: token, GitLab: gl, State: f.db,
		Clock: f.clock, Metrics: f.metrics, Log: l, AfterWork: after,
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// comment posts a note on !1 as u and returns the event a Note Hook gives.
func (f *fixture) comment(t *testing.T, u gitlabsim.User, body string) daemon.NoteEvent {
	t.Helper()
	id, ok := f.sim.PostMRNote(f.lib, 1, u, body)
	if !ok {
		t.Fatal("no MR !1")
	}
	return daemon.NoteEvent{
		ProjectID: int64(f.lib.ID), ProjectPath: f.lib.Path, NoteID: int64(id),
		NoteableType: "MergeRequest", MRIID: 1, Action: "create", Username: u.Username, Note: body,
	}
}

// handle runs one command and keeps its error for the token check.
func (f *fixture) handle(t *testing.T, b *testbot.Bot, ev daemon.NoteEvent) error {
	t.Helper()
	err := b.HandleCommand(context.Background(), ev)
	if err != nil {
		f.errs = append(f.errs, err)
	}
	return err
}

func (f *fixture) poll(t *testing.T, b *testbot.Bot) {
	t.Helper()
	if err := b.Poll(context.Background()); err != nil {
		f.errs = append(f.errs, err)
		t.Fatalf("poll: %v", err)
	}
}

// botNotes are pinwheel's notes on !1.
func (f *fixture) botNotes() []gitlabsim.Note {
	var out []gitlabsim.Note
	for _, n := range f.sim.MRNotes(f.lib, 1) {
		if n.AuthorID == f.botUser.ID {
			out = append(out, n)
		}
	}
	return out
}

func (f *fixture) pipelines() []gitlabsim.Pipeline { return f.sim.Pipelines(f.pipe) }

// vars are a pipeline's variables as key=value, TRIGGER_PAYLOAD left out.
func (f *fixture) vars(id int) map[string]string {
	out := map[string]string{}
	for _, v := range f.sim.PipelineVariables(f.pipe, id) {
		if v.Key != "TRIGGER_PAYLOAD" {
			out[v.Key] = v.Value
		}
	}
	return out
}

// noToken greps everything the bot wrote for the trigger token: notes on
// every merge request, logs, errors, metrics and the state file.
func (f *fixture) noToken(t *testing.T) {
	t.Helper()
	var outputs []string
	for _, p := range []*gitlabsim.Project{f.lib, f.pipe} {
		for _, mr := range f.sim.MergeRequests(p) {
			for _, n := range f.sim.MRNotes(p, mr.IID) {
				outputs = append(outputs, "note: "+n.Body)
			}
		}
	}
	outputs = append(outputs, "logs: "+f.logs.String())
	for _, err := range f.errs {
		outputs = append(outputs, "error: "+err.Error())
	}
	if mfs, err := f.metrics.Registry().Gather(); err == nil {
		for _, mf := range mfs {
			outputs = append(outputs, "metric: "+mf.String())
		}
	}
	if raw, err := os.ReadFile(f.statePath); err == nil {
		outputs = append(outputs, "state: "+string(raw))
	}
	for _, out := range outputs {
		if strings.Contains(out, f.triggerToken) || strings.Contains(out, f.botToken) {
			t.Errorf("a token leaked into %.200s", out)
		}
	}
}

func counter(t *testing.T, m *metrics.Metrics, name, label string) float64 {
	t.Helper()
	mfs, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, mt := range mf.GetMetric() {
			for _, lp := range mt.GetLabel() {
				if lp.GetValue() == label {
					return mt.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}
