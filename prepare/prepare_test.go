package prepare

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// requirePython skips tests that build real venvs where the machine has no
// python3 with the venv module.
func requirePython(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds real venvs")
	}
	if err := exec.Command("python3", "-c", "import venv, ensurepip").Run(); err != nil {
		t.Skipf("python3 with venv and ensurepip not available: %v", err)
	}
}

// fixture is an index with two releases of alpha and one of beta (which
// needs alpha), and a git project group/gamma with production at 0.1 and
// my-branch at 0.2.
type fixture struct {
	indexURL    string
	gitBase     string
	gammaProd   string
	gammaBranch string
	constraints string
	closeIndex  func()
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	idx := newIndex(t,
		wheel{name: "alpha", version: "1.0"},
		wheel{name: "alpha", version: "2.0"},
		wheel{name: "beta", version: "1.5", requires: []string{"alpha>=1.0"}},
	)
	base := t.TempDir()
	f := &fixture{indexURL: idx.IndexURL(), gitBase: "file://" + base, closeIndex: idx.Close}
	f.gammaBranch = gitProject(t, base, "group/gamma", "my-branch", "gamma", "0.2")
	f.gammaProd = gitProject(t, base, "group/gamma", "production", "gamma", "0.1")
	f.constraints = filepath.Join(t.TempDir(), "constraints.txt")
	if err := os.WriteFile(f.constraints, []byte("alpha==1.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) options(t testing.TB, packages string) Options {
	dir := t.TempDir()
	return Options{
		Packages:    strings.Fields(packages),
		Constraints: f.constraints,
		GitLabURL:   f.gitBase,
		IndexURL:    f.indexURL,
		SoftwareDir: filepath.Join(dir, "software"),
		Output:      filepath.Join(dir, "out", "venv.tar.gz"),
		Log:         &syncBuffer{},
		Now:         func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) },
	}
}

// syncBuffer is a log sink safe for the concurrent steps.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// versions asks the venv's python for each module's __version__.
func versions(t testing.TB, python string, modules ...string) map[string]string {
	t.Helper()
	code := "import importlib\nfor m in " + pyList(modules) + ":\n    print(m, importlib.import_module(m).__version__)\n"
	out, err := exec.Command(python, "-c", code).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", python, err, out)
	}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		m, v, _ := strings.Cut(line, " ")
		got[m] = v
	}
	return got
}

func pyList(s []string) string {
	if len(s) == 0 {
		return "[]"
	}
	return "['" + strings.Join(s, "', '") + "']"
}

// members lists a tarball's headers by name.
func members(t testing.TB, path string) map[string]*tar.Header {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader
	if strings.HasSuffix(path, ".zst") {
		zr, err := zstd.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		r = zr
	} else {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	out := map[string]*tar.Header{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out[h.Name] = h
	}
}

// restore replaces the venv by the tarball's copy: the tarball is unpacked
// under a scratch root and its venv moved back to the original path, as
// `tar -xf OUT -C /` would do.
func restore(t testing.TB, tarball, venv string) {
	t.Helper()
	root := t.TempDir()
	if out, err := exec.Command("tar", "-xf", tarball, "-C", root).CombinedOutput(); err != nil {
		t.Fatalf("tar -xf: %v\n%s", err, out)
	}
	if err := os.RemoveAll(venv); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(root, venv), venv); err != nil {
		t.Fatal(err)
	}
}

