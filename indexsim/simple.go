package indexsim

import (
	"bytes"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Content types of the simple API (PEP 691).
const (
	TypeJSON   = "application/vnd.pypi.simple.v1+json"
	TypeV1HTML = "application/vnd.pypi.simple.v1+html"
	TypeHTML   = "text/html"
)

// offers is Warehouse's list, in its order: the first acceptable one with
// the highest q wins, and text/html is the default when none is acceptable
// (PyPI never answers 406).
var offers = []string{TypeHTML, TypeV1HTML, TypeJSON}

// negotiate picks a content type for an Accept header (RFC 9110 §12.5.1):
// each offer takes the q of the most specific range matching it.
func negotiate(accept string) string {
	if strings.TrimSpace(accept) == "" {
		return TypeHTML
	}
	type rng struct {
		typ, sub string
		q        float64
	}
	var ranges []rng
	for _, part := range strings.Split(accept, ",") {
		fields := strings.Split(part, ";")
		typ, sub, ok := strings.Cut(strings.ToLower(strings.TrimSpace(fields[0])), "/")
		if !ok {
			continue
		}
		q := 1.0
		for _, p := range fields[1:] {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(k, "q") {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					q = f
				}
			}
		}
		ranges = append(ranges, rng{typ, sub, q})
	}
	best, bestQ := TypeHTML, 0.0
	for _, offer := range offers {
		ot, os, _ := strings.Cut(offer, "/")
		q, spec := 0.0, -1
		for _, r := range ranges {
			s := -1
			switch {
			case r.typ == ot && r.sub == os:
				s = 2
			case r.typ == ot && r.sub == "*":
				s = 1
			case r.typ == "*" && r.sub == "*":
				s = 0
			}
			if s > spec {
				q, spec = r.q, s
			}
		}
		if q > bestQ {
			best, bestQ = offer, q
		}
	}
	return best
}

func (s *Server) contentType(r *http.Request) string {
	if s.opts.HTMLOnly || s.opts.SimpleHTMLOnly {
		return TypeHTML
	}
	return negotiate(r.Header.Get("Accept"))
}

func (s *Server) serveSimpleRoot(w http.ResponseWriter, r *http.Request) {
	ctype := s.contentType(r)
	var buf bytes.Buffer
	s.mu.Lock()
	serial := s.serial
	var modified time.Time
	if ctype == TypeJSON {
		type entry struct {
			Name   string `json:"name"`
			Serial int64  `json:"_last-serial"`
		}
		doc := struct {
			Meta     map[string]any `json:"meta"`
			Projects []entry        `json:"projects"`
		}{Meta: map[string]any{"api-version": s.opts.SimpleAPIVersion, "_last-serial": serial}, Projects: []entry{}}
		for _, norm := range s.order {
			doc.Projects = append(doc.Projects, entry{s.projects[norm].name, s.projects[norm].serial})
		}
		buf.Write(marshal(doc))
	} else {
		fmt.Fprintf(&buf, "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"%s\">\n    <title>Simple index</title>\n  </head>\n  <body>\n", s.opts.SimpleAPIVersion)
		for _, norm := range s.order {
			fmt.Fprintf(&buf, "    <a href=\"/simple/%s/\">%s</a>\n", norm, html.EscapeString(s.projects[norm].name))
		}
		fmt.Fprintf(&buf, "  </body>\n</html>\n<!--SERIAL %d-->\n", serial)
	}
	for _, p := range s.projects {
		if p.modified.After(modified) {
			modified = p.modified
		}
	}
	s.mu.Unlock()
	w.Header().Set("Vary", "Accept")
	s.reply(w, r, ctype, buf.Bytes(), simpleMaxAge, serial, modified)
}

func (s *Server) fileURL(f *file) string { return s.URL() + "/files/" + url.PathEscape(f.Filename) }

// pep700Time is PEP 700's upload-time format: yyyy-mm-ddThh:mm:ss.ffffffZ.
const pep700Time = "2006-01-02T15:04:05.000000Z"

