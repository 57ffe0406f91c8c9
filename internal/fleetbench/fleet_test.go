package fleetbench

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/gitlabsim"
	"github.com/pinwheel-dev/pinwheel/indexsim"
)

// The figures: 50 ms per GitLab call, 100 ms per index request,
// projects of 300 pins drawn from a pool of 1,000 packages.
const (
	gitlabLatency = 50 * time.Millisecond
	indexLatency  = 100 * time.Millisecond
	pinsPerProj   = 300
	poolSize      = 1000
	releases      = 40
)

// start is a Saturday, inside the default schedule window.
var start = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

func skipUnlessAsked(tb testing.TB) {
	if os.Getenv("PINWHEEL_FLEET_BENCH") == "" {
		tb.Skip("set PINWHEEL_FLEET_BENCH=1 to run the fleet benchmarks (minutes each)")
	}
}

// clock is the simulators' time, moved by the benchmark between runs.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func pkgName(i int) string { return fmt.Sprintf("pool-pkg-%d", i) }

// newIndex publishes n packages of `releases` releases each, a year apart
// from the newest, behind indexLatency.
func newIndex(tb testing.TB, clk *clock, n int) *indexsim.Server {
	tb.Helper()
	sim := indexsim.New(indexsim.Options{Clock: clk.Now})
	tb.Cleanup(sim.Close)
	for p := range n {
		name := pkgName(p)
		for r := range releases {
			sim.AddRelease(name, fmt.Sprintf("1.%d.0", r), indexsim.File{
				Filename:   fmt.Sprintf("pool_pkg_%d-1.%d.0-py3-none-any.whl", p, r),
				UploadTime: start.AddDate(0, 0, -400+r*5),
			})
		}
	}
	sim.SetLatency(indexLatency)
	return sim
}

// pinLine pins package p at the newest release (nothing to show), or
// behind it (an update, so a JSON API request) for one package in every.
func pinLine(p, every int) string {
	v := releases - 1
	if p%every == 0 {
		v = releases - 5
	}
	return fmt.Sprintf("%s==1.%d.0\n", pkgName(p), v)
}

// BenchmarkCheckRSS is `pinwheel check` of 300 and 10,000 pins, each its
// own package, in a child process. Targets: ≤ 30 MB and ≤ 100 MB peak RSS.
func BenchmarkCheckRSS(b *testing.B) {
	skipUnlessAsked(b)
	for _, tc := range []struct {
		pins   int
		target int64
	}{{300, 30 << 20}, {10000, 100 << 20}} {
		b.Run(strconv.Itoa(tc.pins)+"-pins", func(b *testing.B) {
			clk := &clock{t: start}
			sim := newIndex(b, clk, tc.pins)
			var file strings.Builder
			for p := range tc.pins {
				file.WriteString(pinLine(p, 3))
			}
			path := filepath.Join(b.TempDir(), "constraints.txt")
			if err := os.WriteFile(path, []byte(file.String()), 0o600); err != nil {
				b.Fatal(err)
			}
			var o outcome
			for b.Loop() {
				sim.ResetCounters()
				o = runChild(b, job{Kind: "check", File: path, IndexURL: sim.IndexURL(), JSONAPI: sim.JSONAPIURL(), Now: start})
			}
			sim.Idle()
			if o.Problems != 0 || o.Updates == 0 {
				b.Errorf("%d problems, %d updates", o.Problems, o.Updates)
			}
			if o.PeakRSS > tc.target {
				b.Errorf("peak RSS %d MB, target %d MB", o.PeakRSS>>20, tc.target>>20)
			}
			b.ReportMetric(o.Wall.Seconds(), "wall-s")
			b.ReportMetric(float64(o.PeakRSS)/(1<<20), "peak-RSS-MB")
			b.ReportMetric(float64(sim.RequestsOf(indexsim.KindSimpleProject)), "page-requests")
			b.ReportMetric(float64(sim.RequestsOf(indexsim.KindJSONVersion)), "json-requests")
		})
	}
}

// fleetWorld is a GitLab with n projects of 300 pins from the pool, an
// index with the pool, and a config running them.
type fleetWorld struct {
	clk    *clock
	gl     *gitlabsim.Server
	idx    *indexsim.Server
	token  string
	config string
	// projects are the fleet's GitLab projects, for finishing pipelines.
	projects []*gitlabsim.Project
}

func newFleet(tb testing.TB, n int) *fleetWorld {
	tb.Helper()
	w := &fleetWorld{clk: &clock{t: start}}
	w.gl = gitlabsim.New(gitlabsim.Options{Clock: w.clk.Now})
	tb.Cleanup(w.gl.Close)
	w.idx = newIndex(tb, w.clk, poolSize)
	_, w.token = w.gl.AddUser("pinwheel")
	dir := tb.TempDir()
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "index: {url: %q, json_api_url: %q}\nstate: %q\n", w.idx.IndexURL(), w.idx.JSONAPIURL(), filepath.Join(dir, "state.db"))
	fmt.Fprintf(&cfg, "gitlab: {url: %q, token_env: GITLAB_TOKEN}\nprojects:\n", w.gl.URL())
	for i := range n {
		path := fmt.Sprintf("fleet/app-%d", i)
		p := w.gl.CreateProject(path, "main")
		w.projects = append(w.projects, p)
		var file strings.Builder
		// Project i pins 300 consecutive packages of the pool, from a
		// different start: every package is shared by many projects. One
		// package in 100 is behind, so about 3 updates per project: the
		// first run opens them all and the next has nothing to do.
		for k := range pinsPerProj {
			file.WriteString(pinLine((i*37+k)%poolSize, 100))
		}
		w.gl.Commit(p, "main", "Initial", map[string]string{"constraints.txt": file.String()})
		fmt.Fprintf(&cfg, "  - path: %s\n", path)
	}
	w.config = filepath.Join(dir, "pinwheel.yaml")
	if err := os.WriteFile(w.config, []byte(cfg.String()), 0o600); err != nil {
		tb.Fatal(err)
	}
	w.gl.SetLatency(gitlabLatency)
	return w
}

