package state

import (
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestOSVCacheGetPut(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	db, path := openTemp(t, WithClock(func() time.Time { return now }))
	c := db.OSVCache()
	if _, ok, err := c.Get("PYSEC-1"); ok || err != nil {
		t.Fatalf("Get(missing) = %v, %v", ok, err)
	}
	if err := c.PutRecord("PYSEC-1", "2024-01-01T00:00:00Z", []byte(`{"id":"PYSEC-1","v":1}`)); err != nil {
		t.Fatal(err)
	}
	if err := c.PutRecord("PYSEC-1", "2024-02-01T00:00:00Z", []byte(`{"id":"PYSEC-1","v":2}`)); err != nil {
		t.Fatal(err)
	}
	m, body, stored, ok, err := c.GetRecord("PYSEC-1")
	if err != nil || !ok || m != "2024-02-01T00:00:00Z" || string(body) != `{"id":"PYSEC-1","v":2}` || !stored.Equal(now) {
		t.Errorf("GetRecord = %q, %s, %v, %v, %v; want the second put at %v", m, body, stored, ok, err, now)
	}
	rec, _, _ := c.Get("PYSEC-1")
	if !rec.Stored.Equal(now) || rec.ID != "PYSEC-1" {
		t.Errorf("Get = %+v; want stored at %v", rec, now)
	}
	for _, bad := range []OSVRecord{{ID: "", Body: []byte(`{}`)}, {ID: "X", Body: []byte(`{"id":`)}} {
		if err := c.Put(bad); err == nil {
			t.Errorf("Put(%+v) succeeded", bad)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, body, _, ok, _ := db.OSVCache().GetRecord("PYSEC-1"); !ok || string(body) != `{"id":"PYSEC-1","v":2}` {
		t.Errorf("after reopening: %s, %v", body, ok)
	}
}

func TestOSVCachePrune(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	db, _ := openTemp(t, WithClock(func() time.Time { return now }))
	c := db.OSVCache()
	if err := c.PutRecord("OLD", "m", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	now = now.Add(48 * time.Hour)
	if err := c.PutRecord("NEW", "m", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	removed, err := c.Prune(now.Add(-time.Hour))
	if err != nil || removed != 1 {
		t.Fatalf("Prune = %d, %v; want 1", removed, err)
	}
	if n, _ := c.Len(); n != 1 {
		t.Errorf("Len = %d after pruning, want 1", n)
	}
	if _, ok, _ := c.Get("OLD"); ok {
		t.Error("OLD survived the prune")
	}
}

// A file written before the OSV bucket existed gets it on Open.
func TestOSVBucketAddedToOlderFile(t *testing.T) {
	db, path := openTemp(t)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := raw.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketOSV) }); err != nil {
		t.Fatal(err)
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.OSVCache().PutRecord("A", "m", []byte(`{}`)); err != nil {
		t.Errorf("Put into the re-created bucket: %v", err)
	}
}

func TestOSVCacheCorruptEntry(t *testing.T) {
	db, _ := openTemp(t)
	if err := db.update(func(tx *bolt.Tx) error { return tx.Bucket(bucketOSV).Put([]byte("BAD"), []byte("nope")) }); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := db.OSVCache().Get("BAD"); ok || err == nil {
		t.Errorf("Get(corrupt) = %v, %v; want an error", ok, err)
	}
}