func TestPrepareBuildsVenvTarball(t *testing.T) {
	requirePython(t)
	f := newFixture(t)
	gs, gl := newGitLab(t)
	kpet := gs.CreateProject("cki/kpet-db", "production")
	kpetSHA := gs.Commit(kpet, "production", "init", map[string]string{"index.yaml": "trees: {}\n"})
	for _, format := range []Format{Gzip, Zstd} {
		t.Run(string(format), func(t *testing.T) {
			o := f.options(t, "beta group/gamma")
			o.DataProjects, o.GitLab = []string{"cki/kpet-db"}, gl
			o.Output = strings.TrimSuffix(o.Output, ".tar.gz") + "." + string(format)
			res, err := Prepare(context.Background(), o)
			if err != nil {
				t.Fatalf("Prepare: %v\nlog:\n%s", err, o.Log)
			}
			venv := filepath.Join(o.SoftwareDir, "venv")
			if res.Venv != venv || res.CacheHit {
				t.Errorf("result venv %q hit %v, want %q and a miss", res.Venv, res.CacheHit, venv)
			}
			log := o.Log.(*syncBuffer).String()
			for _, want := range []string{"[venv] ", "[pip install] ", "[pip check] No broken requirements found.", "[pack] "} {
				if !strings.Contains(log, want) {
					t.Errorf("log lacks %q:\n%s", want, log)
				}
			}

			m := members(t, o.Output)
			rel := strings.TrimPrefix(venv, "/")
			if h := m[rel+"/bin/python"]; h == nil || h.Typeflag != tar.TypeSymlink || h.Linkname != "python3" {
				t.Errorf("bin/python member = %+v, want symlink to python3", h)
			}
			if h := m[rel+"/bin/pip"]; h == nil || h.Mode&0o111 == 0 {
				t.Errorf("bin/pip member = %+v, want executable", h)
			}
			if m[rel+"/"+ManifestName] == nil {
				t.Errorf("tarball lacks the manifest")
			}
			dataRel := strings.TrimPrefix(filepath.Join(o.SoftwareDir, "kpet-db"), "/")
			if h := m[dataRel+"/index.yaml"]; h == nil || h.Typeflag != tar.TypeReg {
				t.Errorf("tarball lacks the data project's index.yaml")
			}
			for name := range m {
				if strings.HasPrefix(name, "/") || !(strings.HasPrefix(name, rel) || strings.HasPrefix(name, dataRel)) {
					t.Errorf("member %q: want absolute venv paths without the leading /", name)
				}
			}

			restore(t, o.Output, venv)
			got := versions(t, filepath.Join(venv, "bin", "python"), "alpha", "beta", "gamma")
			want := map[string]string{"alpha": "1.0", "beta": "1.5", "gamma": "0.1"}
			if !maps(got, want) {
				t.Errorf("versions = %v, want %v (alpha pinned by constraints, gamma from production)", got, want)
			}

			man, err := ReadManifest(venv)
			if err != nil {
				t.Fatal(err)
			}
			if man.InputHash != res.Hash || len(res.Hash) != 64 {
				t.Errorf("manifest hash %q, result hash %q", man.InputHash, res.Hash)
			}
			if man.Python.Version == "" || man.Python.Platform == "" {
				t.Errorf("manifest python = %+v, want version and platform", man.Python)
			}
			if !slices.Contains(man.Freeze, "alpha==1.0") || !slices.Contains(man.Freeze, "beta==1.5") {
				t.Errorf("manifest freeze = %v, want alpha==1.0 and beta==1.5", man.Freeze)
			}
			gamma := man.Requirements[1]
			if gamma.Entry != "group/gamma" || gamma.Commit != f.gammaProd || !strings.HasSuffix(gamma.URL, "/group/gamma.git@production") {
				t.Errorf("manifest gamma = %+v, want production at %s", gamma, f.gammaProd)
			}
			if len(man.DataProjects) != 1 || man.DataProjects[0].Commit != kpetSHA {
				t.Errorf("manifest data projects = %+v, want kpet-db at %s", man.DataProjects, kpetSHA)
			}
			if man.Inputs.ConstraintsSHA256 == "" || man.Inputs.Format != format {
				t.Errorf("manifest inputs = %+v", man.Inputs)
			}
		})
	}
}

func maps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestPrepareOverrides(t *testing.T) {
	requirePython(t)
	f := newFixture(t)
	branchURL := "git+" + f.gitBase + "/group/gamma.git@my-branch"
	prodURL := "git+" + f.gitBase + "/group/gamma.git@production"
	tests := []struct {
		name       string
		environ    []string
		flags      map[string]string
		wantGamma  string
		wantSource string
	}{
		{"env, upper case", []string{"GAMMA_PIP_URL=" + branchURL, "OTHER_pip_url=x"}, nil, "0.2", "env GAMMA_PIP_URL"},
		{"flag wins over env", []string{"gamma_pip_url=" + branchURL}, map[string]string{"gamma": prodURL}, "0.1", "flag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := f.options(t, "group/gamma")
			o.Environ, o.Overrides = tt.environ, tt.flags
			res, err := Prepare(context.Background(), o)
			if err != nil {
				t.Fatalf("Prepare: %v\nlog:\n%s", err, o.Log)
			}
			if len(res.Overrides) != 1 || res.Overrides[0].Source != tt.wantSource {
				t.Errorf("overrides = %+v, want one from %s", res.Overrides, tt.wantSource)
			}
			if !strings.Contains(o.Log.(*syncBuffer).String(), "[override] ") {
				t.Errorf("override not printed")
			}
			if got := versions(t, filepath.Join(res.Venv, "bin", "python"), "gamma")["gamma"]; got != tt.wantGamma {
				t.Errorf("gamma = %s, want %s", got, tt.wantGamma)
			}
			man, err := ReadManifest(res.Venv)
			if err != nil {
				t.Fatal(err)
			}
			if len(man.Overrides) != 1 || man.Requirements[0].Override != tt.wantSource {
				t.Errorf("manifest overrides %+v, requirement %+v", man.Overrides, man.Requirements[0])
			}
		})
	}
}

