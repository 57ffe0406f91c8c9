package state

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// OpenCopy opens a private, temporary copy of the state file at path, for
// a dry run: the copy starts with the file's cache and records (so the
// preview is as fast and sees what a real run would), takes writes, and
// is deleted by Close. The file at path is only read, with a read-only
// open that takes a shared lock; it is never created or changed, and its
// directory need not be writable. With no file at path the copy starts
// empty.
//
// A file another pinwheel holds (a daemon's exclusive lock) gives
// ErrLocked; the caller may then use OpenCopy("") for an empty copy.
// Other files Open refuses are refused here the same way.
func OpenCopy(path string, opts ...Option) (*DB, error) {
	o := options{lockTimeout: 100 * time.Millisecond, now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	if o.lockTimeout <= 0 {
		o.lockTimeout = time.Nanosecond
	}
	dir, err := os.MkdirTemp("", "pinwheel-state-copy-")
	if err != nil {
		return nil, fmt.Errorf("temporary state: %w", err)
	}
	cleanup := func() { os.RemoveAll(dir) }
	tmp := filepath.Join(dir, "state.db")
	if path != "" {
		if err := copyState(path, tmp, o.lockTimeout); err != nil {
			cleanup()
			return nil, err
		}
	}
	db, err := Open(tmp, opts...)
	if err != nil {
		cleanup()
		return nil, fmt.Errorf("copy of state %s: %w", path, err)
	}
	db.cleanup = cleanup
	return db, nil
}

// copyState writes a consistent snapshot of the file at path to tmp; a
// missing file leaves tmp absent.
func copyState(path, tmp string, lockTimeout time.Duration) error {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err := verify(path, lockTimeout); err != nil {
		return refusal(path, err)
	}
	src, err := openBolt(path, &bolt.Options{ReadOnly: true, Timeout: lockTimeout})
	if err != nil {
		return refusal(path, err)
	}
	defer src.Close()
	err = guard(func() error {
		return src.View(func(tx *bolt.Tx) error { return tx.CopyFile(tmp, 0o600) })
	})
	if err != nil {
		return fmt.Errorf("copy state %s: %w", path, err)
	}
	return nil
}
