package state

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func openTemp(t testing.TB, opts ...Option) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sub", "state.db")
	db, err := Open(path, opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db, path
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new", "dir", "state.db")
	db, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := db.HTTPCache().Put("https://pypi.org/simple/requests/", []byte("body")); err != nil {
		t.Fatal(err)
	}
	want := ProjectRecord{
		DashboardIID:  7,
		LastRun:       time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		LastError:     "boom",
		ClosedUpdates: map[string]string{"pinwheel/django-5.x": "5.0.1"},
	}
	if err := db.PutProject("group/app", want); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = Open(path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	got, ok, err := db.HTTPCache().Get("https://pypi.org/simple/requests/")
	if err != nil || !ok || string(got) != "body" {
		t.Errorf("cache after reopen = %q, %v, %v; want body, true, nil", got, ok, err)
	}
	rec, err := db.Project("group/app")
	if err != nil {
		t.Fatal(err)
	}
	if !rec.LastRun.Equal(want.LastRun) || rec.DashboardIID != 7 || rec.LastError != "boom" ||
		rec.ClosedUpdates["pinwheel/django-5.x"] != "5.0.1" {
		t.Errorf("project after reopen = %+v, want %+v", rec, want)
	}
}

func TestOpenLockedInSameProcess(t *testing.T) {
	_, path := openTemp(t)
	start := time.Now()
	db, err := Open(path)
	if err == nil {
		db.Close()
		t.Fatal("second Open succeeded; want ErrLocked")
	}
	if !errors.Is(err, ErrLocked) {
		t.Errorf("err = %v; want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "another pinwheel holds it") {
		t.Errorf("err = %q; want it to name %s and the holder", err, path)
	}
	t.Logf("refused after %v", time.Since(start))
}

// TestHelperProcess is not a test: TestOpenLockedByOtherProcess re-executes
// the test binary to run it as the second process.
func TestHelperProcess(t *testing.T) {
	path := os.Getenv("PINWHEEL_STATE_HELPER")
	if path == "" {
		t.Skip("helper process only")
	}
	db, err := Open(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "locked=%v err=%v\n", errors.Is(err, ErrLocked), err)
		os.Exit(3)
	}
	db.Close()
	os.Exit(0)
}

func TestOpenLockedByOtherProcess(t *testing.T) {
	_, path := openTemp(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "PINWHEEL_STATE_HELPER="+path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("helper: %v (stderr %q); want exit 3", err, stderr.String())
	}
	want := fmt.Sprintf("locked=true err=open state %s: locked: another pinwheel holds it", path)
	if got := strings.TrimSpace(stderr.String()); got != want {
		t.Errorf("helper stderr = %q\nwant %q", got, want)
	}
}

// validStateFile writes a real state file big enough that truncating it
// cuts off pages bbolt has recorded as written.
func validStateFile(t *testing.T, path string) {
	t.Helper()
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	value := bytes.Repeat([]byte("x"), 4096)
	if err := db.update(func(tx *bolt.Tx) error {
		for i := range 256 {
			if err := tx.Bucket(bucketHTTP).Put([]byte(strconv.Itoa(i)), value); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestOpenRefusesBadFiles(t *testing.T) {
	tests := []struct {
		name  string
		write func(t *testing.T, path string)
		want  error
	}{
		{"short garbage", func(t *testing.T, path string) {
			writeFile(t, path, []byte("not a database"))
		}, ErrCorrupt},
		{"page-sized garbage", func(t *testing.T, path string) {
			writeFile(t, path, bytes.Repeat([]byte("garbage!"), 8192))
		}, ErrCorrupt},
		{"truncated to one page", func(t *testing.T, path string) {
			validStateFile(t, path)
			truncate(t, path, 4096)
		}, ErrCorrupt},
		{"truncated mid-file", func(t *testing.T, path string) {
			validStateFile(t, path)
			truncate(t, path, 64*1024)
		}, ErrCorrupt},
		{"damaged branch page", func(t *testing.T, path string) {
			validStateFile(t, path)
			clobberPage(t, path, "branch")
		}, ErrCorrupt},
		{"someone else's bbolt file", func(t *testing.T, path string) {
			db, err := bolt.Open(path, 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Update(func(tx *bolt.Tx) error {
				_, err := tx.CreateBucket([]byte("users"))
				return err
			}); err != nil {
				t.Fatal(err)
			}
			db.Close()
		}, ErrNotState},
		{"newer schema", func(t *testing.T, path string) {
			setSchema(t, path, "2")
		}, ErrSchema},
		{"unreadable schema", func(t *testing.T, path string) {
			setSchema(t, path, "two")
		}, ErrSchema},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.db")
			tt.write(t, path)
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			db, err := Open(path)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded; want an error")
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v; want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("err = %q; want it to name %s", err, path)
			}
			after, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(before, after) {
				t.Errorf("Open changed the refused file (%d bytes before, %d after)", len(before), len(after))
			}
			// A refused file must not stay locked by the failed attempt.
			if _, err := Open(path); errors.Is(err, ErrLocked) {
				t.Errorf("second attempt: %v; the first one leaked the lock", err)
			}
		})
	}
}

func TestNewerSchemaMessage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	setSchema(t, path, "9")
	_, err := Open(path)
	want := "open state " + path + ": unsupported schema version 9: this pinwheel supports up to 1; upgrade pinwheel or use another state file"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
}

// An empty file, a directory and a file that is not bbolt are refused
// with what they are and what to do; nothing is created in their place.
func TestOpenRefusalSaysWhatToDo(t *testing.T) {
	tests := []struct {
		name  string
		make  func(t *testing.T, path string)
		want  error
		words string
	}{
		{"empty file", func(t *testing.T, path string) { writeFile(t, path, nil) }, ErrEmpty, "empty file (0 bytes)"},
		{"directory", func(t *testing.T, path string) {
			if err := os.Mkdir(path, 0o700); err != nil {
				t.Fatal(err)
			}
		}, ErrNotFile, "it is a directory"},
		{"not bbolt", func(t *testing.T, path string) { writeFile(t, path, []byte("hello\n")) }, ErrCorrupt, "not a readable bbolt database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.db")
			tt.make(t, path)
			for name, open := range map[string]func(string, ...Option) (*DB, error){"Open": Open, "OpenCopy": OpenCopy} {
				db, err := open(path)
				if err == nil {
					db.Close()
					t.Fatalf("%s succeeded", name)
				}
				if !errors.Is(err, tt.want) {
					t.Errorf("%s: err = %v, want %v", name, err, tt.want)
				}
				for _, w := range []string{path, tt.words, "delete it", "GitLab is the source of truth"} {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("%s: err = %q, want it to say %q", name, err, w)
					}
				}
			}
			if info, err := os.Stat(path); err != nil || (tt.want == ErrEmpty && info.Size() != 0) {
				t.Errorf("the refused path changed: %v, %v", info, err)
			}
		})
	}
}