func TestPrepareFailsWithPipsMessage(t *testing.T) {
	requirePython(t)
	f := newFixture(t)
	o := f.options(t, "alpha==2.0")
	if err := os.MkdirAll(filepath.Dir(o.Output), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Prepare(context.Background(), o)
	var se *StepError
	if !errors.As(err, &se) || se.Step != "pip install" {
		t.Fatalf("err = %v, want a pip install StepError", err)
	}
	if !strings.Contains(err.Error(), "ERROR: Cannot install alpha==2.0") || !strings.Contains(err.Error(), "conflict") {
		t.Errorf("error lacks pip's conflict message:\n%v", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(o.Output))
	if len(entries) != 0 {
		t.Errorf("output dir holds %v after a failure, want nothing", entries)
	}
}

func TestPrepareFailsPipCheck(t *testing.T) {
	requirePython(t)
	f := newFixture(t)
	gitProject(t, strings.TrimPrefix(f.gitBase, "file://"), "group/broken", "production", "broken", "1.0", "missingdep>=1")
	o := f.options(t, "group/broken")
	o.CacheDir = t.TempDir()
	_, err := Prepare(context.Background(), o)
	var se *StepError
	if !errors.As(err, &se) || se.Step != "pip check" {
		t.Fatalf("err = %v, want a pip check StepError", err)
	}
	if !strings.Contains(se.Output, "broken 1.0 requires missingdep, which is not installed.") {
		t.Errorf("error lacks pip check's message:\n%v", err)
	}
	assertNoTarball(t, filepath.Dir(o.Output), o.CacheDir)
}

// assertNoTarball checks that a failed run left nothing but lock files in
// dirs: no tarball, no temporary file.
func assertNoTarball(t *testing.T, dirs ...string) {
	t.Helper()
	for _, dir := range dirs {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".lock") {
				t.Errorf("%s holds %s after a failed run, want no tarball", dir, e.Name())
			}
		}
	}
}

func TestPrepareCache(t *testing.T) {
	requirePython(t)
	f := newFixture(t)
	o := f.options(t, "beta group/gamma")
	o.CacheDir = t.TempDir()
	first, err := Prepare(context.Background(), o)
	if err != nil {
		t.Fatalf("Prepare: %v\nlog:\n%s", err, o.Log)
	}
	built, err := os.ReadFile(o.Output)
	if err != nil {
		t.Fatal(err)
	}

	f.closeIndex() // a hit must not need pip, nor the index
	second := o
	second.Output = filepath.Join(t.TempDir(), "again.tar.gz")
	second.Log = &syncBuffer{}
	res, err := Prepare(context.Background(), second)
	if err != nil {
		t.Fatalf("Prepare (warm): %v\nlog:\n%s", err, second.Log)
	}
	if !res.CacheHit || res.Hash != first.Hash {
		t.Errorf("warm run hit %v hash %s, want a hit on %s", res.CacheHit, res.Hash, first.Hash)
	}
	if log := second.Log.(*syncBuffer).String(); strings.Contains(log, "[pip") || strings.Contains(log, "[venv]") {
		t.Errorf("warm run ran pip or venv:\n%s", log)
	}
	cached, err := os.ReadFile(second.Output)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(built, cached) {
		t.Errorf("cached tarball differs from the built one")
	}

	// A new commit on production changes the hash.
	gitProject(t, strings.TrimPrefix(f.gitBase, "file://"), "group/gamma", "production", "gamma", "0.3")
	p, err := newPlan(context.Background(), second)
	if err != nil {
		t.Fatal(err)
	}
	if p.hash == first.Hash {
		t.Errorf("hash unchanged after a new production commit")
	}
}

func TestPrepareConcurrentRunsShareCache(t *testing.T) {
	requirePython(t)
	f := newFixture(t)
	base := f.options(t, "beta")
	base.CacheDir = t.TempDir()
	var wg sync.WaitGroup
	results := make([]*Result, 2)
	errs := make([]error, 2)
	for i := range results {
		o := base
		o.Output = filepath.Join(t.TempDir(), "venv.tar.gz")
		o.Log = &syncBuffer{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = Prepare(context.Background(), o)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if results[0].CacheHit == results[1].CacheHit {
		t.Errorf("hits %v %v: want one build and one hit", results[0].CacheHit, results[1].CacheHit)
	}
	a, _ := os.ReadFile(results[0].Output)
	b, _ := os.ReadFile(results[1].Output)
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Errorf("outputs differ (%d and %d bytes)", len(a), len(b))
	}
	entries, err := os.ReadDir(base.CacheDir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{results[0].Hash + ".lock", results[0].Hash + ".tar.gz"}
	if !slices.Equal(names, want) {
		t.Errorf("cache holds %v, want %v", names, want)
	}
	members(t, filepath.Join(base.CacheDir, want[1])) // a whole, readable tarball
}
