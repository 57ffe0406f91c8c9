package scheduler_test

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/gitlabsim"
)

// repoConfigEnv is a Saturday env whose central config lets the
// repository set allowed (every repository key when nil) and counts the
// reads of .pinwheel.yaml.
func repoConfigEnv(t *testing.T, allowed []string, files map[string]string) (*env, func() int) {
	t.Helper()
	e := newEnv(t, "")
	e.clock.Set(saturday)
	if allowed == nil {
		allowed = config.RepoKeys
	}
	e.cfg.RepoConfig = config.RepoConfig{Enabled: true, AllowedKeys: allowed}
	if files != nil {
		e.gl.Commit(e.proj, "main", "pinwheel settings", files)
	}
	var mu sync.Mutex
	reads := 0
	e.hook = func(r *http.Request) error {
		if strings.Contains(r.URL.Path, config.RepoConfigFile) {
			mu.Lock()
			reads++
			mu.Unlock()
		}
		return nil
	}
	return e, func() int { mu.Lock(); defer mu.Unlock(); return reads }
}

func mrLabels(e *env) []string {
	var out []string
	for _, mr := range e.openMRs() {
		out = append(out, mr.Labels...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func TestRepoConfigMergesOverTheCentralEntry(t *testing.T) {
	e, reads := repoConfigEnv(t, nil, map[string]string{
		".pinwheel.yaml": "# our settings\nlabels: [from-repo]\nlimits: {new_mrs_per_run: 1}\n",
	})
	rep := e.mustRun()
	if rep.MRsOpened != 1 || rep.Problems != 0 {
		t.Fatalf("first run: %d MRs opened, %d problems; want 1 (the file's new_mrs_per_run) and none", rep.MRsOpened, rep.Problems)
	}
	if got := mrLabels(e); len(got) != 1 || got[0] != "from-repo" {
		t.Errorf("MR labels %v, want the file's [from-repo]", got)
	}
	if reads() != 1 {
		t.Errorf("%d reads of .pinwheel.yaml, want 1", reads())
	}

	// Same head: the file is not read again.
	rep = e.mustRun()
	if rep.MRsOpened != 1 || reads() != 1 {
		t.Errorf("second run: %d MRs opened, %d reads in all; want 1 and still 1", rep.MRsOpened, reads())
	}

	// A push moves the head: it is read at the new one.
	e.gl.Commit(e.proj, "main", "more", map[string]string{".pinwheel.yaml": "limits: {new_mrs_per_run: 2}\n"})
	rep = e.mustRun()
	if rep.MRsOpened != 2 || reads() != 2 {
		t.Errorf("after the push: %d MRs opened, %d reads; want 2 and 2", rep.MRsOpened, reads())
	}
}

func TestRepoConfigBrokenOrRefused(t *testing.T) {
	tests := []struct {
		name    string
		allowed []string
		file    string
		want    []string
		// wantLog are the lines of the problems' log entries.
		wantLog []string
	}{
		{"bad value", nil, "labels: [x]\nschedule:\n  days: [funday]\n", []string{"`.pinwheel.yaml` line 3: `schedule.days[0]: unknown day"}, []string{"line=3"}},
		{"syntax", nil, "labels: [x\n", []string{"`.pinwheel.yaml` line 1: `"}, []string{"line=1"}},
		{"key not allowed", []string{"schedule"}, "labels: [x]\nlimits: {open_mrs: 1}\n", []string{
			"`.pinwheel.yaml` line 1: `labels: this repository may not set it",
			"`.pinwheel.yaml` line 2: `limits: this repository may not set it",
		}, []string{"line=1", "line=2"}},
		{"central-only key", nil, "\nbranch_prefix: evil/\n", []string{"`.pinwheel.yaml` line 2: `branch_prefix: only the central config sets it"}, []string{"line=2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _ := repoConfigEnv(t, tt.allowed, map[string]string{".pinwheel.yaml": tt.file})
			rep := e.mustRun()
			// The central settings: the harness's new_mrs_per_run 3 and
			// the default label.
			if rep.MRsOpened != 3 {
				t.Errorf("%d MRs opened, want the central limit's 3", rep.MRsOpened)
			}
			if got := mrLabels(e); len(got) != 1 || got[0] != "dependencies" {
				t.Errorf("MR labels %v, want the central [dependencies]", got)
			}
			errs := section(e.dashboard().Description, "Errors")
			for _, w := range tt.want {
				if !strings.Contains(errs, w) {
					t.Errorf("dashboard errors lack %q:\n%s", w, errs)
				}
			}
			if !strings.Contains(errs, "repository config ignored") || !strings.Contains(errs, "central settings") {
				t.Errorf("dashboard errors do not say the file was ignored:\n%s", errs)
			}
			var logged []string
			for _, l := range strings.Split(e.logs.String(), "\n") {
				if strings.Contains(l, `kind="repository config ignored"`) && strings.Contains(l, "subject=.pinwheel.yaml") {
					for _, f := range strings.Fields(l) {
						if strings.HasPrefix(f, "line=") {
							logged = append(logged, f)
						}
					}
				}
			}
			if !slices.Equal(logged, tt.wantLog) {
				t.Errorf("logged problems at %v, want %v:\n%s", logged, tt.wantLog, e.logs.String())
			}
		})
	}
}

func TestRepoConfigNamesTheConstraintsFile(t *testing.T) {
	e, reads := repoConfigEnv(t, nil, map[string]string{
		"constraints.txt": gitlabsim.Deleted,
		"reqs/pins.txt":   "requests==2.31.0\n",
		".pinwheel.yaml":  "constraints: reqs/pins.txt\nyaml: \"off\"\n",
	})
	rep := e.mustRun()
	if rep.Err != nil || rep.MRsOpened != 1 {
		t.Fatalf("run: %v, %d MRs; want one for requests from reqs/pins.txt", rep.Err, rep.MRsOpened)
	}
	mr := e.mrFor("pinwheel/requests-2.x")
	data, ok := e.gl.File(e.proj, mr.SourceBranch, "reqs/pins.txt")
	if !ok || string(data) != "requests==2.32.4\n" {
		t.Errorf("reqs/pins.txt on the branch: %q", data)
	}
	if reads() != 1 {
		t.Errorf("%d reads of .pinwheel.yaml, want 1", reads())
	}
}

func TestRepoConfigOffReadsNothing(t *testing.T) {
	e, reads := repoConfigEnv(t, nil, map[string]string{".pinwheel.yaml": "limits: {new_mrs_per_run: 1}\n"})
	e.cfg.RepoConfig.Enabled = false
	if rep := e.mustRun(); rep.MRsOpened != 3 || reads() != 0 {
		t.Errorf("repo_config off: %d MRs opened, %d reads; want 3 and 0", rep.MRsOpened, reads())
	}
}

// TestRepoConfigAbsentIsRememberedToo: a project without the file is asked
// once per head, not once per run.
func TestRepoConfigAbsentIsRememberedToo(t *testing.T) {
	e, reads := repoConfigEnv(t, nil, nil)
	for i := range 3 {
		if rep := e.mustRun(); rep.Problems != 0 {
			t.Fatalf("run %d: %d problems", i, rep.Problems)
		}
	}
	if reads() != 1 {
		t.Errorf("%d reads of a missing .pinwheel.yaml in 3 runs at one head, want 1", reads())
	}
}
