package state

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Buckets of the merge request commands (package scheduler, commands.go):
// the comments received, by MRCommand.ID, and the ignore rules they set,
// by "<project>\x00<IgnoreRule.Key>". Both are created on the first write,
// so files without them need no migration.
var (
	bucketCommands = []byte("mr_commands")
	bucketIgnores  = []byte("ignore_rules")
)

// MRCommand is the record of one comment that may be a command on one of
// pinwheel's merge requests. It is written when the webhook arrives, before
// any GitLab call, so a delivery of the same note again, or a restart,
// never runs it twice, and a command that arrives while GitLab fails is
// answered by a later run.
type MRCommand struct {
	// ID names the comment: "<project id>!<mr iid>#<note id>".
	ID string `json:"id"`
	// Project is the configured project's path (as configured).
	Project   string `json:"project"`
	ProjectID int64  `json:"project_id"`
	MRIID     int64  `json:"mr_iid"`
	NoteID    int64  `json:"note_id"`
	// Done is set once the command was answered, or found to be none.
	Done bool `json:"done,omitempty"`
	// Result is how it ended: a metrics.Command* value.
	Result   string    `json:"result,omitempty"`
	Received time.Time `json:"received"`
	Finished time.Time `json:"finished,omitzero"`
}

// CommandID names the record of note noteID on merge request iid.
func CommandID(projectID, iid, noteID int64) string {
	return fmt.Sprintf("%d!%d#%d", projectID, iid, noteID)
}

// ReceiveCommand records rec unless a record with its ID exists, in one
// transaction, and returns the stored one (nil after writing rec). So a
// comment delivered twice is recorded once.
func (db *DB) ReceiveCommand(rec MRCommand) (*MRCommand, error) {
	var found *MRCommand
	err := db.update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketCommands)
		if err != nil {
			return err
		}
		if v := b.Get([]byte(rec.ID)); v != nil {
			var old MRCommand
			if err := json.Unmarshal(v, &old); err != nil {
				return fmt.Errorf("%w: command record %s: %v", ErrCorrupt, rec.ID, err)
			}
			found = &old
			return nil
		}
		return putJSON(b, rec.ID, rec)
	})
	if err != nil {
		return nil, fmt.Errorf("record command %s in %s: %w", rec.ID, db.path, err)
	}
	return found, nil
}

// PutCommand replaces the record with rec's ID.
func (db *DB) PutCommand(rec MRCommand) error {
	err := db.update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketCommands)
		if err != nil {
			return err
		}
		return putJSON(b, rec.ID, rec)
	})
	if err != nil {
		return fmt.Errorf("write command %s to %s: %w", rec.ID, db.path, err)
	}
	return nil
}

// PendingCommands lists the project's records not done yet, in ID order.
func (db *DB) PendingCommands(project string) ([]MRCommand, error) {
	var out []MRCommand
	err := db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketCommands)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var rec MRCommand
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("%w: command record %s: %v", ErrCorrupt, k, err)
			}
			if !rec.Done && rec.Project == project {
				out = append(out, rec)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list commands in %s: %w", db.path, err)
	}
	return out, nil
}

// PruneCommands forgets done records finished before cutoff; a delivery
// of their note again (GitLab retries for hours, not weeks) would find no
// record, so keep them well past that.
func (db *DB) PruneCommands(cutoff time.Time) error {
	err := db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketCommands)
		if b == nil {
			return nil
		}
		var old [][]byte
		err := b.ForEach(func(k, v []byte) error {
			var rec MRCommand
			if json.Unmarshal(v, &rec) == nil && rec.Done && rec.Finished.Before(cutoff) {
				old = append(old, append([]byte(nil), k...))
			}
			return nil
		})
		for _, k := range old {
			if err == nil {
				err = b.Delete(k)
			}
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("prune commands in %s: %w", db.path, err)
	}
	return nil
}

// IgnoreRule is one "@pinwheel ignore this ..." of a project: updates of
// Package it matches are not offered until the rule is lifted (the
// dashboard's unignore box).
type IgnoreRule struct {
	// Key identifies the rule within the project; it is the unignore
	// box's marker: "ignore/<package>/<scope>[/<value>]".
	Key string `json:"key"`
	// Package is the PEP 503 normalised name.
	Package string `json:"package"`
	// Scope is major, minor, version or dependency; Value the major
	// ("3"), the major.minor ("3.1") or the version ("3.1.4"); "" for
	// dependency.
	Scope string `json:"scope"`
	Value string `json:"value,omitempty"`
	// By is who gave the command, MRIID where.
	By      string    `json:"by,omitempty"`
	MRIID   int64     `json:"mr_iid,omitempty"`
	Created time.Time `json:"created"`
}

func ignoreKey(project, key string) []byte { return []byte(project + "\x00" + key) }

// PutIgnore adds or replaces the project's rule with rule.Key.
func (db *DB) PutIgnore(project string, rule IgnoreRule) error {
	err := db.update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketIgnores)
		if err != nil {
			return err
		}
		return putJSON(b, string(ignoreKey(project, rule.Key)), rule)
	})
	if err != nil {
		return fmt.Errorf("write ignore rule %s of %s to %s: %w", rule.Key, project, db.path, err)
	}
	return nil
}

// DeleteIgnore lifts the project's rule key; an unknown key is no error.
func (db *DB) DeleteIgnore(project, key string) error {
	err := db.update(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketIgnores); b != nil {
			return b.Delete(ignoreKey(project, key))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete ignore rule %s of %s from %s: %w", key, project, db.path, err)
	}
	return nil
}

// Ignores lists the project's rules in key order.
func (db *DB) Ignores(project string) ([]IgnoreRule, error) {
	var out []IgnoreRule
	prefix := ignoreKey(project, "")
	err := db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketIgnores)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Seek(prefix); k != nil && len(k) >= len(prefix) && string(k[:len(prefix)]) == string(prefix); k, v = c.Next() {
			var r IgnoreRule
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("%w: ignore rule %q: %v", ErrCorrupt, k, err)
			}
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list ignore rules of %s in %s: %w", project, db.path, err)
	}
	return out, nil
}

func putJSON(b *bolt.Bucket, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put([]byte(key), raw)
}

// bucketBot holds what pinwheel knows of its own GitLab user: "username",
// so a webhook handled before the process asked GitLab can tell notes
// addressed to it from other mentions.
var bucketBot = []byte("bot")

// PutBotUsername remembers pinwheel's username.
func (db *DB) PutBotUsername(name string) error {
	err := db.update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketBot)
		if err != nil {
			return err
		}
		return b.Put([]byte("username"), []byte(name))
	})
	if err != nil {
		return fmt.Errorf("store the bot's username in %s: %w", db.path, err)
	}
	return nil
}

// BotUsername is the username PutBotUsername stored last, "" if none.
func (db *DB) BotUsername() (string, error) {
	var name string
	err := db.view(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketBot); b != nil {
			name = string(b.Get([]byte("username")))
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("read the bot's username from %s: %w", db.path, err)
	}
	return name, nil
}