func (s *Server) serveSimpleProject(w http.ResponseWriter, r *http.Request, norm string) {
	ctype := s.contentType(r)
	s.mu.Lock()
	p := s.projects[norm]
	serial, modified := p.serial, p.modified
	var body []byte
	if ctype == TypeJSON {
		body = s.simpleJSONLocked(p, norm)
	} else {
		body = s.simpleHTMLLocked(p)
	}
	s.mu.Unlock()
	w.Header().Set("Vary", "Accept")
	s.reply(w, r, ctype, body, simpleMaxAge, serial, modified)
}

type simpleFile struct {
	Filename       string  `json:"filename"`
	URL            string  `json:"url"`
	Hashes         hashes  `json:"hashes"`
	RequiresPython *string `json:"requires-python"`
	Yanked         any     `json:"yanked"`
	Size           *int    `json:"size,omitempty"`
	UploadTime     string  `json:"upload-time,omitempty"`
}

// hashes is PyPI's "hashes" object: sha256 only.
type hashes struct {
	SHA256 string `json:"sha256"`
}

// simpleJSONLocked renders PEP 691 JSON, plus PEP 700's fields from API 1.1.
func (s *Server) simpleJSONLocked(p *project, norm string) []byte {
	pep700 := s.opts.SimpleAPIVersion != "1.0"
	doc := struct {
		Meta     map[string]any `json:"meta"`
		Name     string         `json:"name"`
		Versions []string       `json:"versions,omitempty"`
		Files    []simpleFile   `json:"files"`
	}{
		Meta:  map[string]any{"api-version": s.opts.SimpleAPIVersion, "_last-serial": p.serial},
		Name:  norm,
		Files: []simpleFile{},
	}
	for _, rel := range p.releases {
		if pep700 {
			doc.Versions = append(doc.Versions, rel.version)
		}
		for _, f := range rel.files {
			sf := simpleFile{
				Filename: f.Filename,
				URL:      s.fileURL(f),
				Hashes:   hashes{f.sha256},
				Yanked:   false,
			}
			if f.RequiresPython != "" {
				rp := f.RequiresPython
				sf.RequiresPython = &rp
			}
			if f.Yanked {
				sf.Yanked = true
				if f.YankedReason != "" {
					sf.Yanked = f.YankedReason
				}
			}
			if pep700 {
				size := len(f.Content)
				sf.Size = &size
				sf.UploadTime = f.UploadTime.UTC().Format(pep700Time)
			}
			doc.Files = append(doc.Files, sf)
		}
	}
	if pep700 && doc.Versions == nil {
		doc.Versions = []string{}
	}
	return marshal(doc)
}

// simpleHTMLLocked renders PEP 503 HTML with PEP 592's data-yanked and
// data-requires-python (HTML-escaped, as the spec requires for "<").
func (s *Server) simpleHTMLLocked(p *project) []byte {
	var b bytes.Buffer
	name := html.EscapeString(p.name)
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"%s\">\n    <title>Links for %s</title>\n  </head>\n  <body>\n    <h1>Links for %s</h1>\n", s.opts.SimpleAPIVersion, name, name)
	for _, rel := range p.releases {
		for _, f := range rel.files {
			fmt.Fprintf(&b, "    <a href=\"%s#sha256=%s\"", html.EscapeString(s.fileURL(f)), f.sha256)
			if f.RequiresPython != "" {
				fmt.Fprintf(&b, " data-requires-python=\"%s\"", html.EscapeString(f.RequiresPython))
			}
			if f.Yanked {
				fmt.Fprintf(&b, " data-yanked=\"%s\"", html.EscapeString(f.YankedReason))
			}
			fmt.Fprintf(&b, ">%s</a><br />\n", html.EscapeString(f.Filename))
		}
	}
	fmt.Fprintf(&b, "  </body>\n</html>\n<!--SERIAL %d-->\n", p.serial)
	return b.Bytes()
}
