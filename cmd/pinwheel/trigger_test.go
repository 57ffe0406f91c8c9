package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"
	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/app"
	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/gitlabsim"
	"github.com/pinwheel-dev/pinwheel/state"
	"github.com/pinwheel-dev/pinwheel/testbot"
)

// botWorld is a simulator with a package project, an MR on it by a
// Developer, a pipeline project and a trigger token.
type botWorld struct {
	sim                 *gitlabsim.Server
	lib, pipe           *gitlabsim.Project
	dev                 gitlabsim.User
	token, triggerToken string
	sha                 string
	cfg                 *config.Config
	env                 map[string]string
}

func newBotWorld(t *testing.T) *botWorld {
	t.Helper()
	w := &botWorld{sim: gitlabsim.New(gitlabsim.Options{})}
	t.Cleanup(w.sim.Close)
	bot, token := w.sim.AddUser("pinwheel")
	w.token = token
	w.dev, _ = w.sim.AddUser("dev")
	w.lib = w.sim.CreateProject("group/cki-lib", "main")
	w.sim.Commit(w.lib, "main", "init", map[string]string{"setup.py": "x"})
	w.sha = w.sim.Commit(w.lib, "fix", "fix", map[string]string{"setup.py": "y"})
	if _, err := w.sim.OpenMR(w.lib, w.lib, "fix", "main", "Fix", w.dev); err != nil {
		t.Fatal(err)
	}
	w.sim.AddMember(w.lib, w.dev, gitlabsim.DeveloperAccess)
	w.pipe = w.sim.CreateProject("group/pipeline-definition", "main")
	w.sim.UpdateProject(w.pipe, func(p *gitlabsim.Project) { p.CI = false })
	w.sim.Commit(w.pipe, "main", "init", map[string]string{".gitlab-ci.yml": "x"})
	w.sim.AddMember(w.pipe, bot, gitlabsim.DeveloperAccess)
	w.triggerToken = w.sim.AddPipelineTrigger(w.pipe, bot)
	w.env = map[string]string{"TEST_GITLAB_TOKEN": token, "TEST_TRIGGER_TOKEN": w.triggerToken, "TEST_WEBHOOK_SECRET": "hook-secret-99"}
	text := fmt.Sprintf(`
state: %q
gitlab: {url: %q, token_env: TEST_GITLAB_TOKEN}
listen: "127.0.0.1:0"
webhook_secret_env: TEST_WEBHOOK_SECRET
bot:
  trigger_project: group/pipeline-definition
  trigger_ref: main
  trigger_token_env: TEST_TRIGGER_TOKEN
  poll_interval: 1m
  variables: {CKI_DEPLOYMENT_ENVIRONMENT: retrigger, DEPLOY_TOKEN: s3cr3t-value}
  packages: [{project: group/cki-lib, name: cki-lib}]
`, filepath.Join(t.TempDir(), "state.db"), w.sim.URL())
	cfg, err := config.Parse("bot.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	w.cfg = cfg
	return w
}

func (w *botWorld) noSecrets(t *testing.T, outputs ...string) {
	t.Helper()
	for _, n := range w.sim.MRNotes(w.lib, 1) {
		outputs = append(outputs, n.Body)
	}
	for _, out := range outputs {
		for _, secret := range []string{w.triggerToken, w.token, "s3cr3t-value"} {
			if strings.Contains(out, secret) {
				t.Errorf("a secret leaked into %.300s", out)
			}
		}
	}
}

var instant = []gitlab.ClientOptionFunc{gitlab.WithCustomBackoff(func(_, _ time.Duration, _ int, _ *http.Response) time.Duration { return 0 })}

// A daemon with a bot section and no projects serves the bot: a Note Hook
// on its listener starts one pipeline and the reply lands on the MR.
func TestBotOnlyDaemon(t *testing.T) {
	w := newBotWorld(t)
	var logs bytes.Buffer
	l := logrus.New()
	l.SetOutput(&logs)
	l.SetLevel(logrus.DebugLevel)
	addrs := make(chan net.Addr, 1)
	worked := make(chan struct{}, 10)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runDaemon(ctx, w.cfg, logrus.NewEntry(l), daemonOpts{DaemonOptions: app.DaemonOptions{
			Getenv: func(k string) string { return w.env[k] }, GitLabOptions: instant,
			OnListen: func(a net.Addr) { addrs <- a }, BotAfterWork: func() { worked <- struct{}{} },
		}})
	}()
	base := "http://" + (<-addrs).String()
	waitWork := func() {
		select {
		case <-worked:
		case err := <-done:
			t.Fatalf("daemon ended: %v", err)
		case <-time.After(10 * time.Second):
			t.Fatal("the bot did no work")
		}
	}
	waitWork() // the start-up poll
	id, _ := w.sim.PostMRNote(w.lib, 1, w.dev, "@pinwheel test [x=1]")
	body, err := w.sim.MRNoteHook(w.lib, 1, id)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/hooks/gitlab", bytes.NewReader(body))
	req.Header.Set("X-Gitlab-Event", "Note Hook")
	req.Header.Set("X-Gitlab-Token", w.env["TEST_WEBHOOK_SECRET"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("note hook: %d", resp.StatusCode)
	}
	waitWork()
	pls := w.sim.Pipelines(w.pipe)
	if len(pls) != 1 || pls[0].Source != "trigger" {
		t.Fatalf("pipelines = %+v; want one triggered", pls)
	}
	notes := w.sim.MRNotes(w.lib, 1)
	if len(notes) != 2 || !strings.Contains(notes[1].Body, "/-/pipelines/") || !strings.Contains(notes[1].Body, "| `DEPLOY_TOKEN` | *(hidden)* |") {
		t.Fatalf("notes = %+v", notes)
	}
	metrics, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	var mbuf bytes.Buffer
	_, _ = mbuf.ReadFrom(metrics.Body)
	metrics.Body.Close()
	if !strings.Contains(mbuf.String(), "pinwheel_bot_pipelines_running 1") {
		t.Errorf("metrics lack the running pipeline:\n%s", mbuf.String())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("daemon: %v", err)
	}
	w.noSecrets(t, logs.String(), mbuf.String())
	// The state file (mode 0600) holds the variables' values, to trigger
	// again after a crash, but never a token.
	raw, _ := os.ReadFile(w.cfg.State)
	if bytes.Contains(raw, []byte(w.triggerToken)) || bytes.Contains(raw, []byte(w.token)) {
		t.Error("a token is in the state file")
	}
}

// finishOnWait is a clock for --wait: each wait sets the newest pipeline's
// status, then fires at once.
type finishOnWait struct {
	w       *botWorld
	statues []string
}

func (c *finishOnWait) Now() time.Time { return time.Now() }
func (c *finishOnWait) After(time.Duration) <-chan time.Time {
	pls := c.w.sim.Pipelines(c.w.pipe)
	c.w.sim.SetPipelineStatusByID(c.w.pipe, pls[len(pls)-1].ID, c.statues[0])
	c.statues = c.statues[1:]
	ch := make(chan time.Time, 1)
	ch <- time.Now()
	return ch
}

func TestTriggerCommand(t *testing.T) {
	tests := []struct {
		name     string
		wait     bool
		statuses []string
		fails    bool
		out      string
	}{
		{"no wait", false, nil, false, ""},
		{"wait for success", true, []string{"running", "success"}, false, ": success\n"},
		{"wait for a failure", true, []string{"failed"}, true, ": failed\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newBotWorld(t)
			var out, errOut bytes.Buffer
			cmd := &cobra.Command{}
			cmd.SetOut(&out)
			cmd.SetErr(&errOut)
			req := testbot.Request{Project: "group/cki-lib", MRIID: 1, Variables: []config.Variable{{Key: "foo", Value: "bar"}}}
			err := runTrigger(context.Background(), cmd, w.cfg, req, tt.wait, app.BotOptions{
				Getenv: func(k string) string { return w.env[k] }, GitLabOptions: instant,
				Clock: &finishOnWait{w: w, statues: tt.statuses},
			})
			if (err != nil) != tt.fails {
				t.Fatalf("err = %v; want failure %v", err, tt.fails)
			}
			if exitCode(err) == 2 {
				t.Errorf("a pipeline result is not a usage error")
			}
			pls := w.sim.Pipelines(w.pipe)
			if len(pls) != 1 {
				t.Fatalf("%d pipelines", len(pls))
			}
			first := fmt.Sprintf("pipeline %d of group/pipeline-definition at main for %s: %s/group/pipeline-definition/-/pipelines/%d\n", pls[0].ID, w.sha, w.sim.URL(), pls[0].ID)
			if !strings.HasPrefix(out.String(), first) || !strings.Contains(out.String(), "  foo=bar\n") ||
				!strings.Contains(out.String(), "  DEPLOY_TOKEN=(hidden)\n") || !strings.Contains(out.String(), "  cki_lib_pip_url=git+") {
				t.Errorf("output:\n%s\nwant first line %q", out.String(), first)
			}
			if !strings.Contains(out.String(), tt.out) {
				t.Errorf("output lacks %q:\n%s", tt.out, out.String())
			}
			if n := len(w.sim.MRNotes(w.lib, 1)); n != 0 {
				t.Errorf("the command wrote %d notes", n)
			}
			errText := ""
			if err != nil {
				errText = err.Error()
			}
			w.noSecrets(t, out.String(), errOut.String(), errText)
		})
	}
}

