package prepare

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
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
	f, err := os.OpenFile(filepath.Join(c.Dir, hash+".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock cache entry: %w", err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock cache entry: %w", err)
	}
	return func() {
		unlockFile(f)
		f.Close()
	}, nil
}
