package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ProjectRecord is what the daemon remembers about one GitLab project
// between runs. It is stored as JSON, so adding a field is backward
// compatible: older records decode with the new field at its zero value.
type ProjectRecord struct {
	// DashboardIID is the IID of the project's dependency dashboard issue,
	// 0 when none is known yet.
	DashboardIID int64 `json:"dashboard_iid,omitempty"`
	// LastRun is when the last run for the project finished.
	LastRun time.Time `json:"last_run,omitzero"`
	// LastError is the last run's error message, "" when it succeeded.
	LastError string `json:"last_error,omitempty"`
	// ClosedUpdates maps an update branch to the version a human closed
	// without merging, so pinwheel does not reopen it; the fallback when
	// GitLab's merge request history says nothing.
	ClosedUpdates map[string]string `json:"closed_updates,omitempty"`
}

// Project returns the record stored for the GitLab project at path (for
// example "group/app"); a project never stored gives the zero record.
func (db *DB) Project(path string) (ProjectRecord, error) {
	var rec ProjectRecord
	err := db.view(func(tx *bolt.Tx) error {
		return getProject(tx, path, &rec)
	})
	if err != nil {
		return ProjectRecord{}, fmt.Errorf("read project %s from %s: %w", path, db.path, err)
	}
	return rec, nil
}

// PutProject replaces the record for the project at path.
func (db *DB) PutProject(path string, rec ProjectRecord) error {
	err := db.update(func(tx *bolt.Tx) error {
		return putProject(tx, path, rec)
	})
	if err != nil {
		return fmt.Errorf("write project %s to %s: %w", path, db.path, err)
	}
	return nil
}

// UpdateProject reads the record for path, lets fn change it and writes it
// back in one transaction, so the scheduler and a webhook handler changing
// different fields at once do not lose each other's writes. When fn returns
// an error nothing is written.
func (db *DB) UpdateProject(path string, fn func(*ProjectRecord) error) error {
	// A panic in fn is the caller's bug, not a damaged file: carry it past
	// the transaction's guard and re-raise it once bbolt has rolled back.
	var fnPanic any
	err := db.update(func(tx *bolt.Tx) error {
		var rec ProjectRecord
		if err := getProject(tx, path, &rec); err != nil {
			return err
		}
		if err := callSafely(fn, &rec, &fnPanic); err != nil {
			return err
		}
		return putProject(tx, path, rec)
	})
	if fnPanic != nil {
		panic(fnPanic)
	}
	if err != nil {
		return fmt.Errorf("update project %s in %s: %w", path, db.path, err)
	}
	return nil
}

// DeleteProject forgets the project at path.
func (db *DB) DeleteProject(path string) error {
	err := db.update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketProjects).Delete([]byte(path))
	})
	if err != nil {
		return fmt.Errorf("delete project %s from %s: %w", path, db.path, err)
	}
	return nil
}

// Projects lists the paths of all stored projects in byte order.
func (db *DB) Projects() ([]string, error) {
	var paths []string
	err := db.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketProjects).ForEach(func(k, _ []byte) error {
			paths = append(paths, string(k))
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list projects in %s: %w", db.path, err)
	}
	return paths, nil
}

var errCallerPanicked = errors.New("update function panicked")

func callSafely(fn func(*ProjectRecord) error, rec *ProjectRecord, panicked *any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			*panicked, err = r, errCallerPanicked
		}
	}()
	return fn(rec)
}

func getProject(tx *bolt.Tx, path string, rec *ProjectRecord) error {
	raw := tx.Bucket(bucketProjects).Get([]byte(path))
	if raw == nil {
		return nil
	}
	if err := json.Unmarshal(raw, rec); err != nil {
		return fmt.Errorf("%w: project record: %v", ErrCorrupt, err)
	}
	return nil
}

func putProject(tx *bolt.Tx, path string, rec ProjectRecord) error {
	raw, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketProjects).Put([]byte(path), raw)
}
