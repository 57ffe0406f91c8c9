// Package state owns pinwheel's one state file: a bbolt database holding the
// registry's HTTP cache, OSV vulnerability records, the daemon's
// per-project records, the test bot's records of the pipelines it
// triggered (bot.go), and the merge request commands received and the
// ignore rules they set (command.go).
//
// Nothing else in pinwheel opens the file. Open takes bbolt's exclusive file
// lock and gives up almost at once when another pinwheel holds it, so two
// daemons never share a file and a second one fails loudly instead of
// hanging. The file carries a schema version in its meta bucket: a file
// written by a newer pinwheel, a file that is not a bbolt database, or a
// bbolt database that is not a pinwheel state file is refused and left as it
// is; so are an empty (0-byte) file and a directory, with a message saying
// to delete it (GitLab is the source of truth). State is never silently
// wiped or recreated. OpenCopy gives a dry run a private copy that takes
// writes while the file itself is only read.
//
// The package stores bytes and typed records; it decides nothing about what
// to cache or when a project should run.
package state

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// SchemaVersion is the layout this build reads and writes. Bump it, and add a
// step to migrate, whenever a bucket or a stored encoding changes shape.
const SchemaVersion = 1

var (
	// ErrLocked means another pinwheel (process or open handle) holds the file.
	ErrLocked = errors.New("locked: another pinwheel holds it")
	// ErrCorrupt means the file is not a readable bbolt database.
	ErrCorrupt = errors.New("not a readable bbolt database (corrupt or truncated)")
	// ErrNotState means the file is a bbolt database that pinwheel did not write.
	ErrNotState = errors.New("not a pinwheel state file")
	// ErrSchema means the file's schema version is one this build cannot use,
	// usually because a newer pinwheel wrote it.
	ErrSchema = errors.New("unsupported schema version")
	// ErrEmpty means the file exists but has no bytes: not a database
	// pinwheel wrote (bbolt writes its first pages when it creates one),
	// so it is refused rather than silently adopted.
	ErrEmpty = errors.New("empty file (0 bytes), not a bbolt database")
	// ErrNotFile means the path names a directory or another non-regular
	// file.
	ErrNotFile = errors.New("not a regular file")
)

// whatToDo is added to the errors that refuse a file pinwheel cannot use.
// The state file holds a cache and per-run records only: GitLab (the
// issues, branches and merge requests) is the source of truth, so
// starting afresh loses nothing that matters.
const whatToDo = "delete it (or set state to another path) and pinwheel starts afresh: GitLab is the source of truth"

var (
	bucketMeta     = []byte("meta")
	bucketHTTP     = []byte("http_cache")
	bucketProjects = []byte("projects")
	keySchema      = []byte("schema_version")
)

// DB is an open state file. It is safe for concurrent use.
type DB struct {
	bolt *bolt.DB
	path string
	now  func() time.Time
	// cleanup, for a copy, removes its temporary directory.
	cleanup func()
}

type options struct {
	// lockTimeout is how long Open waits for another pinwheel to release
	// the file: 100ms, enough to ride out a restart, short enough that a
	// second daemon fails at once.
	lockTimeout time.Duration
	now         func() time.Time
}

// Option changes how Open behaves.
type Option func(*options)

