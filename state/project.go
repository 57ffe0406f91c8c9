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

	// The fields below are the scheduler's cache of GitLab; GitLab stays the
	// source of truth, and a record without them is rebuilt from it.

	// UserID is pinwheel's own GitLab user (GET /user), 0 when unknown.
	UserID int64 `json:"user_id,omitempty"`
	// DefaultBranch is the project's default branch, "" when unknown.
	DefaultBranch string `json:"default_branch,omitempty"`
	// MRsSeenUntil is the newest updated_at among pinwheel's merge requests
	// seen so far; the next listing asks only for later changes.
	MRsSeenUntil time.Time `json:"mrs_seen_until,omitzero"`
	// PipelinesSeenUntil is the same for pipelines.
	PipelinesSeenUntil time.Time `json:"pipelines_seen_until,omitzero"`
	// PipelinesCheckedAt is when a run last listed pipelines; a run soon
	// after, with every open merge request's pipeline finished, lists
	// none.
	PipelinesCheckedAt time.Time `json:"pipelines_checked_at,omitzero"`
	// MergeRequests maps an update branch to its latest merge request.
	MergeRequests map[string]MergeRequestRecord `json:"merge_requests,omitempty"`
	// RepoConfigAt is the target branch commit the project's
	// .pinwheel.yaml was last read at, RepoConfig its text ("" when it
	// had none): a run at the same commit reads nothing again.
	RepoConfigAt string `json:"repo_config_at,omitempty"`
	RepoConfig   string `json:"repo_config,omitempty"`

	// ClosedGroups maps a group branch to the versions (PEP 503 name ->
	// version) its closed merge requests carried: exactly those are not
	// proposed again.
	ClosedGroups map[string]map[string]string `json:"closed_groups,omitempty"`
}

// MergeRequestRecord is what the scheduler remembers of an update branch's
// latest merge request.
type MergeRequestRecord struct {
	IID    int64  `json:"iid"`
	Title  string `json:"title"`
	State  string `json:"state"` // opened, closed, merged, locked
	SHA    string `json:"sha,omitempty"`
	WebURL string `json:"web_url,omitempty"`
	// UpdatedAt is GitLab's updated_at of the merge request.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	// UserNotes is the user_notes_count of the last merge request
	// listing, plus the notes pinwheel posted since: the command catch-up
	// reads the notes only when it changed.
	UserNotes int64 `json:"user_notes,omitempty"`
	// PipelineID and Pipeline are the newest pipeline seen for SHA.
	PipelineID int64  `json:"pipeline_id,omitempty"`
	Pipeline   string `json:"pipeline,omitempty"`
	// PipelineChecked: a pipeline listing ran while SHA was the head, so
	// Pipeline ("" for none) is what GitLab had then.
	PipelineChecked bool `json:"pipeline_checked,omitempty"`
	// BuiltSHA is the commit pinwheel last wrote to the branch, Parent its
	// parent (the target branch head it was built on) and Blob the git blob
	// id of the constraints file in it; empty when pinwheel does not know.
	BuiltSHA string `json:"built_sha,omitempty"`
	Parent   string `json:"parent,omitempty"`
	Blob     string `json:"blob,omitempty"`
	// Noted is true once pinwheel has finished with a closed merge
	// request: posted its note (closed without merging, or closed as
	// obsolete) and deleted the branch or found it someone else's. Until
	// then each run finishes what an interrupted one left.
	Noted bool `json:"noted,omitempty"`
	// AutoMergeSHA is the head pinwheel last asked GitLab to auto-merge;
	// a run asks again while it differs from BuiltSHA (a run stopped
	// between opening the merge request and asking).
	AutoMergeSHA string `json:"auto_merge_sha,omitempty"`
	// Refused are the user ids of the members below Developer already told
	// on this merge request that its commands need a Developer: told once.
	Refused []int64 `json:"refused,omitempty"`
	// Versions are the versions a group branch carries (PEP 503 name ->
	// version), as pinwheel last built it; nil for one package's branch.
	Versions map[string]string `json:"versions,omitempty"`
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
