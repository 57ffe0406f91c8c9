package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketOSV holds OSV vulnerability records by id. Adding it needed no
// schema bump: prepare creates it in older files, and an older pinwheel
// ignores a bucket it does not know.
var bucketOSV = []byte("osv_records")

// OSVRecord is one OSV record (GET /v1/vulns/{id}) as pinwheel keeps it:
// the body as OSV sent it, under the modified time OSV gave. Package osv
// reuses it while OSV reports the same modified time for the id.
type OSVRecord struct {
	ID       string
	Modified string
	// Body is the record's JSON.
	Body []byte
	// Stored is when it was stored (the DB's clock), for Prune.
	Stored time.Time
}

type osvEntry struct {
	Modified string          `json:"modified"`
	Stored   time.Time       `json:"stored"`
	Body     json.RawMessage `json:"body"`
}

// OSVCache is the bucket of OSV records. It implements osv.Cache.
type OSVCache struct {
	db *DB
}

// OSVCache returns the OSV record bucket.
func (db *DB) OSVCache() *OSVCache { return &OSVCache{db: db} }

// Get returns the record stored for id; ok is false when there is none.
func (c *OSVCache) Get(id string) (rec OSVRecord, ok bool, err error) {
	err = c.db.view(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketOSV).Get([]byte(id))
		if raw == nil {
			return nil
		}
		var e osvEntry
		if err := json.Unmarshal(raw, &e); err != nil {
			return fmt.Errorf("%w: OSV record %q: %v", ErrCorrupt, id, err)
		}
		// Unmarshal copies, so nothing points into bbolt's pages.
		rec = OSVRecord{ID: id, Modified: e.Modified, Body: e.Body, Stored: e.Stored}
		ok = true
		return nil
	})
	if err != nil {
		return OSVRecord{}, false, fmt.Errorf("get OSV record %s from %s: %w", id, c.db.path, err)
	}
	return rec, ok, nil
}

// Put stores rec, replacing any earlier record of its id; Stored is set
// from the DB's clock. Concurrent Puts share a transaction (bbolt's
// Batch), as the record fetches of a run come from several goroutines.
func (c *OSVCache) Put(rec OSVRecord) error {
	if rec.ID == "" {
		return errors.New("put OSV record: no id")
	}
	if !json.Valid(rec.Body) {
		return fmt.Errorf("put OSV record %s: the body is not JSON", rec.ID)
	}
	raw, err := json.Marshal(osvEntry{Modified: rec.Modified, Stored: c.db.now().UTC(), Body: rec.Body})
	if err != nil {
		return fmt.Errorf("put OSV record %s: %w", rec.ID, err)
	}
	err = c.db.batch(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOSV).Put([]byte(rec.ID), raw)
	})
	if err != nil {
		return fmt.Errorf("put OSV record %s to %s: %w", rec.ID, c.db.path, err)
	}
	return nil
}

// GetRecord is Get in osv.Cache's terms.
func (c *OSVCache) GetRecord(id string) (modified string, body []byte, stored time.Time, ok bool, err error) {
	rec, ok, err := c.Get(id)
	return rec.Modified, rec.Body, rec.Stored, ok, err
}

// PutRecord is Put in osv.Cache's terms.
func (c *OSVCache) PutRecord(id, modified string, body []byte) error {
	return c.Put(OSVRecord{ID: id, Modified: modified, Body: body})
}

// Prune deletes the records stored before cutoff (advisories of packages
// no longer pinned) and returns how many it removed. Package osv stores a
// record it keeps reusing again once a day (osv.RestampAfter), so a cutoff
// further back than that keeps the records still in use.
func (c *OSVCache) Prune(cutoff time.Time) (removed int, err error) {
	err = c.db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOSV)
		var stale [][]byte
		_ = b.ForEach(func(k, v []byte) error {
			var e osvEntry
			if json.Unmarshal(v, &e) != nil || e.Stored.Before(cutoff) {
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
		return 0, fmt.Errorf("prune OSV records in %s: %w", c.db.path, err)
	}
	return removed, nil
}

// Len returns the number of records stored.
func (c *OSVCache) Len() (int, error) {
	var n int
	err := c.db.view(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketOSV).Stats().KeyN
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("count OSV records in %s: %w", c.db.path, err)
	}
	return n, nil
}
