package state

import (
	"reflect"
	"testing"
	"time"
)

func TestBotTests(t *testing.T) {
	db, path := openTemp(t)
	if recs, err := db.BotTests(); err != nil || len(recs) != 0 {
		t.Fatalf("BotTests on a new file = %v, %v", recs, err)
	}
	a := BotTest{ID: "1!2#3", Digest: "d1", Phase: BotTriggering, Variables: []BotVariable{{"k", "v"}}, Requested: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	sameDigest := func(old BotTest) bool { return old.Digest == a.Digest && old.Phase != BotDone }

	if found, err := db.ClaimBotTest(a, sameDigest); err != nil || found != nil {
		t.Fatalf("first claim = %v, %v", found, err)
	}
	// The same command again (a webhook delivered twice) clashes by ID.
	if found, err := db.ClaimBotTest(BotTest{ID: a.ID, Digest: "other"}, func(BotTest) bool { return false }); err != nil || found == nil || found.Digest != "d1" {
		t.Fatalf("claim of the same ID = %v, %v; want the stored record", found, err)
	}
	// Another command asking for the same pipeline clashes by digest.
	b := BotTest{ID: "1!2#4", Digest: "d1", Phase: BotTriggering}
	if found, _ := db.ClaimBotTest(b, sameDigest); found == nil || found.ID != a.ID {
		t.Fatalf("claim of the same digest = %v", found)
	}
	a.Phase = BotDone
	if err := db.PutBotTest(a); err != nil {
		t.Fatal(err)
	}
	if found, _ := db.ClaimBotTest(b, sameDigest); found != nil {
		t.Fatalf("claim after the first finished = %v; want none", found)
	}

	// Records survive a reopen.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	recs, err := db.BotTests()
	if err != nil || len(recs) != 2 || !reflect.DeepEqual(recs[0], a) || recs[1].ID != b.ID {
		t.Fatalf("after reopen = %+v, %v", recs, err)
	}
	if err := db.DeleteBotTest(a.ID); err != nil {
		t.Fatal(err)
	}
	if recs, _ := db.BotTests(); len(recs) != 1 {
		t.Errorf("after delete = %+v", recs)
	}
}

// A received command's record is replaced by its decision, not a clash.
func TestBotTestReceivedIsReplaced(t *testing.T) {
	db, _ := openTemp(t)
	rec := BotTest{ID: "1!1#1", Phase: BotReceived}
	if found, err := db.ClaimBotTest(rec, func(BotTest) bool { return true }); err != nil || found != nil {
		t.Fatalf("claim = %v, %v", found, err)
	}
	if found, _ := db.ClaimBotTest(rec, func(BotTest) bool { return false }); found == nil || found.Phase != BotReceived {
		t.Fatalf("a second receipt = %v; want the stored one", found)
	}
	rec.Phase, rec.Digest = BotTriggering, "d"
	if found, err := db.ClaimBotTest(rec, func(old BotTest) bool { return old.Digest == "d" }); err != nil || found != nil {
		t.Fatalf("the decision = %v, %v; want it written", found, err)
	}
	if recs, _ := db.BotTests(); len(recs) != 1 || recs[0].Phase != BotTriggering {
		t.Errorf("records = %+v", recs)
	}
}
