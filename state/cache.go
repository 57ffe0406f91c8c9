package state

import (
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Cache is the registry client's HTTP cache: opaque values by key, each
// stamped with the time it was stored so Prune can drop stale ones. What a
// value holds (body, ETag, expiry) is the client's business.
type Cache struct {
	db *DB
}

// HTTPCache returns the HTTP cache bucket.
func (db *DB) HTTPCache() *Cache { return &Cache{db: db} }

// An entry is the store time (Unix nanoseconds, big-endian) then the value.
const stampLen = 8

// Get returns the value stored under key; ok is false when there is none.
func (c *Cache) Get(key string) (value []byte, ok bool, err error) {
	err = c.db.view(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketHTTP).Get([]byte(key))
		if raw == nil {
			return nil
		}
		if len(raw) < stampLen {
			return fmt.Errorf("%w: cache entry %q is %d bytes", ErrCorrupt, key, len(raw))
		}
		// bbolt's bytes live only as long as the transaction.
		value = append([]byte{}, raw[stampLen:]...)
		ok = true
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("cache get %q from %s: %w", key, c.db.path, err)
	}
	return value, ok, nil
}

// Put stores value under key, replacing any earlier value.
//
// Puts from concurrent goroutines (the registry client's workers) share
// one write transaction through bbolt's Batch: each transaction syncs the
// file, and one per response made a cold look-up of 300 pins spend over a
// second in fsync alone. A Put returns once its transaction is on disk.
func (c *Cache) Put(key string, value []byte) error {
	entry := make([]byte, stampLen+len(value))
	binary.BigEndian.PutUint64(entry, uint64(c.db.now().UnixNano()))
	copy(entry[stampLen:], value)
	err := c.db.batch(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketHTTP).Put([]byte(key), entry)
	})
	if err != nil {
		return fmt.Errorf("cache put %q to %s: %w", key, c.db.path, err)
	}
	return nil
}

// Delete removes key; deleting a missing key is not an error.
func (c *Cache) Delete(key string) error {
	err := c.db.update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketHTTP).Delete([]byte(key))
	})
	if err != nil {
		return fmt.Errorf("cache delete %q from %s: %w", key, c.db.path, err)
	}
	return nil
}

// Prune deletes the entries stored before cutoff and returns how many it
// removed. The daemon calls it once per run (for example with now minus a
// week) so entries for packages no longer pinned do not pile up; the cache
// is bounded by age rather than count because a run touches every pinned
// package, so anything a run still needs is always recent.
func (c *Cache) Prune(cutoff time.Time) (removed int, err error) {
	limit := cutoff.UnixNano()
	err = c.db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketHTTP)
		// Collect first: deleting while a cursor walks a bbolt bucket can skip keys.
		var stale [][]byte
		_ = b.ForEach(func(k, v []byte) error {
			if len(v) < stampLen || int64(binary.BigEndian.Uint64(v)) < limit {
				stale = append(stale, append([]byte{}, k...))
			}
			return nil
		})
		for _, k := range stale {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		removed = len(stale)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("prune cache in %s: %w", c.db.path, err)
	}
	return removed, nil
}

// Len returns the number of entries in the cache.
func (c *Cache) Len() (int, error) {
	var n int
	err := c.db.view(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketHTTP).Stats().KeyN
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("count cache entries in %s: %w", c.db.path, err)
	}
	return n, nil
}
