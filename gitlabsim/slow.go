package gitlabsim

import (
	"context"
	"strings"
	"sync"
	"time"
)

// slowProject is what SetProjectLatency and Hold set for one project.
type slowProject struct {
	latency time.Duration
	hold    chan struct{} // closed by release; nil when not held
	arrived chan struct{}
	once    *sync.Once
}

// SetProjectLatency makes every request about project (its path, as
// /projects/:id names it by path or id) wait d (real time) on top of
// SetLatency's: one slow project among fast ones, for benchmarks.
func (s *Server) SetProjectLatency(path string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sp := s.slowProject(path)
	sp.latency = d
}

// Hold makes requests about project wait until release is called (or the
// client gives up); arrived is closed when the first one starts waiting.
// Tests use it to show that one project's slow GitLab does not hold up the
// others, without timing anything.
func (s *Server) Hold(path string) (arrived <-chan struct{}, release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sp := s.slowProject(path)
	hold, arr := make(chan struct{}), make(chan struct{})
	sp.hold, sp.arrived, sp.once = hold, arr, &sync.Once{}
	var released sync.Once
	return arr, func() {
		released.Do(func() {
			s.mu.Lock()
			if sp.hold == hold {
				sp.hold = nil
			}
			s.mu.Unlock()
			close(hold)
		})
	}
}

// slowProject returns path's entry, making it; s.mu must be held.
func (s *Server) slowProject(path string) *slowProject {
	if s.slow == nil {
		s.slow = map[string]*slowProject{}
	}
	key := strings.ToLower(path)
	if s.slow[key] == nil {
		s.slow[key] = &slowProject{}
	}
	return s.slow[key]
}

// slowDown waits out what SetProjectLatency and Hold set for the project
// a request is about; it reports false when the client gave up.
func (s *Server) slowDown(ctx context.Context, rt route, args map[string]string) bool {
	if !rt.project {
		return true
	}
	s.mu.Lock()
	if len(s.slow) == 0 {
		s.mu.Unlock()
		return true
	}
	var sp *slowProject
	if proj, _ := s.lookupProject(args["id"]); proj != nil {
		sp = s.slow[strings.ToLower(proj.Path)]
	}
	var latency time.Duration
	var hold, arrived chan struct{}
	var once *sync.Once
	if sp != nil {
		latency, hold, arrived, once = sp.latency, sp.hold, sp.arrived, sp.once
	}
	s.mu.Unlock()
	if hold != nil {
		once.Do(func() { close(arrived) })
		select {
		case <-hold:
		case <-ctx.Done():
			return false
		}
	}
	return latency <= 0 || sleepCtx(ctx, latency)
}
