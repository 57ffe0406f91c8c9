package indexsim

import (
	"crypto/md5"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pinwheel-dev/pinwheel/pkgname"
)

// Cache lifetimes PyPI's origin sets (Warehouse api/simple.py: 10 minutes;
// legacy/api/json.py: 15 minutes).
const (
	simpleMaxAge = 600
	jsonMaxAge   = 900
)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	counter(&s.byKind, kindOf(r.URL.Path)).Add(1)
	s.begin()
	defer s.end()
	cw := &countingWriter{ResponseWriter: w, n: &s.bodyBytes}
	// Deferred in this order so that the request is logged before the
	// client can have all of the response, and every byte is on the wire
	// before Idle returns: tests read the counters right after a call.
	defer func() { _ = http.NewResponseController(w).Flush() }()
	defer func() {
		s.record(Request{
			Method: r.Method, Path: r.URL.RequestURI(), Accept: r.Header.Get("Accept"),
			UserAgent: r.UserAgent(), IfNoneMatch: r.Header.Get("If-None-Match"),
			IfModSince: r.Header.Get("If-Modified-Since"), Auth: r.Header.Get("Authorization") != "",
			Status: cw.status,
		})
	}()
	if !s.wait(r) {
		return
	}
	if !s.authorized(r) {
		cw.Header().Set("WWW-Authenticate", `Basic realm="indexsim"`)
		http.Error(cw, "Unauthorized", http.StatusUnauthorized)
		return
	}
	if applyFault(cw, s.takeFault(r.URL.Path)) {
		return
	}
	if s.serveOSV(cw, r) {
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		cw.Header().Set("Allow", "GET, HEAD")
		http.Error(cw, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	s.route(cw, r)
}

func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case path == "/simple":
		redirect(w, r, "/simple/")
	case path == "/simple/":
		s.serveSimpleRoot(w, r)
	case strings.HasPrefix(path, "/simple/"):
		rest := strings.TrimPrefix(path, "/simple/")
		name, slash := strings.CutSuffix(rest, "/")
		if name == "" || strings.Contains(name, "/") {
			http.NotFound(w, r)
			return
		}
		p, norm := s.lookup(name)
		switch {
		case p == nil:
			http.NotFound(w, r)
		case name != norm || !slash:
			// PEP 503: servers MAY redirect unnormalized names; PyPI does, with 301.
			redirect(w, r, "/simple/"+norm+"/")
		default:
			s.serveSimpleProject(w, r, norm)
		}
	case strings.HasPrefix(path, "/pypi/") && !s.opts.HTMLOnly:
		s.routeJSON(w, r, strings.Split(strings.TrimPrefix(path, "/pypi/"), "/"))
	case strings.HasPrefix(path, "/files/"):
		s.serveFile(w, r, strings.TrimPrefix(path, "/files/"))
	default:
		http.NotFound(w, r)
	}
}

// routeJSON serves /pypi/<name>/json and /pypi/<name>/<version>/json.
func (s *Server) routeJSON(w http.ResponseWriter, r *http.Request, parts []string) {
	if n := len(parts); n > 0 && parts[n-1] == "" {
		parts = parts[:n-1]
	}
	if len(parts) < 2 || len(parts) > 3 || parts[len(parts)-1] != "json" {
		jsonNotFound(w)
		return
	}
	p, norm := s.lookup(parts[0])
	if p == nil {
		jsonNotFound(w)
		return
	}
	if parts[0] != norm {
		parts[0] = norm
		redirect(w, r, "/pypi/"+strings.Join(parts, "/"))
		return
	}
	version := ""
	if len(parts) == 3 {
		version = parts[1]
	}
	s.serveJSON(w, r, norm, version)
}

func (s *Server) lookup(name string) (*project, string) {
	norm := pkgname.Normalize(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.projects[norm], norm
}

func redirect(w http.ResponseWriter, r *http.Request, path string) {
	if r.URL.RawQuery != "" {
		path += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, path, http.StatusMovedPermanently)
}

func jsonNotFound(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte(`{"message": "Not Found"}`))
}

func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, name string) {
	s.mu.Lock()
	f := s.files[name]
	s.mu.Unlock()
	if f == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Content)))
	w.Header().Set("ETag", `"`+f.sha256+`"`)
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(f.Content)
}

// reply writes a cacheable index response the way Warehouse does: an MD5
// ETag over the body, a 304 when the client already has it, and the
// serial of the last change.
func (s *Server) reply(w http.ResponseWriter, r *http.Request, ctype string, body []byte, maxAge int, serial int64, modified time.Time) {
	h := w.Header()
	h.Set("Cache-Control", "max-age="+strconv.Itoa(maxAge)+", public")
	h.Set("X-PyPI-Last-Serial", strconv.FormatInt(serial, 10))
	sum := md5.Sum(body)
	etag := `"` + base64.RawStdEncoding.EncodeToString(sum[:]) + `"`
	if !s.opts.NoETag {
		h.Set("ETag", etag)
	}
	if s.opts.LastModified && !modified.IsZero() {
		h.Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
	}
	if s.notModified(r, etag, modified) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(body)
}

// notModified applies RFC 9110 §13.2.2: If-None-Match wins over
// If-Modified-Since when both are sent.
func (s *Server) notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		if s.opts.NoETag {
			return false
		}
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == "*" || t == etag {
				return true
			}
		}
		return false
	}
	if !s.opts.LastModified || modified.IsZero() {
		return false
	}
	ims, err := http.ParseTime(r.Header.Get("If-Modified-Since"))
	return err == nil && !modified.Truncate(time.Second).After(ims)
}
