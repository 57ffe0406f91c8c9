//go:build unix

package prepare

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestLockTreesExcludesOtherRuns(t *testing.T) {
	dir := t.TempDir()
	unlock, err := lockTrees([]string{filepath.Join(dir, "venv"), filepath.Join(dir, "kpet-db"), filepath.Join(dir, "venv")})
	if err != nil {
		t.Fatal(err)
	}
	// Another run opens the same lock files: flock locks belong to the open
	// file, so a second open in this process stands in for it.
	try := func(name string) error {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	}
	for _, name := range []string{".venv.pinwheel-lock", ".kpet-db.pinwheel-lock"} {
		if err := try(name); !errors.Is(err, syscall.EWOULDBLOCK) {
			t.Errorf("%s while held: flock err = %v, want EWOULDBLOCK", name, err)
		}
	}
	unlock()
	for _, name := range []string{".venv.pinwheel-lock", ".kpet-db.pinwheel-lock"} {
		if err := try(name); err != nil {
			t.Errorf("%s after unlock: %v", name, err)
		}
	}
}
