package gitlabsim

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Options configures a Server. The zero value is usable.
type Options struct {
	// Clock stamps every object the simulator creates. Defaults to time.Now.
	Clock func() time.Time
	// RateLimitLimit, when positive, is sent as RateLimit-Limit (requests per
	// minute) on every response. client-go sizes its own limiter from the
	// first response carrying it, so leave it zero unless a test wants the
	// client to throttle itself.
	RateLimitLimit int
	// Version is the GitLab version reported and simulated (SetVersion);
	// default DefaultVersion.
	Version string
}

// Server is a running simulator. All methods are safe for concurrent use.
type Server struct {
	ts    *httptest.Server
	clock func() time.Time
	opts  Options

	mu       sync.Mutex
	users    []*User
	tokens   map[string]*User
	projects []*Project
	ids      idSeq
	routes   []route
	faults   []*Fault
	latency  time.Duration
	slow     map[string]*slowProject // by lower-case path (slow.go)
	stats    Stats
	triggers []*trigger        // pipeline trigger tokens (triggers.go)
	members  map[memberKey]int // access levels (members.go)
	version  string            // GitLab version (version.go)
}

// idSeq hands out GitLab's instance-wide ids.
type idSeq struct {
	user, project, mr, issue, note, pipeline, deployment, environment, label, status int
}

// New starts a simulator on 127.0.0.1. It has one user, "root", whose
// identity the human hooks (Commit, MergeMR, ...) act under.
func New(opts Options) *Server {
	s := &Server{opts: opts, clock: opts.Clock, tokens: map[string]*User{}, version: opts.Version}
	if s.version == "" {
		s.version = DefaultVersion
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	s.routes = s.routeTable()
	s.addUserLocked("root", "Administrator")
	s.ts = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	return s
}

// URL is the base URL to give client-go's WithBaseURL; the client appends
// /api/v4 itself.
func (s *Server) URL() string { return s.ts.URL }

// Close shuts the HTTP server down.
func (s *Server) Close() { s.ts.Close() }

// now reads the injected clock in UTC, as GitLab renders every time in UTC.
func (s *Server) now() time.Time { return s.clock().UTC() }

const apiPrefix = "/api/v4"

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	latency := s.latency
	s.mu.Unlock()
	if latency > 0 {
		if !sleepCtx(r.Context(), latency) {
			return
		}
	}

	path := r.URL.EscapedPath()
	rt, args, ok := s.match(r.Method, strings.TrimPrefix(path, apiPrefix), strings.HasPrefix(path, apiPrefix+"/"))
	key := r.Method + " unmatched"
	if ok {
		key = rt.key()
		if !s.slowDown(r.Context(), rt, args) {
			return
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.count(r.Method, key)
	if f := s.takeFault(r.Method, key); f != nil {
		if !f.AfterServing {
			s.writeFault(w, f)
			return
		}
		// Deferred calls run last first: the fault is written before the
		// lock is released, after the handler made its changes.
		defer s.writeFault(w, f)
		w = &lostAnswer{header: http.Header{}}
	}
	if s.opts.RateLimitLimit > 0 {
		w.Header().Set("RateLimit-Limit", itoa(s.opts.RateLimitLimit))
	}
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "404 Not Found"})
		return
	}
	user := s.authenticate(r)
	if user == nil && !rt.selfAuth {
		writeMessage(w, http.StatusUnauthorized, "401 Unauthorized")
		return
	}
	p, err := parseParams(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	c := &call{s: s, w: w, r: r, user: user, args: args, params: p}
	if rt.project {
		proj, moved := s.lookupProject(args["id"])
		if proj == nil || moved && r.Method != http.MethodGet && r.Method != http.MethodHead {
			writeMessage(w, http.StatusNotFound, "404 Project Not Found")
			return
		}
		if moved && rt.pattern == "/projects/:id" {
			w.Header().Set("Location", s.URL()+apiPrefix+"/projects/"+escapePathArg(proj.Path))
			writeMessage(w, http.StatusMovedPermanently, "301 Moved Permanently")
			return
		}
		c.project = proj
	}
	rt.handle(c)
}

// sleepCtx waits d, or less if the request goes away; it reports whether the
// full wait happened.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// SetLatency makes every request wait d (real time) before it is served, to
// simulate the network in benchmarks and demos.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// escapePathArg escapes a path argument the way client-go does.
func escapePathArg(s string) string {
	return strings.ReplaceAll(url.PathEscape(s), ".", "%2E")
}

// lostAnswer swallows a handler's answer for a Fault with AfterServing.
type lostAnswer struct{ header http.Header }

func (l *lostAnswer) Header() http.Header         { return l.header }
func (l *lostAnswer) Write(b []byte) (int, error) { return len(b), nil }
func (l *lostAnswer) WriteHeader(int)             {}
