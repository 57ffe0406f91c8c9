package scheduler_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"
)

// stateFileLimit is the documented bound (README, "Sizing") on the state
// file of a small project after a thousand hourly runs: the HTTP cache is
// rewritten only when the index changes (a 304 writes nothing), so the
// file stops growing after the first runs.
const stateFileLimit = 1 << 20

// TestStateFileStaysSmallOverHourlyRuns drives the clock through 1,000
// hourly runs (100 with -short or under the race detector, which has
// nothing to find in a loop of serial runs), with a new release now and
// then, and checks that the state file stays under its documented size
// and does not grow once warm.
func TestStateFileStaysSmallOverHourlyRuns(t *testing.T) {
	runs := 1000
	if testing.Short() || raceEnabled {
		runs = 100
	}
	e := newEnv(t, unlimited)
	e.clock.Set(saturday)
	r, db := e.runner(false)
	defer db.Close()
	var warm int64
	for i := range runs {
		if i > 0 && i%50 == 0 {
			// Something new on the index every two days or so.
			e.release("certifi", fmt.Sprintf("2025.%d.1", i/50), e.clock.Now().Add(-30*24*time.Hour))
		}
		if rep, err := r.RunProject(context.Background(), project); err != nil {
			t.Fatalf("run %d: %v", i, err)
		} else if i == 0 && rep.MRsOpened == 0 {
			t.Fatal("the first run opened no merge request")
		}
		e.clock.Add(time.Hour)
		if i == 24 {
			warm = fileSize(t, e.dbPath)
		}
	}
	size := fileSize(t, e.dbPath)
	if size > stateFileLimit {
		t.Errorf("state file is %d bytes after %d runs, documented limit %d", size, runs, stateFileLimit)
	}
	if size > warm*2 {
		t.Errorf("state file grew from %d bytes after a day to %d after %d runs", warm, size, runs)
	}
	t.Logf("state file: %d bytes after a day, %d after %d hourly runs", warm, size, runs)
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
