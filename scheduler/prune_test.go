package scheduler_test

import (
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/state"
)

// record reads the project's record from the state file.
func (e *env) record() state.ProjectRecord {
	e.t.Helper()
	db, err := state.Open(e.dbPath)
	if err != nil {
		e.t.Fatal(err)
	}
	defer db.Close()
	rec, err := db.Project(project)
	if err != nil {
		e.t.Fatal(err)
	}
	return rec
}

// Months of runs do not grow the state file: the record of a merged
// merge request goes once it is old and its branch has no update, and
// index responses of packages no longer pinned leave the cache.
func TestStateIsPruned(t *testing.T) {
	e := openAll(t)
	if _, err := e.gl.MergeMR(e.proj, e.mrFor(brRequests).IID); err != nil {
		t.Fatal(err)
	}
	e.gl.CloseMR(e.proj, e.mrFor(brSix).IID)
	e.step(t, "merged and closed")

	db, err := state.Open(e.dbPath, state.WithClock(e.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.HTTPCache().Put("https://index.example/simple/gone/", []byte("a package no longer pinned")); err != nil {
		t.Fatal(err)
	}
	before, _ := db.HTTPCache().Len()
	db.Close()

	// A month on the merged record is still kept; the cache entry is not.
	e.clock.Add(30 * 24 * time.Hour)
	e.step(t, "a month later")
	if _, ok := e.record().MergeRequests[brRequests]; !ok {
		t.Fatal("the merged record went too early")
	}
	db, err = state.Open(e.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	_, stale, _ := db.HTTPCache().Get("https://index.example/simple/gone/")
	after, _ := db.HTTPCache().Len()
	db.Close()
	// Two entries go: the one planted, and requests 2.31.0's JSON, which
	// nobody asked for since requests moved to 2.32.4.
	if stale || after != before-2 {
		t.Errorf("cache: stale entry kept %v, %d entries before, %d after", stale, before, after)
	}

	// Past the retention it goes; the closed one (its branch still has
	// the update) and the open ones stay, and six stays ignored.
	e.clock.Add(90 * 24 * time.Hour)
	e.step(t, "four months later")
	rec := e.record()
	if _, ok := rec.MergeRequests[brRequests]; ok {
		t.Error("the old merged record was kept")
	}
	for _, b := range []string{brSix, brUrllib3, brIdna, brCertifi} {
		if _, ok := rec.MergeRequests[b]; !ok {
			t.Errorf("the record of %s went", b)
		}
	}
	if _, ok := e.openMRs()[brSix]; ok {
		t.Error("the closed update was proposed again")
	}
}

// osvStored returns when each OSV record in the state file was stored.
func (e *env) osvStored() map[string]time.Time {
	e.t.Helper()
	db, err := state.Open(e.dbPath)
	if err != nil {
		e.t.Fatal(err)
	}
	defer db.Close()
	out := map[string]time.Time{}
	for _, id := range []string{"GHSA-9wx4-h78v-vm56", "PYSEC-2026-99", "PYSEC-GONE-1"} {
		rec, ok, err := db.OSVCache().Get(id)
		if err != nil {
			e.t.Fatal(err)
		}
		if ok {
			out[id] = rec.Stored
		}
	}
	return out
}

// The OSV records of packages no longer pinned leave the state file a
// week after their last use; the records runs keep reusing stay, however
// long ago they were first fetched; a dry run prunes nothing.
func TestOSVRecordsArePruned(t *testing.T) {
	e := osvEnv(t, unlimited)
	db, err := state.Open(e.dbPath, state.WithClock(e.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	// An advisory of a package the project pinned once.
	if err := db.OSVCache().PutRecord("PYSEC-GONE-1", "2024-01-01T00:00:00Z", []byte(`{"id":"PYSEC-GONE-1"}`)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	e.step(t, "first run")
	if got := e.osvStored(); len(got) != 3 {
		t.Fatalf("after the first run the cache holds %v, want the two listed records and the planted one", got)
	}

	e.clock.Add(8 * 24 * time.Hour)
	e.runCtx(t.Context(), true)
	if _, ok := e.osvStored()["PYSEC-GONE-1"]; !ok {
		t.Fatal("a dry run pruned the OSV cache")
	}

	// Each later run reuses the two listed records and stores them again
	// once a day; the planted one, unused, goes.
	for _, later := range []string{"eight days later", "sixteen days later", "twenty-four days later"} {
		e.step(t, later)
		got := e.osvStored()
		if _, ok := got["PYSEC-GONE-1"]; ok {
			t.Errorf("%s: the unused record was kept", later)
		}
		for _, id := range []string{"GHSA-9wx4-h78v-vm56", "PYSEC-2026-99"} {
			if stored, ok := got[id]; !ok {
				t.Errorf("%s: %s, listed every run, was pruned", later, id)
			} else if age := e.clock.Now().Sub(stored); age > 24*time.Hour {
				t.Errorf("%s: %s was last stored %v ago; a run reusing it should restamp it", later, id, age)
			}
		}
		e.clock.Add(8 * 24 * time.Hour)
	}
}
