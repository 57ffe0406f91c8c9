package prepare

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Two jobs on one shell runner share SOFTWARE_DIR but not their inputs:
// each tarball must hold its own venv, not a mix of both.
func TestPrepareConcurrentRunsShareVenvPath(t *testing.T) {
	requirePython(t)
	f := newFixture(t)
	software := filepath.Join(t.TempDir(), "software")
	versions := []string{"1.0", "2.0"}
	opts := make([]Options, len(versions))
	errs := make([]error, len(versions))
	var wg sync.WaitGroup
	for i, v := range versions {
		o := f.options(t, "alpha=="+v)
		o.Constraints, o.SoftwareDir = "", software
		opts[i] = o
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = Prepare(context.Background(), o)
		}()
	}
	wg.Wait()
	rel := strings.TrimPrefix(filepath.Join(software, "venv"), "/")
	for i, v := range versions {
		if errs[i] != nil {
			t.Fatalf("alpha==%s: %v\nlog:\n%s", v, errs[i], opts[i].Log)
		}
		var dists []string
		for name := range members(t, opts[i].Output) {
			if strings.HasPrefix(name, rel) && strings.HasSuffix(name, ".dist-info/") && strings.Contains(name, "/alpha-") {
				dists = append(dists, filepath.Base(name))
			}
		}
		if want := "alpha-" + v + ".dist-info"; len(dists) != 1 || dists[0] != want {
			t.Errorf("tarball of alpha==%s holds %v, want only %s", v, dists, want)
		}
	}
}

// A job cancelled mid-install (GitLab sends SIGTERM) leaves no tarball and
// no temporary file behind.
func TestPrepareCancelledLeavesNothing(t *testing.T) {
	requirePython(t)
	f := newFixture(t)
	o := f.options(t, "beta")
	o.CacheDir = t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o.Log = &cancelOn{syncBuffer: &syncBuffer{}, marker: "[pip install] $", cancel: cancel}
	_, err := Prepare(ctx, o)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	assertNoTarball(t, filepath.Dir(o.Output), o.CacheDir)
}

// cancelOn cancels a run when its log shows marker.
type cancelOn struct {
	*syncBuffer
	marker string
	cancel func()
}

func (c *cancelOn) Write(p []byte) (int, error) {
	if strings.Contains(string(p), c.marker) {
		c.cancel()
	}
	return c.syncBuffer.Write(p)
}

// A package given as a git URL is pinned to its commit like a GitLab path,
// so a new commit on its branch changes the input hash.
func TestPrepareResolvesGitURLEntries(t *testing.T) {
	requirePython(t)
	f := newFixture(t)
	o := f.options(t, "git+"+f.gitBase+"/group/gamma.git@my-branch#egg=gamma")
	p, err := newPlan(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.reqs[0]; got.Commit != f.gammaBranch || got.Name != "gamma" {
		t.Fatalf("requirement %+v, want gamma at %s", got, f.gammaBranch)
	}
	if pip := p.reqs[0].Pip(); !strings.Contains(pip, "@"+f.gammaBranch) {
		t.Errorf("pip gets %q, want the resolved commit", pip)
	}
	gitProject(t, strings.TrimPrefix(f.gitBase, "file://"), "group/gamma", "my-branch", "gamma", "0.3")
	again, err := newPlan(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if again.hash == p.hash {
		t.Errorf("hash unchanged after a new commit on my-branch")
	}
}
