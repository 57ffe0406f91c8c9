// Package indexsim is an in-process, stateful simulator of a Python package
// index as PyPI deploys it: the simple repository API (PEP 503 HTML and
// PEP 691/700 JSON, chosen by content negotiation), the PyPI JSON API
// (/pypi/<name>/json and /pypi/<name>/<version>/json) and the files
// themselves under /files/, so pip can install from it.
//
// Tests, benchmarks and the demo publish releases with AddRelease, then
// point a client at IndexURL. The server also simulates the network and
// the index misbehaving (latency, failures, 429 with Retry-After, dropped
// connections, Basic auth) and counts what it serves, including the peak
// number of requests in flight. It is never used by production paths.
//
// Behaviour follows https://packaging.python.org/specifications/simple-repository-api/
// and Warehouse (pypi/warehouse: api/simple.py, legacy/api/json.py):
// non-normalized names get a 301, unknown projects a 404, responses carry
// Vary: Accept, Cache-Control max-age, X-PyPI-Last-Serial and an ETag, and
// conditional requests get 304.
package indexsim

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure a Server.
type Options struct {
	// HTMLOnly serves only PEP 503 HTML on the simple API, whatever the
	// Accept header says, and no PyPI JSON API, like devpi or Artifactory.
	HTMLOnly bool
	// SimpleHTMLOnly serves only HTML on the simple API but keeps the PyPI
	// JSON API, like PyPI before PEP 691.
	SimpleHTMLOnly bool
	// SimpleAPIVersion is the simple API version announced; "1.0" leaves out
	// PEP 700's versions, size and upload-time. Default "1.1".
	SimpleAPIVersion string
	// LastModified makes responses carry Last-Modified (the project's last
	// change) and honour If-Modified-Since. PyPI sends none.
	LastModified bool
	// NoETag drops the ETag header (with LastModified, to test a client's
	// If-Modified-Since path alone).
	NoETag bool
	// Clock is the server's time source; nil means time.Now.
	Clock func() time.Time
	// Sleep waits out the latency set with SetLatency before a request is
	// answered, returning an error when ctx (the request's) ends first.
	// nil means a real timer. Tests inject one to see the waits, or to hold
	// requests until enough of them are in flight, without real time.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Server is a running simulated index. All methods are safe for concurrent use.
type Server struct {
	opts Options
	ts   *httptest.Server

	mu       sync.Mutex
	projects map[string]*project // by normalized name
	order    []string
	files    map[string]*file
	serial   int64
	latency  time.Duration
	faults   []*Fault
	user     string
	pass     string
	authOn   bool
	log      []Request
	osv      *osvState // the OSV endpoint's data (osv.go), under mu

	requests    atomic.Int64
	bodyBytes   atomic.Int64
	wireBytes   atomic.Int64
	active      int // requests being handled, under mu
	idle        *sync.Cond
	maxInFlight atomic.Int64
	byKind      sync.Map // Kind -> *atomic.Int64
	byStatus    sync.Map // int -> *atomic.Int64
}

// New starts a Server on 127.0.0.1 at a free port.
func New(opts Options) *Server {
	if opts.SimpleAPIVersion == "" {
		opts.SimpleAPIVersion = "1.1"
	}
	s := &Server{
		opts:     opts,
		projects: map[string]*project{},
		files:    map[string]*file{},
	}
	s.idle = sync.NewCond(&s.mu)
	s.ts = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.ts.Listener = &countingListener{Listener: s.ts.Listener, n: &s.wireBytes}
	s.ts.Start()
	return s
}

// URL is the server's base URL, like http://127.0.0.1:PORT.
func (s *Server) URL() string { return s.ts.URL }

// IndexURL is the simple API's base, the value for pip's --index-url.
func (s *Server) IndexURL() string { return s.ts.URL + "/simple" }

// JSONAPIURL is the PyPI JSON API's base (URL()+"/pypi").
func (s *Server) JSONAPIURL() string { return s.ts.URL + "/pypi" }

// Close shuts the server down, closing any open connections.
func (s *Server) Close() {
	s.ts.CloseClientConnections()
	s.ts.Close()
}

func (s *Server) now() time.Time {
	if s.opts.Clock != nil {
		return s.opts.Clock()
	}
	return time.Now()
}

// SetLatency adds d to every request before it is answered. It really
// waits (it simulates the network) unless Options.Sleep says otherwise,
// and stops early when the client goes away.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	s.latency = d
	s.mu.Unlock()
}

