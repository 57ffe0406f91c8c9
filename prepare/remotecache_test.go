package prepare

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/gitlabsim"
)

// remoteCache is a RemoteCache on a simulated project, reached with a CI
// job token as in a pipeline.
func remoteCache(t testing.TB) (*gitlabsim.Server, *gitlabsim.Project, RemoteCache) {
	t.Helper()
	s := gitlabsim.New(gitlabsim.Options{})
	t.Cleanup(s.Close)
	p := s.CreateProject("group/app", "main")
	gl, err := gitlab.NewJobClient(s.AddJobToken("ci"), gitlab.WithBaseURL(s.URL()), gitlab.WithoutRetries())
	if err != nil {
		t.Fatal(err)
	}
	return s, p, RemoteCache{GitLab: gl, Project: "group/app"}
}

// smallTarball writes a valid .tar.zst with one member.
func smallTarball(t testing.TB, path, content string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := zstd.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(zw)
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "venv/x", Mode: 0o644, Size: int64(len(content))}); err != nil {
		t.Fatal(err)
	}
	tw.Write([]byte(content))
	tw.Close()
	zw.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const testHash = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestRemoteCacheGet(t *testing.T) {
	tests := []struct {
		name    string
		fault   func(*gitlabsim.Server, *gitlabsim.Project)
		stored  bool
		wantHit bool
		wantErr error // nil: no error
	}{
		{name: "hit", stored: true, wantHit: true},
		{name: "miss", stored: false},
		{name: "stored file corrupted", stored: true, wantErr: ErrCorrupt,
			fault: func(s *gitlabsim.Server, p *gitlabsim.Project) {
				s.CorruptPackageFile(p, RemotePackage, testHash, "venv.tar.zst")
			}},
		{name: "download cut halfway", stored: true, wantErr: ErrCorrupt,
			fault: func(s *gitlabsim.Server, p *gitlabsim.Project) { s.CutPackageDownloads(p, 1) }},
		{name: "GitLab down", stored: true, wantErr: errAny,
			fault: func(s *gitlabsim.Server, p *gitlabsim.Project) {
				s.Inject(gitlabsim.Fault{Status: http.StatusServiceUnavailable, Match: "GET"})
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, p, rc := remoteCache(t)
			dir := t.TempDir()
			src := filepath.Join(dir, "built.tar.zst")
			want := smallTarball(t, src, "venv")
			if tt.stored {
				if _, err := rc.Put(context.Background(), testHash, Zstd, src); err != nil {
					t.Fatal(err)
				}
			}
			if tt.fault != nil {
				tt.fault(s, p)
			}
			out := filepath.Join(dir, "out", "venv.tar.zst")
			hit, tr, err := rc.Get(context.Background(), testHash, Zstd, out)
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("err = %v", err)
			case tt.wantErr == errAny && err == nil, tt.wantErr != nil && tt.wantErr != errAny && !errors.Is(err, tt.wantErr):
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if hit != tt.wantHit {
				t.Errorf("hit = %v, want %v", hit, tt.wantHit)
			}
			got, rerr := os.ReadFile(out)
			if tt.wantHit {
				if !bytes.Equal(got, want) || tr.Down != int64(len(want)) {
					t.Errorf("out holds %d bytes (%d moved), want the %d stored", len(got), tr.Down, len(want))
				}
				return
			}
			if rerr == nil {
				t.Errorf("a miss left %d bytes at the output", len(got))
			}
			if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 0 {
				t.Errorf("a miss left %v", entries)
			}
		})
	}
}

// errAny stands for "some error" in the table.
var errAny = errors.New("any error")

func TestRemoteCachePutTwice(t *testing.T) {
	for _, deny := range []bool{false, true} {
		t.Run(map[bool]string{false: "duplicates allowed", true: "duplicates denied"}[deny], func(t *testing.T) {
			s, p, rc := remoteCache(t)
			if deny {
				s.DenyDuplicatePackages(p)
			}
			dir := t.TempDir()
			a, b := filepath.Join(dir, "a.tar.zst"), filepath.Join(dir, "b.tar.zst")
			smallTarball(t, a, "first build")
			second := smallTarball(t, b, "second build of the same inputs")
			for _, f := range []string{a, b} {
				if _, err := rc.Put(context.Background(), testHash, Zstd, f); err != nil {
					t.Fatalf("put %s: %v", f, err)
				}
			}
			out := filepath.Join(dir, "out.tar.zst")
			hit, _, err := rc.Get(context.Background(), testHash, Zstd, out)
			if err != nil || !hit {
				t.Fatalf("get = %v, %v", hit, err)
			}
			if got, _ := os.ReadFile(out); deny == bytes.Equal(got, second) {
				t.Errorf("got the %s upload", map[bool]string{true: "second", false: "first"}[bytes.Equal(got, second)])
			}
		})
	}
}