// WithClock sets the clock that stamps cache entries (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// Open opens the state file at path, creating it and its directory when
// missing. Errors name the file and match ErrLocked, ErrCorrupt, ErrNotState
// or ErrSchema with errors.Is where a caller may want to branch.
func Open(path string, opts ...Option) (*DB, error) {
	o := options{lockTimeout: 100 * time.Millisecond, now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	if o.lockTimeout <= 0 {
		// bbolt reads a zero timeout as "wait forever".
		o.lockTimeout = time.Nanosecond
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	if err := verify(path, o.lockTimeout); err != nil {
		return nil, refusal(path, err)
	}
	bdb, err := openBolt(path, &bolt.Options{Timeout: o.lockTimeout})
	if err != nil {
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	db := &DB{bolt: bdb, path: path, now: o.now}
	if err := db.prepare(); err != nil {
		_ = bdb.Close()
		return nil, refusal(path, err)
	}
	return db, nil
}

// refusal says which file was refused and why, and for a file that can
// only be state gone bad (empty, corrupt, a directory) what to do.
func refusal(path string, err error) error {
	if errors.Is(err, ErrEmpty) || errors.Is(err, ErrCorrupt) || errors.Is(err, ErrNotFile) {
		return fmt.Errorf("open state %s: %w; %s", path, err, whatToDo)
	}
	return fmt.Errorf("open state %s: %w", path, err)
}

// verify opens an existing file read-only and checks it page by page before
// the read-write open. bbolt's read-write Open walks the freelist at once,
// and on a truncated or damaged file that read faults or panics while bbolt
// still holds the file mapped and locked; a read-only open touches only the
// meta pages, so it can refuse such a file cleanly. It costs one pass over
// the file per Open, which for a cache of a few thousand entries is
// milliseconds.
func verify(path string, lockTimeout time.Duration) error {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil // bbolt will create it
	case err != nil:
		return err
	case info.IsDir():
		return fmt.Errorf("%w: it is a directory", ErrNotFile)
	case !info.Mode().IsRegular():
		return fmt.Errorf("%w: its mode is %s", ErrNotFile, info.Mode().Type())
	case info.Size() == 0:
		return ErrEmpty
	}
	db, err := openBolt(path, &bolt.Options{ReadOnly: true, Timeout: lockTimeout})
	if err != nil {
		return err
	}
	defer db.Close()
	return guard(func() error {
		return db.View(func(tx *bolt.Tx) error {
			if tx.Size() > info.Size() {
				return fmt.Errorf("%w: file is %d bytes, its pages need %d", ErrCorrupt, info.Size(), tx.Size())
			}
			var first error
			for err := range tx.Check() { // drain: Check's goroutine sends every problem
				if first == nil {
					first = fmt.Errorf("%w: %v", ErrCorrupt, err)
				}
			}
			return first
		})
	})
}

// openBolt opens the file with bbolt and turns its failures into our
// sentinels. SetPanicOnFault turns a SIGBUS from a mapped page past the end
// of a file into a recoverable panic rather than a crash.
func openBolt(path string, opts *bolt.Options) (db *bolt.DB, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, fmt.Errorf("%w: %v", ErrCorrupt, r)
		}
	}()
	db, err = bolt.Open(path, 0o600, opts)
	switch {
	case err == nil:
		return db, nil
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, ErrLocked
	case errors.Is(err, bolterrors.ErrInvalid),
		errors.Is(err, bolterrors.ErrChecksum),
		errors.Is(err, bolterrors.ErrVersionMismatch):
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	var pathErr *os.PathError
	if errors.As(err, &pathErr) {
		return nil, err
	}
	// bbolt reports a file shorter than its two meta pages with a bare
	// fmt.Errorf ("file size too small"); anything else left is about the
	// file's content too.
	return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
}

// prepare stamps a new file with the schema version and its buckets, and
// refuses a file it cannot use.
func (db *DB) prepare() error {
	return db.update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			empty := true
			_ = tx.ForEach(func([]byte, *bolt.Bucket) error { empty = false; return nil })
			if !empty {
				return ErrNotState
			}
			var err error
			if meta, err = tx.CreateBucket(bucketMeta); err != nil {
				return err
			}
			if err := meta.Put(keySchema, []byte(strconv.Itoa(SchemaVersion))); err != nil {
				return err
			}
		}
		raw := meta.Get(keySchema)
		version, err := strconv.Atoi(string(raw))
		if err != nil {
			return fmt.Errorf("%w: stored version %q is not a number", ErrSchema, raw)
		}
		if version > SchemaVersion {
			return fmt.Errorf("%w %d: this pinwheel supports up to %d; upgrade pinwheel or use another state file", ErrSchema, version, SchemaVersion)
		}
		if version < 1 {
			return fmt.Errorf("%w %d", ErrSchema, version)
		}
		for _, name := range [][]byte{bucketHTTP, bucketProjects, bucketOSV} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	})
}

// Path returns the file the DB was opened from.
func (db *DB) Path() string { return db.path }

// Close releases the file and its lock (and deletes a copy OpenCopy made).
func (db *DB) Close() error {
	if db.cleanup != nil {
		defer db.cleanup()
	}
	if err := db.bolt.Close(); err != nil {
		return fmt.Errorf("close state %s: %w", db.path, err)
	}
	return nil
}

// view and update run a bbolt transaction, turning a panic from a damaged
// page (bbolt panics on pages it cannot make sense of) into ErrCorrupt.
func (db *DB) view(fn func(*bolt.Tx) error) error {
	return guard(func() error { return db.bolt.View(fn) })
}

func (db *DB) update(fn func(*bolt.Tx) error) error {
	return guard(func() error { return db.bolt.Update(fn) })
}

// batch is update for writes that may share a transaction with other
// goroutines' (bbolt's Batch); fn may run more than once, so it must only
// write. bbolt runs the shared transaction on a goroutine of its own,
// where guard cannot catch a panic from a damaged page; Open has checked
// every page, so batch is kept to the cache's small puts.
func (db *DB) batch(fn func(*bolt.Tx) error) error {
	return guard(func() error { return db.bolt.Batch(fn) })
}

func guard(fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrCorrupt, r)
		}
	}()
	return fn()
}
