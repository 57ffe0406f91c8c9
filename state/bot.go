package state

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketBotTests holds the test bot's records, by BotTest.ID. It is
// created on the first write, so files without it need no migration.
var bucketBotTests = []byte("bot_tests")

// BotTest is the test bot's record of one "@pinwheel test" command: what
// it was asked to run, and how far it got. It is written before the
// pipeline is triggered, so a restarted daemon finishes what a killed one
// began instead of starting it again (see package testbot). Stored as
// JSON, like ProjectRecord.
type BotTest struct {
	// ID names the command: "<project id>!<mr iid>#<note id>".
	ID string `json:"id"`
	// Project and ProjectID are the package project the merge request is
	// in; MRIID its IID; NoteID the command's note.
	Project   string `json:"project"`
	ProjectID int64  `json:"project_id"`
	MRIID     int64  `json:"mr_iid"`
	NoteID    int64  `json:"note_id"`
	// Commenter is the username of who asked.
	Commenter string `json:"commenter,omitempty"`
	// SHA is the merge request's head commit the pipeline tests.
	SHA string `json:"sha"`
	// Variables are the pipeline variables, in the order they are set.
	Variables []BotVariable `json:"variables"`
	// Digest identifies the merge request, commit and variables: two
	// records with the same Digest ask for the same pipeline.
	Digest string `json:"digest"`
	// Phase is BotTriggering, BotRunning or BotDone.
	Phase string `json:"phase"`
	// Attempts counts trigger requests sent; past 0, the pipeline may
	// exist even though PipelineID is unknown (the answer was lost).
	Attempts int `json:"attempts,omitempty"`
	// PipelineID and PipelineURL are the triggered pipeline, Status its
	// last seen status.
	PipelineID  int64  `json:"pipeline_id,omitempty"`
	PipelineURL string `json:"pipeline_url,omitempty"`
	Status      string `json:"status,omitempty"`
	// ReplyNoteID is the bot's reply on the merge request, Reported the
	// status the reply shows.
	ReplyNoteID int64  `json:"reply_note_id,omitempty"`
	Reported    string `json:"reported,omitempty"`
	// ReplyAttempts counts replies posted; past 0 with no ReplyNoteID, the
	// reply may exist (the answer was lost).
	ReplyAttempts int `json:"reply_attempts,omitempty"`
	// NoReply is set for tests started from the command line: they
	// print, and write no note.
	NoReply bool `json:"no_reply,omitempty"`
	// Error says why no pipeline could be triggered.
	Error     string    `json:"error,omitempty"`
	Requested time.Time `json:"requested"`
	Finished  time.Time `json:"finished,omitzero"`
}

// BotVariable is one pipeline variable of a BotTest.
type BotVariable struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Phases of a BotTest.
const (
	BotReceived   = "received"   // a command to decide on; retried until decided
	BotTriggering = "triggering" // recorded; the pipeline may or may not exist yet
	BotRunning    = "running"    // the pipeline exists and has not finished
	BotDone       = "done"       // finished, or could not be triggered; nothing left to do
)

// ClaimBotTest writes rec unless a stored record clashes with it, in one
// transaction: it returns the stored record with rec's ID, else the first
// for which clash is true (and writes nothing), or nil after writing rec.
// So a command is claimed once. A stored record with rec's ID in phase
// BotReceived (a command not decided on yet) is no clash: rec replaces it.
func (db *DB) ClaimBotTest(rec BotTest, clash func(BotTest) bool) (*BotTest, error) {
	var found *BotTest
	err := db.update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketBotTests)
		if err != nil {
			return err
		}
		if v := b.Get([]byte(rec.ID)); v != nil {
			var old BotTest
			if err := json.Unmarshal(v, &old); err != nil {
				return fmt.Errorf("%w: bot record %s: %v", ErrCorrupt, rec.ID, err)
			}
			if old.Phase != BotReceived || rec.Phase == BotReceived {
				found = &old
				return nil
			}
		}
		err = b.ForEach(func(k, v []byte) error {
			var old BotTest
			if err := json.Unmarshal(v, &old); err != nil {
				return fmt.Errorf("%w: bot record %s: %v", ErrCorrupt, k, err)
			}
			if found == nil && old.ID != rec.ID && clash(old) {
				found = &old
			}
			return nil
		})
		if err != nil || found != nil {
			return err
		}
		return putBotTest(b, rec)
	})
	if err != nil {
		return nil, fmt.Errorf("claim bot test %s in %s: %w", rec.ID, db.path, err)
	}
	return found, nil
}

// PutBotTest replaces the record with rec's ID.
func (db *DB) PutBotTest(rec BotTest) error {
	err := db.update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketBotTests)
		if err != nil {
			return err
		}
		return putBotTest(b, rec)
	})
	if err != nil {
		return fmt.Errorf("write bot test %s to %s: %w", rec.ID, db.path, err)
	}
	return nil
}

// BotTests lists the stored records in ID byte order.
func (db *DB) BotTests() ([]BotTest, error) {
	var out []BotTest
	err := db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketBotTests)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var rec BotTest
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("%w: bot record %s: %v", ErrCorrupt, k, err)
			}
			out = append(out, rec)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list bot tests in %s: %w", db.path, err)
	}
	return out, nil
}

// DeleteBotTest forgets the record id.
func (db *DB) DeleteBotTest(id string) error {
	err := db.update(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketBotTests); b != nil {
			return b.Delete([]byte(id))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete bot test %s from %s: %w", id, db.path, err)
	}
	return nil
}

func putBotTest(b *bolt.Bucket, rec BotTest) error {
	raw, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return b.Put([]byte(rec.ID), raw)
}