func TestRemoteCachePutFails(t *testing.T) {
	_, _, rc := remoteCache(t)
	rc.Project = "group/nope"
	src := filepath.Join(t.TempDir(), "a.tar.zst")
	smallTarball(t, src, "x")
	_, err := rc.Put(context.Background(), testHash, Zstd, src)
	if !errors.Is(err, gitlab.ErrNotFound) || !strings.Contains(err.Error(), "group/nope: packages/generic/pinwheel-venv/"+testHash+"/venv.tar.zst") {
		t.Errorf("err = %v, want a 404 naming the package file", err)
	}
}

// Three runners with the same inputs: the first builds and stores, the
// second finds the stored tarball corrupted, builds and stores again, and
// the third, with the index gone, takes the tarball from GitLab and its
// venv imports the pinned versions.
func TestPrepareRemoteCache(t *testing.T) {
	requirePython(t)
	f := newFixture(t)
	s, p, rc := remoteCache(t)
	base := f.options(t, "beta group/gamma")
	base.Remote = &rc
	run := func(name string) (*Result, Options) {
		t.Helper()
		o := base
		o.Output = filepath.Join(t.TempDir(), "venv.tar.zst")
		o.Log = &syncBuffer{}
		// Another runner: nothing of the last build's venv is left.
		if err := os.RemoveAll(o.SoftwareDir); err != nil {
			t.Fatal(err)
		}
		res, err := Prepare(context.Background(), o)
		if err != nil {
			t.Fatalf("%s: %v\nlog:\n%s", name, err, o.Log)
		}
		return res, o
	}

	first, o := run("first")
	if first.CacheHit || first.Remote.Up == 0 || !strings.Contains(o.Log.(*syncBuffer).String(), "[cache] gitlab stored group/app: packages/generic/pinwheel-venv/"+first.Hash+"/venv.tar.zst") {
		t.Errorf("first run: hit %v, uploaded %d bytes, log:\n%s", first.CacheHit, first.Remote.Up, o.Log)
	}
	if files := s.PackageFiles(p, RemotePackage, first.Hash); len(files) != 1 || files[0].FileName != "venv.tar.zst" {
		t.Fatalf("stored %+v, want one venv.tar.zst", files)
	}

	s.CorruptPackageFile(p, RemotePackage, first.Hash, "venv.tar.zst")
	second, o := run("second")
	if second.CacheHit || !strings.Contains(o.Log.(*syncBuffer).String(), "corrupt download") {
		t.Errorf("second run: hit %v on a corrupted entry, log:\n%s", second.CacheHit, o.Log)
	}
	if files := s.PackageFiles(p, RemotePackage, first.Hash); len(files) != 2 {
		t.Errorf("stored %d files, want the rebuilt one too", len(files))
	}

	f.closeIndex() // a hit needs neither pip nor the index
	third, o := run("third")
	if !third.CacheHit || third.CacheSource != "gitlab" || third.Hash != first.Hash || third.Remote.Down != second.Remote.Up {
		t.Fatalf("third run: hit %v from %q, hash %s, %d bytes down (%d up before); log:\n%s",
			third.CacheHit, third.CacheSource, third.Hash, third.Remote.Down, second.Remote.Up, o.Log)
	}
	if log := o.Log.(*syncBuffer).String(); strings.Contains(log, "[pip") || strings.Contains(log, "[venv]") {
		t.Errorf("a hit ran pip or venv:\n%s", log)
	}
	venv := filepath.Join(o.SoftwareDir, "venv")
	if err := os.MkdirAll(venv, 0o755); err != nil {
		t.Fatal(err)
	}
	restore(t, o.Output, venv)
	got := versions(t, filepath.Join(venv, "bin", "python"), "alpha", "beta", "gamma")
	if want := map[string]string{"alpha": "1.0", "beta": "1.5", "gamma": "0.1"}; !maps(got, want) {
		t.Errorf("versions = %v, want %v", got, want)
	}
}

func TestPrepareRemoteCacheStoresNothingOnFailure(t *testing.T) {
	requirePython(t)
	f := newFixture(t)
	s, _, rc := remoteCache(t)
	o := f.options(t, "alpha==2.0") // the constraints pin alpha==1.0
	o.Remote = &rc
	res, err := Prepare(context.Background(), o)
	if err == nil {
		t.Fatalf("Prepare succeeded (%+v), want pip's conflict", res)
	}
	st := s.Stats()
	if n := st.ByEndpoint["PUT /projects/:id/packages/generic/:package_name/:package_version/:file_name"]; n != 0 {
		t.Errorf("%d uploads after a failed build", n)
	}
}

// Without GitLab's X-Checksum-SHA256 (older instances) a download is read
// through instead: a cut or flipped tarball fails its own checksums.
func TestReadTarballCatchesDamage(t *testing.T) {
	whole := smallTarball(t, filepath.Join(t.TempDir(), "a.tar.zst"), strings.Repeat("venv ", 1000))
	flipped := bytes.Clone(whole)
	flipped[len(flipped)/2] ^= 0xff
	tests := []struct {
		name    string
		b       []byte
		wantErr bool
	}{
		{"whole", whole, false},
		{"cut", whole[:len(whole)/2], true},
		{"flipped byte", flipped, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := readTarball(bytes.NewReader(tt.b), Zstd); (err != nil) != tt.wantErr {
				t.Errorf("err = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}
