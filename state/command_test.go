package state

import (
	"path/filepath"
	"testing"
	"time"
)

func TestReceiveCommandOnce(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rec := MRCommand{ID: CommandID(7, 3, 99), Project: "g/a", ProjectID: 7, MRIID: 3, NoteID: 99, Received: time.Unix(10, 0).UTC()}
	if found, err := db.ReceiveCommand(rec); err != nil || found != nil {
		t.Fatalf("first = %v, %v; want recorded", found, err)
	}
	if found, err := db.ReceiveCommand(rec); err != nil || found == nil || found.ID != "7!3#99" {
		t.Fatalf("second = %v, %v; want the stored one", found, err)
	}
	pending, err := db.PendingCommands("g/a")
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending = %v, %v", pending, err)
	}
	if other, _ := db.PendingCommands("g/b"); len(other) != 0 {
		t.Errorf("another project's pending = %v", other)
	}
	rec.Done, rec.Finished = true, time.Unix(20, 0)
	if err := db.PutCommand(rec); err != nil {
		t.Fatal(err)
	}
	if pending, _ := db.PendingCommands("g/a"); len(pending) != 0 {
		t.Errorf("pending after done = %v", pending)
	}
	if err := db.PruneCommands(time.Unix(30, 0)); err != nil {
		t.Fatal(err)
	}
	if found, _ := db.ReceiveCommand(rec); found != nil {
		t.Errorf("pruned record still there: %v", found)
	}
}

func TestIgnoreRules(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, r := range []IgnoreRule{
		{Key: "ignore/requests/major/3", Package: "requests", Scope: "major", Value: "3"},
		{Key: "ignore/idna/dependency", Package: "idna", Scope: "dependency"},
	} {
		if err := db.PutIgnore("g/a", r); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.PutIgnore("g/a-b", IgnoreRule{Key: "ignore/x/dependency"}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Ignores("g/a")
	if err != nil || len(got) != 2 || got[0].Key != "ignore/idna/dependency" {
		t.Fatalf("Ignores = %+v, %v", got, err)
	}
	if err := db.DeleteIgnore("g/a", "ignore/idna/dependency"); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Ignores("g/a"); len(got) != 1 || got[0].Value != "3" {
		t.Errorf("after delete = %+v", got)
	}
}
