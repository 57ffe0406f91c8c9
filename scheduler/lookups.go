package scheduler

import (
	"sync"
	"time"

	"github.com/pinwheel-dev/pinwheel/registry"
)

// lookupsTTL is how long one memo of index answers serves runs that
// start: PyPI's max-age for project pages. Runs that overlap (one cron
// tick fanning out over the fleet) share a memo, so each package is asked
// once per tick however many projects pin it.
const lookupsTTL = 10 * time.Minute

// sharedLookups hands the runs in flight one registry.Lookups, and drops
// it when the last of them ends, so its pages are not held between ticks.
type sharedLookups struct {
	mu    sync.Mutex
	cur   *registry.Lookups
	born  time.Time
	users int
}

// acquire returns the memo to use for a run starting at now and the
// function to call when the run ends.
func (s *sharedLookups) acquire(index *registry.Client, now time.Time) (*registry.Lookups, func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil || now.Sub(s.born) >= lookupsTTL {
		s.cur, s.born = index.NewLookups(), now
	}
	s.users++
	mine := s.cur
	return mine, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.users--
		if s.users == 0 {
			s.cur = nil
		}
	}
}
