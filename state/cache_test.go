package state

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestCacheGetPutDelete(t *testing.T) {
	db, _ := openTemp(t)
	c := db.HTTPCache()
	if v, ok, err := c.Get("missing"); err != nil || ok || v != nil {
		t.Errorf("Get(missing) = %q, %v, %v; want nil, false, nil", v, ok, err)
	}
	if err := c.Put("k", []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := c.Put("k", []byte("two")); err != nil {
		t.Fatal(err)
	}
	v, ok, err := c.Get("k")
	if err != nil || !ok || string(v) != "two" {
		t.Errorf("Get(k) = %q, %v, %v; want two, true, nil", v, ok, err)
	}
	v[0] = 'X' // the caller owns the returned bytes
	if again, _, _ := c.Get("k"); string(again) != "two" {
		t.Errorf("changing a returned value changed the store: %q", again)
	}
	if err := c.Put("empty", nil); err != nil {
		t.Fatal(err)
	}
	if v, ok, _ := c.Get("empty"); !ok || len(v) != 0 {
		t.Errorf("Get(empty) = %q, %v; want empty, true", v, ok)
	}
	if err := c.Delete("k"); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete("k"); err != nil {
		t.Errorf("deleting a missing key: %v", err)
	}
	if _, ok, _ := c.Get("k"); ok {
		t.Error("Get after Delete found the key")
	}
}

func TestCachePrune(t *testing.T) {
	now := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	db, _ := openTemp(t, WithClock(func() time.Time { return now }))
	c := db.HTTPCache()
	for day := 1; day <= 5; day++ {
		now = time.Date(2026, 1, day, 0, 0, 0, 0, time.UTC)
		if err := c.Put(fmt.Sprintf("day%d", day), []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	removed, err := c.Prune(time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if removed != 2 {
		t.Errorf("Prune removed %d; want 2 (day1, day2)", removed)
	}
	for day, want := range map[int]bool{1: false, 2: false, 3: true, 4: true, 5: true} {
		if _, ok, _ := c.Get(fmt.Sprintf("day%d", day)); ok != want {
			t.Errorf("day%d present = %v; want %v", day, ok, want)
		}
	}
	if n, err := c.Len(); err != nil || n != 3 {
		t.Errorf("Len = %d, %v; want 3", n, err)
	}
}

// TestCacheConcurrent is meant for -race: the registry client calls the
// cache from its worker goroutines.
func TestCacheConcurrent(t *testing.T) {
	db, _ := openTemp(t)
	c := db.HTTPCache()
	const workers, perWorker = 8, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers*perWorker)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				key := fmt.Sprintf("w%d-%d", w, i)
				if err := c.Put(key, []byte(key)); err != nil {
					errs <- err
					return
				}
				v, ok, err := c.Get(key)
				if err != nil || !ok || string(v) != key {
					errs <- fmt.Errorf("Get(%s) = %q, %v, %v", key, v, ok, err)
					return
				}
				if _, _, err := c.Get(fmt.Sprintf("w%d-%d", (w+1)%workers, i)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n, err := c.Len(); err != nil || n != workers*perWorker {
		t.Errorf("Len = %d, %v; want %d", n, err, workers*perWorker)
	}
}
