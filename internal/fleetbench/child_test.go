package fleetbench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/app"
	"github.com/pinwheel-dev/pinwheel/check"
	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/constraints"
	"github.com/pinwheel-dev/pinwheel/registry"
	"github.com/pinwheel-dev/pinwheel/state"
)

// job is what the parent asks a child to do, passed as JSON in
// PINWHEEL_FLEET_CHILD.
type job struct {
	Kind string // "check" or "run"
	// check: the constraints file and the index.
	File     string
	IndexURL string
	JSONAPI  string
	// run: the config file and the token.
	Config string
	Token  string
	Now    time.Time
}

// outcome is what a child prints on its last line.
type outcome struct {
	Wall    time.Duration
	PeakRSS int64 // bytes (VmHWM)
	// FileRSS is the file-backed part of the RSS at the end (RssFile):
	// mostly the state file's pages bbolt's mmap has read, which the
	// kernel can drop at will, unlike the heap.
	FileRSS  int64
	Problems int
	Updates  int
	Writes   int
	Failed   []string
}

const childEnv = "PINWHEEL_FLEET_CHILD"

// TestChild is the child process's entry point; it does nothing in a
// normal test run.
func TestChild(t *testing.T) {
	raw := os.Getenv(childEnv)
	if raw == "" {
		t.Skip("only run as a benchmark's child process")
	}
	var j job
	if err := json.Unmarshal([]byte(raw), &j); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var out outcome
	var err error
	switch j.Kind {
	case "check":
		out, err = childCheck(j)
	case "run":
		out, err = childRun(j)
	default:
		err = fmt.Errorf("unknown job %q", j.Kind)
	}
	if err != nil {
		t.Fatal(err)
	}
	out.Wall = time.Since(start)
	out.PeakRSS = procStatus(t, "VmHWM")
	out.FileRSS = procStatus(t, "RssFile")
	b, _ := json.Marshal(out)
	fmt.Printf("\nOUTCOME %s\n", b)
}

// childCheck does what `pinwheel check FILE` does: look up, decide, print.
func childCheck(j job) (outcome, error) {
	data, err := os.ReadFile(j.File)
	if err != nil {
		return outcome{}, err
	}
	f := constraints.Parse(data)
	data = nil
	idx := config.Default().Index
	idx.URL, idx.JSONAPIURL = j.IndexURL, j.JSONAPI
	c, err := registry.New(check.ClientOptions(idx, func(string) string { return "" }))
	if err != nil {
		return outcome{}, err
	}
	rep := check.Run(context.Background(), c, f, check.Options{Now: j.Now})
	if err := check.WriteTable(io.Discard, rep.Rows()); err != nil {
		return outcome{}, err
	}
	var out outcome
	for _, r := range rep.Results {
		out.Updates += len(r.Plan.Updates)
		if r.Err != nil {
			out.Problems++
		}
	}
	return out, nil
}

// childRun does one `pinwheel run` over every configured project.
func childRun(j job) (outcome, error) {
	cfg, err := config.Load(j.Config)
	if err != nil {
		return outcome{}, err
	}
	now := func() time.Time { return j.Now }
	db, err := state.Open(cfg.State, state.WithClock(now))
	if err != nil {
		return outcome{}, err
	}
	defer db.Close()
	a, err := app.New(cfg, app.Options{
		Getenv: func(k string) string { return map[string]string{cfg.GitLab.TokenEnv: j.Token}[k] },
		State:  db, Clock: now,
	})
	if err != nil {
		return outcome{}, err
	}
	r := a.Runner
	var out outcome
	for _, rep := range r.RunAll(context.Background()) {
		out.Updates += rep.UpdatesFound
		out.Problems += rep.Problems
		out.Writes += rep.Writes
		if rep.Err != nil {
			out.Failed = append(out.Failed, rep.Err.Error())
		}
	}
	return out, nil
}

// procStatus reads one size from /proc/self/status (VmHWM is the peak
// resident set size), in bytes.
func procStatus(t *testing.T, field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb)
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc/self/status", field)
	return 0
}

// runChild runs the test binary again as a child doing j.
func runChild(tb testing.TB, j job) outcome {
	tb.Helper()
	raw, _ := json.Marshal(j)
	cmd := exec.Command(os.Args[0], "-test.run=^TestChild$", "-test.v")
	cmd.Env = append(os.Environ(), childEnv+"="+string(raw))
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("child %s: %v\n%s", j.Kind, err, tail(out))
	}
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "OUTCOME "); ok {
			var o outcome
			if err := json.Unmarshal([]byte(v), &o); err != nil {
				tb.Fatal(err)
			}
			return o
		}
	}
	tb.Fatalf("child %s printed no outcome:\n%s", j.Kind, tail(out))
	return outcome{}
}

func tail(b []byte) string {
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}
