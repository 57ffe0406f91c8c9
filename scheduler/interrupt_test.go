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

	"github.com/pinwheel-dev/pinwheel/gitlabsim"
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
		fmt.Fprintf(&b, "MR !%d %s %s %s auto-merge %v reviewers %v assignees %v\n", mr.IID, mr.State, mr.SourceBranch, mr.Title,
			mr.AutoMerge, mr.ReviewerIDs, mr.AssigneeIDs)
	}
	mainLen := len(e.gl.Commits(e.proj, "main"))
	branches := append(slices.Clone(allBranches), brWeb, brMisc)
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
	e := newEnv(t, unlimited)
	e.mustRun() // Wednesday: the dashboard
	e.tick("unschedule", brCertifi)
	e.clock.Add(time.Hour)
	e.mustRun() // certifi opened
	e.gl.CloseMR(e.proj, e.mrFor(brCertifi).IID)
	e.tick("unschedule", brIdna)
	e.clock.Set(saturday)
	return e
}

// Interrupting the run at every GitLab call boundary (the context
// cancelled, the answer lost, or GitLab answering 502 after it made the
// change), then running again, ends where an uninterrupted run ends: no
// duplicate issue, label, branch, MR, commit or note, no lost tick.
func TestInterruptAtEveryCall(t *testing.T) {
	interruptEveryCall(t, interruptScenario)
}

// The same for the very first run on a Saturday, which creates the label,
// the dashboard issue and every merge request.
func TestInterruptFirstRunAtEveryCall(t *testing.T) {
	interruptEveryCall(t, func(t *testing.T) *env {
		e := newEnv(t, unlimited)
		e.clock.Set(saturday)
		return e
	})
}

// The same for a run that rebuilds open merge requests: a newer release
// of requests, and a change to the constraints file on the target.
func TestInterruptRebuildAtEveryCall(t *testing.T) {
	interruptEveryCall(t, func(t *testing.T) *env {
		e := openAll(t)
		e.release("requests", "2.32.5", saturday)
		data, _ := e.gl.File(e.proj, "main", "constraints.txt")
		e.gl.Commit(e.proj, "main", "Reviewed", map[string]string{
			"constraints.txt": strings.Replace(string(data), "# pins", "# pins, reviewed", 1),
		})
		e.clock.Add(time.Hour)
		return e
	})
}

// The same for a run that cleans up: an MR made obsolete by a person's
// bump on main (closed, branch deleted), one made obsolete whose branch a
// person pushed to (closed, branch kept), and an MR a person closed (its
// branch deleted).
func TestInterruptCleanupAtEveryCall(t *testing.T) {
	interruptEveryCall(t, func(t *testing.T) *env {
		e := openAll(t)
		e.gl.Commit(e.proj, brIdna, "Pin idna for the tests", map[string]string{"tests.txt": "x\n"})
		e.gl.CloseMR(e.proj, e.mrFor(brCertifi).IID)
		data, _ := e.gl.File(e.proj, "main", "constraints.txt")
		bumped := strings.NewReplacer("requests==2.31.0", "requests==2.32.4", "idna==3.4", "idna==3.10").Replace(string(data))
		e.gl.Commit(e.proj, "main", "Bump by hand", map[string]string{"constraints.txt": bumped})
		e.clock.Add(time.Hour)
		return e
	})
}

func interruptEveryCall(t *testing.T, scenario func(*testing.T) *env) {
	ref := scenario(t)
	ref.gl.ResetStats()
	ref.mustRun()
	calls := ref.gl.Stats().Requests
	ref.step(t, "settle")
	ref.step(t, "settle")
	want := ref.snapshot()
	if calls < 10 {
		t.Fatalf("the reference run made only %d calls", calls)
	}

	for _, mode := range []string{"cancel", "lost", "5xx"} {
		for k := 0; k <= calls; k++ {
			if testing.Short() && k%6 != 0 && k != calls {
				continue // -short: a sample of the calls; the full suite tries each
			}
			name := fmt.Sprintf("cancel after %d", k)
			switch mode {
			case "lost":
				name = fmt.Sprintf("answer %d lost", k+1)
			case "5xx":
				if k == calls {
					continue
				}
				name = fmt.Sprintf("answer %d is 502 after the write", k+1)
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				e := scenario(t)
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				switch mode {
				case "5xx":
					// GitLab made the change but answered 502: client-go
					// retries GET and PUT, not POST, so the run stops and
					// the next one must adopt what the POST made.
					e.gl.Inject(gitlabsim.Fault{Status: http.StatusBadGateway, Skip: k, AfterServing: true})
				default:
					it := &interrupter{k: k, lost: mode == "lost"}
					if mode == "cancel" {
						it.cancel = cancel
					}
					e.wrap = func(next http.RoundTripper) http.RoundTripper { it.next = next; return it }
				}
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
