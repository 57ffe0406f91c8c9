package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// interrupter lets k requests through; in "lost" mode request k+1 reaches
// GitLab but its answer is lost; every later request fails unsent. In
// "cancel" mode the run's context is cancelled once k requests are done.
type interrupter struct {
	mu     sync.Mutex
	next   http.RoundTripper
	k, n   int
	lost   bool
	cancel context.CancelFunc
}

var errCut = errors.New("connection reset by test")

func (it *interrupter) RoundTrip(r *http.Request) (*http.Response, error) {
	it.mu.Lock()
	it.n++
	n := it.n
	it.mu.Unlock()
	switch {
	case n <= it.k:
		resp, err := it.next.RoundTrip(r)
		if n == it.k && it.cancel != nil {
			it.cancel()
		}
		return resp, err
	case n == it.k+1 && it.lost:
		if resp, err := it.next.RoundTrip(r); err == nil {
			resp.Body.Close()
		}
		return nil, errCut
	default:
		return nil, errCut
	}
}

// snapshot is what GitLab holds at the end, in comparable form.
func (e *env) snapshot() string {
	var b strings.Builder
	for _, is := range e.gl.Issues(e.proj) {
		fmt.Fprintf(&b, "issue #%d %s %s\n%s\n", is.IID, is.State, is.Title, strings.ReplaceAll(is.Description, e.gl.URL(), "GITLAB"))
	}
	for _, mr := range e.gl.MergeRequests(e.proj) {
		fmt.Fprintf(&b, "MR !%d %s %s %s\n", mr.IID, mr.State, mr.SourceBranch, mr.Title)
	}
	mainLen := len(e.gl.Commits(e.proj, "main"))
	branches := slices.Clone(allBranches)
	for _, br := range branches {
		head, ok := e.gl.Branch(e.proj, br)
		if !ok {
			fmt.Fprintf(&b, "branch %s missing\n", br)
			continue
		}
		data, _ := e.gl.File(e.proj, head, "constraints.txt")
		fmt.Fprintf(&b, "branch %s: %d commits over main, %x\n", br, len(e.gl.Commits(e.proj, head))-mainLen, data)
	}
	for _, mr := range e.gl.MergeRequests(e.proj) {
		fmt.Fprintf(&b, "notes !%d: %d\n", mr.IID, len(e.gl.MRNotes(e.proj, mr.IID)))
	}
	// Every push starts a pipeline: a commit written twice shows here even
	// though the force push hid the first one from the branch.
	pushes := map[string]int{}
	for _, pl := range e.gl.Pipelines(e.proj) {
		pushes[pl.Ref]++
	}
	for _, br := range branches {
		fmt.Fprintf(&b, "pushes to %s: %d\n", br, pushes[br])
	}
	return b.String()
}

// interruptScenario prepares a project with a dashboard, a ticked box and
// a closed MR, for a Saturday run with work of every kind to do.
func interruptScenario(t *testing.T) *env {
	e := newEnv(t, "    limits: {open_mrs: 0, new_mrs_per_run: 0}\n")
	e.mustRun() // Wednesday: the dashboard
	e.tick("unschedule", brCertifi)
	e.clock.Add(time.Hour)
	e.mustRun() // certifi opened
	e.gl.CloseMR(e.proj, e.mrFor(brCertifi).IID)
	e.tick("unschedule", brIdna)
	e.clock.Set(saturday)
	return e
}

// Interrupting the run at every GitLab call boundary, then running again,
// ends where an uninterrupted run ends: no duplicate issue, branch, MR,
// commit or note, no lost tick.
func TestInterruptAtEveryCall(t *testing.T) {
	ref := interruptScenario(t)
	ref.gl.ResetStats()
	ref.mustRun()
	calls := ref.gl.Stats().Requests
	ref.step(t, "settle")
	ref.step(t, "settle")
	want := ref.snapshot()
	if calls < 10 {
		t.Fatalf("the reference run made only %d calls", calls)
	}

	for _, lost := range []bool{false, true} {
		for k := 0; k <= calls; k++ {
			name := fmt.Sprintf("cancel after %d", k)
			if lost {
				name = fmt.Sprintf("answer %d lost", k+1)
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				e := interruptScenario(t)
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				it := &interrupter{k: k, lost: lost}
				if !lost {
					it.cancel = cancel
				}
				e.wrap = func(next http.RoundTripper) http.RoundTripper { it.next = next; return it }
				e.runCtx(ctx, false)
				e.wrap = nil
				e.step(t, "after the interruption")
				e.step(t, "settle")
				if got := e.snapshot(); got != want {
					t.Errorf("end state differs:\n--- got\n%s\n--- want\n%s", got, want)
				}
			})
		}
	}
}
