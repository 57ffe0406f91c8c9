package scheduler_test

import (
	"testing"
	"time"
)

// A run with nothing new on the index and nobody touching GitLab costs at
// most five requests and writes nothing.
func TestNoChangeRunBudget(t *testing.T) {
	for _, tc := range []struct {
		name string
		at   time.Time
	}{
		{"weekday, nothing open", wednesday},
		{"weekend, MRs open", saturday},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, unlimited)
			e.clock.Set(tc.at)
			e.mustRun()
			for i := range 2 {
				e.clock.Add(time.Hour)
				e.gl.ResetStats()
				rep := e.mustRun()
				st := e.gl.Stats()
				if st.Requests > 5 || st.Writes != 0 || rep.Writes != 0 {
					t.Errorf("no-change run %d: %d requests, %d writes (report %d): %v", i+1, st.Requests, st.Writes, rep.Writes, st.ByEndpoint)
				}
			}
		})
	}
}
