package prepare

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/gitlabsim"
)

func newGitLab(t testing.TB) (*gitlabsim.Server, *gitlab.Client) {
	t.Helper()
	s := gitlabsim.New(gitlabsim.Options{})
	t.Cleanup(s.Close)
	_, token := s.AddUser("bot")
	gl, err := gitlab.NewClient(token, gitlab.WithBaseURL(s.URL()), gitlab.WithoutRetries())
	if err != nil {
		t.Fatal(err)
	}
	return s, gl
}

func TestDataProjectsFromArchive(t *testing.T) {
	s, gl := newGitLab(t)
	p := s.CreateProject("cki/kpet-db", "main")
	s.Commit(p, "main", "init", map[string]string{"README": "main\n"})
	sha := s.Commit(p, "production", "release", map[string]string{"index.yaml": "trees: {}\n", "trees/rhel.yaml": "arch: x86_64\n"})

	dir := t.TempDir()
	ctx := context.Background()
	data, err := resolveDataProjects(ctx, gl, []string{"cki/kpet-db"}, "production", dir)
	if err != nil {
		t.Fatal(err)
	}
	want := DataProject{Path: "cki/kpet-db", Commit: sha, Dir: filepath.Join(dir, "kpet-db")}
	if len(data) != 1 || data[0] != want {
		t.Fatalf("resolved %+v, want %+v", data, want)
	}
	// A stale file from an earlier run must not survive.
	if err := os.MkdirAll(want.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(want.Dir, "stale"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := fetchDataProjects(ctx, gl, &syncBuffer{}, data, MaxDataProjectSize); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"index.yaml": "trees: {}\n", "trees/rhel.yaml": "arch: x86_64\n"} {
		got, err := os.ReadFile(filepath.Join(want.Dir, name))
		if err != nil || string(got) != body {
			t.Errorf("%s = %q, %v; want %q", name, got, err, body)
		}
	}
	if _, err := os.Stat(filepath.Join(want.Dir, "stale")); err == nil {
		t.Errorf("stale file survived, want only the production tree")
	}
}

func TestDataProjectsMissingBranch(t *testing.T) {
	s, gl := newGitLab(t)
	p := s.CreateProject("cki/kpet-db", "main")
	s.Commit(p, "main", "init", map[string]string{"README": "main\n"})
	_, err := resolveDataProjects(context.Background(), gl, []string{"cki/kpet-db"}, "production", t.TempDir())
	if !errors.Is(err, ErrRefNotFound) {
		t.Errorf("err = %v, want ErrRefNotFound", err)
	}
}

// gitlabArchive builds a tar.gz in GitLab's layout: everything under one
// top-level directory.
func gitlabArchive(t testing.TB, members ...tar.Header) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, h := range members {
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write(make([]byte, h.Size)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestUnpackArchive(t *testing.T) {
	top := "kpet-db-production-0123456789abcdef0123456789abcdef01234567/"
	tests := []struct {
		name    string
		members []tar.Header
		want    map[string]os.FileMode // relative path -> mode (type and perm)
		wantErr bool
	}{
		{
			name: "strips the top directory, keeps modes and links",
			members: []tar.Header{
				{Typeflag: tar.TypeXGlobalHeader, Name: "pax_global_header", PAXRecords: map[string]string{"comment": "0123"}},
				{Typeflag: tar.TypeDir, Name: top, Mode: 0o775},
				{Typeflag: tar.TypeReg, Name: top + "run.sh", Mode: 0o775, Size: 3},
				{Typeflag: tar.TypeReg, Name: top + "data/a.yaml", Mode: 0o664, Size: 1},
				{Typeflag: tar.TypeSymlink, Name: top + "latest", Linkname: "data"},
			},
			want: map[string]os.FileMode{"run.sh": 0o775, "data/a.yaml": 0o664, "latest": os.ModeSymlink},
		},
		{
			name: "refuses writing through a symlink out of the directory",
			members: []tar.Header{
				{Typeflag: tar.TypeSymlink, Name: top + "etc", Linkname: "/tmp"},
				{Typeflag: tar.TypeReg, Name: top + "etc/pinwheel-escaped", Mode: 0o644, Size: 1},
			},
			wantErr: true,
		},
		{
			name:    "refuses members outside the directory",
			members: []tar.Header{{Typeflag: tar.TypeReg, Name: top + "../../evil", Mode: 0o644, Size: 1}},
			wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "kpet-db")
			err := UnpackArchive(bytes.NewReader(gitlabArchive(t, tt.members...)), dir, MaxDataProjectSize)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			for rel, mode := range tt.want {
				fi, err := os.Lstat(filepath.Join(dir, rel))
				if err != nil {
					t.Errorf("%s: %v", rel, err)
					continue
				}
				got := fi.Mode() & (os.ModeType | os.ModePerm)
				if mode == os.ModeSymlink {
					got &= os.ModeType
				}
				if got != mode {
					t.Errorf("%s mode = %v, want %v", rel, got, mode)
				}
			}
		})
	}
}

// A small archive that unpacks to much more than the cap (zeros compress
// about 1000:1) stops at the member that would pass it.
func TestUnpackArchiveStopsPastTheCap(t *testing.T) {
	top := "bomb-production-0123/"
	tests := []struct {
		name    string
		sizes   []int64
		limit   int64
		wantErr bool
	}{
		{"one member past the cap", []int64{3 << 20}, 1 << 20, true},
		{"members that together pass it", []int64{600 << 10, 600 << 10}, 1 << 20, true},
		{"exactly the cap", []int64{512 << 10, 512 << 10}, 1 << 20, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var members []tar.Header
			for i, n := range tt.sizes {
				members = append(members, tar.Header{Typeflag: tar.TypeReg, Name: top + "f" + itoa(i), Mode: 0o644, Size: n})
			}
			archive := gitlabArchive(t, members...)
			err := UnpackArchive(bytes.NewReader(archive), filepath.Join(t.TempDir(), "bomb"), tt.limit)
			if got := errors.Is(err, ErrTooLarge); got != tt.wantErr {
				t.Fatalf("err = %v (archive %d bytes), want ErrTooLarge %v", err, len(archive), tt.wantErr)
			}
		})
	}
}

// An archive download past the cap stops while streaming and leaves
// neither the data directory nor a temporary file behind.
func TestDataProjectDownloadPastTheCap(t *testing.T) {
	s, gl := newGitLab(t)
	p := s.CreateProject("cki/big-db", "production")
	noise := make([]byte, 256<<10)
	if _, err := rand.Read(noise); err != nil {
		t.Fatal(err)
	}
	s.Commit(p, "production", "data", map[string]string{"blob": string(noise)})
	dir := t.TempDir()
	ctx := context.Background()
	data, err := resolveDataProjects(ctx, gl, []string{"cki/big-db"}, "production", dir)
	if err != nil {
		t.Fatal(err)
	}
	err = fetchDataProjects(ctx, gl, &syncBuffer{}, data, 64<<10)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "cki/big-db") {
		t.Fatalf("err = %v, want ErrTooLarge naming the project", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