// runOnce runs every project once in a child process and reports what
// the simulators saw.
func (w *fleetWorld) runOnce(b *testing.B, n int, name string) outcome {
	b.Helper()
	w.gl.ResetStats()
	w.idx.ResetCounters()
	o := runChild(b, job{Kind: "run", Config: w.config, Token: w.token, Now: w.clk.Now()})
	w.idx.Idle()
	if len(o.Failed) > 0 {
		b.Fatalf("%s: %d project(s) failed, first: %s", name, len(o.Failed), o.Failed[0])
	}
	st := w.gl.Stats()
	b.ReportMetric(o.Wall.Seconds(), name+"-wall-s")
	b.ReportMetric(float64(o.PeakRSS)/(1<<20), name+"-peak-RSS-MB")
	b.ReportMetric(float64(o.FileRSS)/(1<<20), name+"-file-RSS-MB")
	b.ReportMetric(float64(w.idx.RequestsOf(indexsim.KindSimpleProject)), name+"-page-requests")
	b.ReportMetric(float64(w.idx.Responses(http.StatusNotModified)), name+"-304s")
	b.ReportMetric(float64(w.idx.RequestsOf(indexsim.KindJSONVersion)), name+"-json-requests")
	b.ReportMetric(float64(st.Requests)/float64(n), name+"-gitlab-requests/project")
	b.ReportMetric(float64(st.Writes)/float64(n), name+"-gitlab-writes/project")
	return o
}

// BenchmarkFleet is one instance running n projects of 300 pins from a
// pool of 1,000 packages, with the default settings (parallel: 4): the
// first run, then an hour later a run with nothing new. PINWHEEL_FLEET_PROJECTS
// picks the sizes (default 10,50,200).
func BenchmarkFleet(b *testing.B) {
	skipUnlessAsked(b)
	sizes := []int{10, 50, 200}
	if v := os.Getenv("PINWHEEL_FLEET_PROJECTS"); v != "" {
		sizes = nil
		for _, s := range strings.Split(v, ",") {
			n, err := strconv.Atoi(s)
			if err != nil {
				b.Fatal(err)
			}
			sizes = append(sizes, n)
		}
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("%d-projects", n), func(b *testing.B) {
			for b.Loop() {
				w := newFleet(b, n)
				first := w.runOnce(b, n, "first")
				if first.PeakRSS > 150<<20 {
					b.Errorf("first run: peak RSS %d MB, target 150 MB", first.PeakRSS>>20)
				}
				if pages := w.idx.RequestsOf(indexsim.KindSimpleProject); n <= 200 && pages > poolSize {
					b.Errorf("first run: %d page requests, target ≤ %d", pages, poolSize)
				}
				w.clk.Add(time.Hour)
				w.runOnce(b, n, "nochange")
				// Every page answers 304 and the pinned versions' details
				// come from the cache: one revalidation per package, no
				// JSON API request.
				if reval, js := w.idx.Responses(http.StatusNotModified), w.idx.RequestsOf(indexsim.KindJSONVersion); reval > poolSize || js != 0 {
					b.Errorf("no-change run: %d revalidations and %d JSON API requests, target ≤ %d and 0", reval, js, poolSize)
				}
				// 3 reads a project (constraints file, dashboard issue, merge
				// requests since the last run), and one more for the
				// pipelines of its open update merge requests, which the
				// simulator leaves running. That one is needed: the
				// dashboard shows each pipeline's status, and a running one
				// will change without its merge request changing (GitLab's
				// merge request listing carries no pipeline; only the
				// single merge request's head_pipeline does, a request per
				// merge request). Once every pipeline has finished the
				// listing is skipped (the quiet run below).
				if st := w.gl.Stats(); st.Writes != 0 || st.Requests > 4*n {
					b.Errorf("no-change run: %d GitLab requests and %d writes for %d projects, target ≤ 4 and 0 per project: %v", st.Requests, st.Writes, n, st.ByEndpoint)
				}
				// The pipelines finish: the next run shows them on the
				// dashboards.
				for _, p := range w.projects {
					for _, pl := range w.gl.Pipelines(p) {
						w.gl.SetPipelineStatus(p, pl.SHA, "success")
					}
				}
				w.clk.Add(time.Hour)
				w.runOnce(b, n, "pipelines-done")
				// An hour later, nothing new and every pipeline known to
				// have finished: the pipelines are not listed.
				w.clk.Add(time.Hour)
				w.runOnce(b, n, "quiet")
				if st := w.gl.Stats(); st.Writes != 0 || st.Requests > 3*n {
					b.Errorf("quiet run: %d GitLab requests and %d writes for %d projects, target ≤ 3 and 0 per project: %v", st.Requests, st.Writes, n, st.ByEndpoint)
				}
			}
		})
	}
}
