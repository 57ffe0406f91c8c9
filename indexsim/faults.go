package indexsim

import (
	"cmp"
	"context"
	"crypto/subtle"
	"io"
	"net/http"
	"strings"
	"time"
)

// Fault makes the server misbehave on the next Count requests whose path
// starts with PathPrefix (any path when empty). Faults are applied in the
// order they were injected.
type Fault struct {
	Count      int
	PathPrefix string
	// Status is the status to answer with (its body is the status text).
	Status int
	// Body, when set, is answered instead of the status text, as
	// ContentType, with Status (200 when 0): a private index's login page
	// where the JSON API should be, say.
	Body        string
	ContentType string
	// RetryAfter, when set, is sent as the Retry-After header: seconds
	// ("2") or an HTTP date.
	RetryAfter string
	// Drop closes the connection without answering, which a client sees
	// as a network error.
	Drop bool
}

// Inject queues a fault.
func (s *Server) Inject(f Fault) {
	if f.Count <= 0 {
		return
	}
	s.mu.Lock()
	s.faults = append(s.faults, &f)
	s.mu.Unlock()
}

// FailNext makes the next n requests fail with status.
func (s *Server) FailNext(n, status int) {
	s.Inject(Fault{Count: n, Status: status})
}

// Throttle makes the next n requests get 429 Too Many Requests with the
// given Retry-After value.
func (s *Server) Throttle(n int, retryAfter string) {
	s.Inject(Fault{Count: n, Status: http.StatusTooManyRequests, RetryAfter: retryAfter})
}

// takeFault consumes one use of the first fault matching path.
func (s *Server) takeFault(path string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if !strings.HasPrefix(path, f.PathPrefix) {
			continue
		}
		f.Count--
		if f.Count <= 0 {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		out := *f
		return &out
	}
	return nil
}

// applyFault answers the request as the fault says; it reports whether it did.
func applyFault(w http.ResponseWriter, f *Fault) bool {
	if f == nil {
		return false
	}
	if f.Drop {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			_ = conn.Close()
			return true
		}
		// Hijacking is impossible on HTTP/2; abort the handler instead.
		panic(http.ErrAbortHandler)
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.Body != "" {
		w.Header().Set("Content-Type", f.ContentType)
		w.WriteHeader(cmp.Or(f.Status, http.StatusOK))
		_, _ = io.WriteString(w, f.Body)
		return true
	}
	http.Error(w, http.StatusText(f.Status), f.Status)
	return true
}

func (s *Server) authorized(r *http.Request) bool {
	s.mu.Lock()
	on, user, pass := s.authOn, s.user, s.pass
	s.mu.Unlock()
	if !on {
		return true
	}
	u, p, ok := r.BasicAuth()
	return ok && subtle.ConstantTimeCompare([]byte(u), []byte(user)) == 1 &&
		subtle.ConstantTimeCompare([]byte(p), []byte(pass)) == 1
}

// wait simulates network latency; it returns false when the client gave up.
func (s *Server) wait(r *http.Request) bool {
	s.mu.Lock()
	d := s.latency
	s.mu.Unlock()
	if d <= 0 {
		return true
	}
	sleep := s.opts.Sleep
	if sleep == nil {
		sleep = realSleep
	}
	return sleep(r.Context(), d) == nil
}

func realSleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// NoJSONAPI is how an index without PyPI's JSON API (a private index
// serving the Simple API only) answers a version's JSON URL: a 404, or
// an HTML page (its login or home page) with 200. Inject a case's Fault
// with Count and PathPrefix set; Says is part of the error pinwheel's
// registry client reports for it.
var NoJSONAPI = []struct {
	Name  string
	Fault Fault
	Says  string
}{
	{"404", Fault{Status: http.StatusNotFound}, "404 Not Found"},
	{"HTML", Fault{Body: "<html>sign in</html>", ContentType: "text/html"}, "something other than JSON (text/html)"},
}
