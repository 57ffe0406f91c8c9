package gitlabsim

import (
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Stats counts the requests the simulator has received, faults included.
type Stats struct {
	Requests int
	// Writes counts non-GET, non-HEAD requests.
	Writes int
	// ByEndpoint is keyed by route, e.g.
	// "GET /projects/:id/repository/files/:file_path"; requests that
	// matched no route count under "<METHOD> unmatched".
	ByEndpoint map[string]int
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.ByEndpoint = maps.Clone(s.stats.ByEndpoint)
	if st.ByEndpoint == nil {
		st.ByEndpoint = map[string]int{}
	}
	return st
}

// ResetStats zeroes the counters, e.g. after a benchmark's setup.
func (s *Server) ResetStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats = Stats{}
}

func (s *Server) count(method, key string) {
	s.stats.Requests++
	if method != http.MethodGet && method != http.MethodHead {
		s.stats.Writes++
	}
	if s.stats.ByEndpoint == nil {
		s.stats.ByEndpoint = map[string]int{}
	}
	s.stats.ByEndpoint[key]++
}

// Fault is a failure injected with Inject.
type Fault struct {
	// Status is the answer: a 5xx gets {"message":"<code> <text>"}, a 429
	// Rack::Attack's plain text with Retry-After and RateLimit-* headers.
	Status int
	// Match limits the fault to a method ("POST") or a route key as in
	// Stats.ByEndpoint ("PUT /projects/:id/merge_requests/:iid/merge");
	// "" matches every request.
	Match string
	// Skip lets this many matching requests through first.
	Skip int
	// Times is how many matching requests fail; 0 means 1.
	Times int
	// AfterServing serves the request (its changes are made) and then
	// answers Status instead: GitLab behind a proxy that timed out after
	// the write committed. Clients that do not retry the write must find
	// what it made on their next run.
	AfterServing bool
	// Reset, for a 429, is how long after now RateLimit-Reset lies.
	Reset time.Duration
}

// Inject adds f; faults are consulted in the order they were added.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// FailNext makes the next n requests fail with status; with a pattern,
// only the requests that match it (see Fault.Match).
func (s *Server) FailNext(n, status int, pattern ...string) {
	s.Inject(Fault{Status: status, Match: strings.Join(pattern, ""), Times: n})
}

// RateLimit makes the next n requests get Rack::Attack's 429 with
// Retry-After and RateLimit-* headers saying the window resets after reset.
// client-go waits until RateLimit-Reset (Unix seconds, read against the
// real clock), so tests pass reset=0 and a short client backoff.
func (s *Server) RateLimit(n int, reset time.Duration) {
	s.Inject(Fault{Status: http.StatusTooManyRequests, Times: n, Reset: reset})
}

func (s *Server) takeFault(method, key string) *Fault {
	for i, f := range s.faults {
		if f.Match != "" && f.Match != method && f.Match != key {
			continue
		}
		if f.Skip > 0 {
			f.Skip--
			continue
		}
		f.Times--
		if f.Times <= 0 {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		return f
	}
	return nil
}

func (s *Server) writeFault(w http.ResponseWriter, f *Fault) {
	if f.Status != http.StatusTooManyRequests {
		writeMessage(w, f.Status, itoa(f.Status)+" "+http.StatusText(f.Status))
		return
	}
	// Headers per doc/administration/settings/user_and_ip_rate_limits.md;
	// the body is Rack::Attack's plain text.
	now := s.now()
	reset := now.Add(f.Reset)
	h := w.Header()
	limit := s.opts.RateLimitLimit
	if limit > 0 {
		h.Set("RateLimit-Limit", itoa(limit))
	}
	h.Set("RateLimit-Name", "throttle_authenticated_api")
	h.Set("RateLimit-Observed", itoa(limit+1))
	h.Set("RateLimit-Remaining", "0")
	h.Set("RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	h.Set("RateLimit-ResetTime", reset.Format(http.TimeFormat))
	h.Set("Retry-After", itoa(int(max(0, f.Reset.Round(time.Second)/time.Second))))
	h.Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = w.Write([]byte("Retry later\n"))
}