// RequireAuth makes every request need HTTP Basic credentials user:pass;
// others get 401 with WWW-Authenticate: Basic.
func (s *Server) RequireAuth(user, pass string) {
	s.mu.Lock()
	s.user, s.pass, s.authOn = user, pass, true
	s.mu.Unlock()
}

// Kind classifies requests for counting.
type Kind string

// Request kinds.
const (
	KindSimpleRoot    Kind = "simple-root"
	KindSimpleProject Kind = "simple-project"
	KindJSONProject   Kind = "json-project"
	KindJSONVersion   Kind = "json-version"
	KindFile          Kind = "file"
	KindOther         Kind = "other"
)

func kindOf(path string) Kind {
	switch {
	case path == "/simple" || path == "/simple/":
		return KindSimpleRoot
	case strings.HasPrefix(path, "/simple/"):
		return KindSimpleProject
	case strings.HasPrefix(path, "/pypi/"):
		if strings.Count(strings.Trim(path, "/"), "/") >= 3 {
			return KindJSONVersion
		}
		return KindJSONProject
	case strings.HasPrefix(path, "/files/"):
		return KindFile
	case strings.HasPrefix(path, "/v1/"):
		return osvKind(path)
	}
	return KindOther
}

// Request is one request as the server saw it, for tests to inspect.
type Request struct {
	Method      string
	Path        string // path and query as requested
	Accept      string
	UserAgent   string
	IfNoneMatch string
	IfModSince  string
	Auth        bool // an Authorization header was sent
	Status      int
}

// maxLog bounds the request log so a long demo run cannot grow it forever.
const maxLog = 10000

func (s *Server) record(r Request) {
	s.mu.Lock()
	if len(s.log) >= maxLog {
		s.log = s.log[1:]
	}
	s.log = append(s.log, r)
	s.mu.Unlock()
	counter(&s.byStatus, r.Status).Add(1)
}

// Log returns the requests served so far (the most recent 10000), oldest first.
func (s *Server) Log() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// Requests is the number of requests received.
func (s *Server) Requests() int64 { return s.requests.Load() }

// RequestsOf is the number of requests of one kind received.
func (s *Server) RequestsOf(k Kind) int64 { return counter(&s.byKind, k).Load() }

// Responses is the number of responses sent with the given status.
func (s *Server) Responses(status int) int64 { return counter(&s.byStatus, status).Load() }

// BytesServed is the number of response body bytes written.
func (s *Server) BytesServed() int64 { return s.bodyBytes.Load() }

// WireBytes is every byte written to client connections: status lines,
// headers and bodies.
func (s *Server) WireBytes() int64 { return s.wireBytes.Load() }

func (s *Server) begin() {
	s.mu.Lock()
	s.active++
	n := int64(s.active)
	s.mu.Unlock()
	for {
		peak := s.maxInFlight.Load()
		if n <= peak || s.maxInFlight.CompareAndSwap(peak, n) {
			return
		}
	}
}

func (s *Server) end() {
	s.mu.Lock()
	s.active--
	if s.active == 0 {
		s.idle.Broadcast()
	}
	s.mu.Unlock()
}

// Idle blocks until no request is being handled, so that the counters
// include every response a client has seen (a handler may still be
// finishing after its client has read the last byte).
func (s *Server) Idle() {
	s.mu.Lock()
	for s.active > 0 {
		s.idle.Wait()
	}
	s.mu.Unlock()
}

// MaxInFlight is the largest number of requests the server was handling at once.
func (s *Server) MaxInFlight() int64 { return s.maxInFlight.Load() }

// ResetCounters zeroes the counters and the request log.
func (s *Server) ResetCounters() {
	s.mu.Lock()
	s.log = nil
	s.mu.Unlock()
	s.requests.Store(0)
	s.bodyBytes.Store(0)
	s.wireBytes.Store(0)
	s.maxInFlight.Store(0)
	s.byKind.Range(func(k, _ any) bool { s.byKind.Delete(k); return true })
	s.byStatus.Range(func(k, _ any) bool { s.byStatus.Delete(k); return true })
}

func counter(m *sync.Map, key any) *atomic.Int64 {
	v, _ := m.LoadOrStore(key, new(atomic.Int64))
	return v.(*atomic.Int64)
}

type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, n: l.n}, nil
}

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.n.Add(int64(n))
	return n, err
}

type countingWriter struct {
	http.ResponseWriter
	n      *atomic.Int64
	status int
}

func (w *countingWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *countingWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.n.Add(int64(n))
	return n, err
}

// Hijack lets a fault drop the connection through the counting wrapper.
func (w *countingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
