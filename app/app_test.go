package app_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/app"
	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/gitlabsim"
	"github.com/pinwheel-dev/pinwheel/indexsim"
	"github.com/pinwheel-dev/pinwheel/internal/stop"
	"github.com/pinwheel-dev/pinwheel/scheduler"
)

var saturday = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

type world struct {
	gl    *gitlabsim.Server
	proj  *gitlabsim.Project
	token string
	cfg   *config.Config
}

func newWorld(t *testing.T) *world {
	t.Helper()
	now := func() time.Time { return saturday }
	w := &world{gl: gitlabsim.New(gitlabsim.Options{Clock: now})}
	t.Cleanup(w.gl.Close)
	idx := indexsim.New(indexsim.Options{Clock: now})
	t.Cleanup(idx.Close)
	_, w.token = w.gl.AddUser("pinwheel")
	w.proj = w.gl.CreateProject("group/app", "main")
	w.gl.Commit(w.proj, "main", "Initial", map[string]string{"constraints.txt": "idna==3.4\nsix==1.16.0\n"})
	for _, r := range []struct{ name, version string }{{"idna", "3.4"}, {"idna", "3.10"}, {"six", "1.16.0"}, {"six", "1.17.0"}} {
		idx.AddRelease(r.name, r.version, indexsim.File{Filename: r.name + "-" + r.version + ".tar.gz", UploadTime: saturday.AddDate(0, -1, 0)})
	}
	cfg, err := config.Parse("test.yaml", []byte(fmt.Sprintf(`
index: {url: %q, json_api_url: %q, retries: 0}
state: %q
gitlab: {url: %q, token_env: T}
projects:
  - path: group/app
    limits: {open_mrs: 0, new_mrs_per_run: 0}
`, idx.IndexURL(), idx.JSONAPIURL(), t.TempDir()+"/state.db", w.gl.URL())))
	if err != nil {
		t.Fatal(err)
	}
	w.cfg = cfg
	return w
}

func (w *world) app(t *testing.T) *app.App {
	t.Helper()
	a, err := app.New(w.cfg, app.Options{
		Getenv: func(k string) string { return map[string]string{"T": w.token}[k] },
		Clock:  func() time.Time { return saturday },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

// A daemon's stop (the signal daemon.Loop sets, package internal/stop)
// reaches the wired run: with the daemon stopping, the run starts no
// update; without, it opens one merge request per update.
func TestTheDaemonsStopReachesTheRun(t *testing.T) {
	for _, tc := range []struct {
		name     string
		stopping bool
		wantErr  error
		wantMRs  int
	}{
		{"running", false, nil, 2},
		{"stopping", true, scheduler.ErrStopping, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			ch := make(chan struct{})
			if tc.stopping {
				close(ch)
			}
			rep, err := w.app(t).Runner.RunProject(stop.With(context.Background(), ch), "group/app")
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("run: %v, want %v", err, tc.wantErr)
			}
			if n := len(w.gl.MergeRequests(w.proj)); n != tc.wantMRs || rep.MRsOpened != tc.wantMRs {
				t.Errorf("merge requests: %d in GitLab, %d in the report; want %d", n, rep.MRsOpened, tc.wantMRs)
			}
		})
	}
}

// A config New cannot wire fails with a message that names what is wrong.
func TestNewRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*config.Config)
		getenv func(string) string
		want   string
	}{
		{"token unset", func(*config.Config) {}, func(string) string { return "" }, "T"},
		{"no GitLab URL", func(c *config.Config) { c.GitLab.URL = "" }, nil, "gitlab.url is not set"},
		{"state unopenable", func(c *config.Config) { c.State = c.State + "/under-a-file.db" }, nil, "state"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			if err := os.WriteFile(w.cfg.State, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			tc.mutate(w.cfg)
			getenv := tc.getenv
			if getenv == nil {
				getenv = func(string) string { return w.token }
			}
			a, err := app.New(w.cfg, app.Options{Getenv: getenv})
			if err == nil {
				_ = a.Close()
				t.Fatal("New succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}