// OpenCopy reads the file and never writes it: the copy has its data and
// takes writes, the file keeps its bytes, and Close deletes the copy. With
// no file, nothing is created, not even the directory.
func TestOpenCopyLeavesTheFileAlone(t *testing.T) {
	db, path := openTemp(t)
	if err := db.HTTPCache().Put("k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o400); err != nil {
		t.Fatal(err)
	}
	cp, err := OpenCopy(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok, err := cp.HTTPCache().Get("k"); err != nil || !ok || string(got) != "v" {
		t.Errorf("copy's cache: %q %v %v", got, ok, err)
	}
	if err := cp.PutProject("g/p", ProjectRecord{DashboardIID: 3}); err != nil {
		t.Fatal(err)
	}
	tmp := cp.Path()
	if err := cp.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("copy %s left behind: %v", tmp, err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("OpenCopy changed the file")
	}

	missing := filepath.Join(t.TempDir(), "no", "such", "state.db")
	cp, err = OpenCopy(missing)
	if err != nil {
		t.Fatal(err)
	}
	cp.Close()
	if _, err := os.Stat(filepath.Dir(missing)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenCopy created %s", filepath.Dir(missing))
	}
}

// A file a daemon holds is reported as locked, so a dry run can fall back.
func TestOpenCopyOfLockedFile(t *testing.T) {
	db, path := openTemp(t)
	_ = db
	if _, err := OpenCopy(path, WithLockTimeout(time.Millisecond)); !errors.Is(err, ErrLocked) {
		t.Errorf("err = %v, want ErrLocked", err)
	}
}

// setSchema writes a state file, then overwrites its schema version the way
// another pinwheel build would.
func setSchema(t *testing.T, path, version string) {
	t.Helper()
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	if err := bdb.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySchema, []byte(version))
	}); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func truncate(t *testing.T, path string, size int64) {
	t.Helper()
	if err := os.Truncate(path, size); err != nil {
		t.Fatal(err)
	}
}

// clobberPage overwrites the first page of the given type ("branch", "leaf")
// with 0xff bytes.
func clobberPage(t *testing.T, path, pageType string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, PreLoadFreelist: true})
	if err != nil {
		t.Fatal(err)
	}
	var id, size int
	err = db.View(func(tx *bolt.Tx) error {
		size = tx.DB().Info().PageSize
		for i := 2; ; i++ {
			p, err := tx.Page(i)
			if err != nil || p == nil {
				return fmt.Errorf("no %s page: %v", pageType, err)
			}
			if p.Type == pageType {
				id = i
				return nil
			}
		}
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xff}, size), int64(id*size)); err != nil {
		t.Fatal(err)
	}
}
