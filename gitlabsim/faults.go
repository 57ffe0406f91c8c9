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

// fault answers the next n matching requests with an error instead of
// serving them.
type fault struct {
	n       int
	status  int
	pattern string
	reset   time.Duration // for 429: RateLimit-Reset is now+reset
}

// FailNext makes the next n requests fail with status; with a pattern,
// only the requests that match it: a method ("POST") or a route key as in
// Stats.ByEndpoint ("PUT /projects/:id/merge_requests/:iid/merge").
// A 429 carries the rate-limit headers as RateLimit does, resetting now;
// other statuses get {"message":"<code> <text>"}.
func (s *Server) FailNext(n, status int, pattern ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{n: n, status: status, pattern: strings.Join(pattern, "")})
}

// RateLimit makes the next n requests get Rack::Attack's 429 with
// Retry-After and RateLimit-* headers saying the window resets after reset.
// client-go waits until RateLimit-Reset (Unix seconds, read against the
// real clock), so tests pass reset=0 and a short client backoff.
func (s *Server) RateLimit(n int, reset time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{n: n, status: http.StatusTooManyRequests, reset: reset})
}

func (s *Server) takeFault(method, key string) *fault {
	for i, f := range s.faults {
		if f.pattern != "" && f.pattern != method && f.pattern != key {
			continue
		}
		f.n--
		if f.n <= 0 {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		return f
	}
	return nil
}

func (s *Server) writeFault(w http.ResponseWriter, f *fault) {
	if f.status != http.StatusTooManyRequests {
		writeMessage(w, f.status, itoa(f.status)+" "+http.StatusText(f.status))
		return
	}
	// Headers per doc/administration/settings/user_and_ip_rate_limits.md;
	// the body is Rack::Attack's plain text.
	now := s.now()
	reset := now.Add(f.reset)
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
	h.Set("Retry-After", itoa(int(max(0, f.reset.Round(time.Second)/time.Second))))
	h.Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = w.Write([]byte("Retry later\n"))
}