func TestTriggerUsage(t *testing.T) {
	w := newBotWorld(t)
	dir := t.TempDir()
	withBot := filepath.Join(dir, "bot.yaml")
	raw, _ := os.ReadFile(filepath.Join("..", "..", "config.example.yaml"))
	if err := os.WriteFile(withBot, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	noBot := filepath.Join(dir, "nobot.yaml")
	if err := os.WriteFile(noBot, []byte("gitlab: {url: "+w.sim.URL()+"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"trigger"},
		{"trigger", "--config", withBot, "--project", "group/cki-lib"},
		{"trigger", "--config", noBot, "--project", "group/cki-lib", "--mr", "1"},
		{"trigger", "--config", withBot, "--project", "group/cki-lib", "--mr", "1", "1x=2"},
		{"trigger", "--config", withBot, "--project", "group/cki-lib", "--mr", "1", "novalue"},
	} {
		if _, _, err := execute(args...); exitCode(err) != 2 {
			t.Errorf("pinwheel %v: exit %d (%v); want 2", args, exitCode(err), err)
		}
	}
}

// A trigger whose answer is lost says where to look before trying again.
func TestTriggerLostAnswer(t *testing.T) {
	w := newBotWorld(t)
	w.sim.Inject(gitlabsim.Fault{Status: 502, Match: "POST /projects/:id/trigger/pipeline", AfterServing: true})
	var out bytes.Buffer
	cmd := &cobra.Command{}
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	err := runTrigger(context.Background(), cmd, w.cfg, testbot.Request{Project: "group/cki-lib", MRIID: 1}, false, app.BotOptions{
		Getenv: func(k string) string { return w.env[k] }, GitLabOptions: instant,
	})
	if err == nil || !strings.Contains(err.Error(), "may have created the pipeline anyway: look for PINWHEEL_TEST=") {
		t.Fatalf("err = %v", err)
	}
	if n := len(w.sim.Pipelines(w.pipe)); n != 1 {
		t.Errorf("%d pipelines; the POST must not be retried", n)
	}
	w.noSecrets(t, out.String(), err.Error())
}

// A project that is not among bot.packages is the caller's mistake (exit
// 2); one that is but GitLab does not show says the token may not see it.
// Neither triggers anything.
func TestTriggerProjectErrors(t *testing.T) {
	tests := []struct {
		name, project string
		code          int
		want          string
	}{
		{"not among bot.packages", "group/other", 2, "group/other: not among bot.packages"},
		{"a package GitLab does not show", "group/gone", 1, "project group/gone not found (or the token cannot see it)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newBotWorld(t)
			w.cfg.Bot.Packages = append(w.cfg.Bot.Packages, config.BotPackage{Project: "group/gone", Name: "gone"})
			cmd := &cobra.Command{}
			var out bytes.Buffer
			cmd.SetOut(&out)
			cmd.SetErr(&out)
			err := runTrigger(context.Background(), cmd, w.cfg, testbot.Request{Project: tt.project, MRIID: 1}, false, app.BotOptions{
				Getenv: func(k string) string { return w.env[k] }, GitLabOptions: instant,
			})
			if exitCode(err) != tt.code || err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v (exit %d); want exit %d saying %q", err, exitCode(err), tt.code, tt.want)
			}
			if n := len(w.sim.Pipelines(w.pipe)); n != 0 {
				t.Errorf("%d pipelines triggered", n)
			}
		})
	}
}

// A set-but-empty trigger token variable is reported as empty, not as
// unset, and the API token then creates the pipeline.
func TestTriggerTokenVariableEmpty(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"empty", map[string]string{"TEST_TRIGGER_TOKEN": ""}, "environment variable TEST_TRIGGER_TOKEN is empty"},
		{"unset", map[string]string{}, "environment variable TEST_TRIGGER_TOKEN is not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newBotWorld(t)
			env := map[string]string{"TEST_GITLAB_TOKEN": w.env["TEST_GITLAB_TOKEN"]}
			for k, v := range tt.env {
				env[k] = v
			}
			var logs bytes.Buffer
			l := logrus.New()
			l.SetOutput(&logs)
			l.SetLevel(logrus.InfoLevel)
			lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
			if _, err := app.NewBot(w.cfg, app.BotOptions{
				Getenv: func(k string) string { return env[k] }, LookupEnv: lookup,
				State: openTestState(t), Log: logrus.NewEntry(l),
			}); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(logs.String(), tt.want) {
				t.Errorf("log lacks %q:\n%s", tt.want, logs.String())
			}
		})
	}
}

func openTestState(t *testing.T) *state.DB {
	t.Helper()
	db, err := state.Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
