package prepare

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// Cache keeps finished tarballs by input hash. Entries are written through
// a temporary file and renamed, and a per-hash lock file makes a second run
// with the same inputs wait for the first and then take its entry, so
// concurrent runs neither corrupt an entry nor build it twice.
type Cache struct {
	Dir string
}

func (c Cache) path(hash string, f Format) string {
	return filepath.Join(c.Dir, hash+"."+string(f))
}

// Get copies the entry for hash to out, reporting whether there was one.
func (c Cache) Get(hash string, f Format, out string) (bool, error) {
	src, err := os.Open(c.path(hash, f))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read cache: %w", err)
	}
	defer src.Close()
	err = writeAtomic(out, func(w io.Writer) error {
		_, err := io.Copy(w, src)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("copy from cache: %w", err)
	}
	return true, nil
}

// Put stores the tarball at file as the entry for hash.
func (c Cache) Put(hash string, f Format, file string) error {
	src, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("store in cache: %w", err)
	}
	defer src.Close()
	err = writeAtomic(c.path(hash, f), func(w io.Writer) error {
		_, err := io.Copy(w, src)
		return err
	})
	if err != nil {
		return fmt.Errorf("store in cache: %w", err)
	}
	return nil
}

// lock takes the per-hash lock; the returned func releases it.
func (c Cache) lock(hash string) (func(), error) {
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("create cache: %w", err)
	}
	unlock, err := lockPath(filepath.Join(c.Dir, hash+".lock"))
	if err != nil {
		return nil, fmt.Errorf("lock cache entry: %w", err)
	}
	return unlock, nil
}

// lockTrees takes the lock of each directory a build writes (the venv, the
// data projects), in path order so that two runs never wait on each other
// in a circle. Two runs with different inputs but the same venv path (a
// shell runner running two jobs) would otherwise build into one directory
// and pack each other's files, into the cache too. The lock file sits
// beside the directory, outside the tarball.
func lockTrees(dirs []string) (func(), error) {
	sorted := slices.Clone(dirs)
	slices.Sort(sorted)
	var unlocks []func()
	release := func() {
		for i := len(unlocks) - 1; i >= 0; i-- {
			unlocks[i]()
		}
	}
	for _, dir := range slices.Compact(sorted) {
		if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
			release()
			return nil, fmt.Errorf("lock %s: %w", dir, err)
		}
		unlock, err := lockPath(filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+".pinwheel-lock"))
		if err != nil {
			release()
			return nil, fmt.Errorf("lock %s: %w", dir, err)
		}
		unlocks = append(unlocks, unlock)
	}
	return release, nil
}

// lockPath takes an exclusive lock on the file at path, creating it, and
// waits while another process holds it.
func lockPath(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		unlockFile(f)
		f.Close()
	}, nil
}
