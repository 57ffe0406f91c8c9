package indexsim

// The OSV endpoint: POST /v1/querybatch and GET /v1/vulns/{id}, as
// google/osv.dev serves them (docs/api/post-v1-querybatch.md,
// get-v1-vulns.md; gcp/api/server.py). Errors are grpc-gateway bodies,
// {"code": <gRPC code>, "message": "..."}: 400 with code 3 for a bad
// query, 404 with code 5 "Bug not found." for an unknown id. A batch of
// more than 1000 queries is refused ("Too many queries."). Querybatch
// results list only id and modified, omit "vulns" when there are none, and
// page per query with next_page_token once a query has more matches than
// the page size (SetOSVPageSize; OSV's own is 1000).

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/pinwheel-dev/pinwheel/pkgname"
)

// OSV request kinds, for RequestsOf.
const (
	KindOSVQueryBatch Kind = "osv-querybatch"
	KindOSVVuln       Kind = "osv-vuln"
)

// osvMaxBatch is OSV's limit on queries per querybatch (server.py
// _MAX_BATCH_QUERY).
const osvMaxBatch = 1000

// osvEcosystems are the ecosystem names OSV knows (a subset is enough:
// anything else, "pypi" included, is an unknown ecosystem).
var osvEcosystems = map[string]bool{
	"PyPI": true, "npm": true, "Go": true, "Maven": true, "crates.io": true,
	"NuGet": true, "RubyGems": true, "Packagist": true, "Pub": true,
	"Hex": true, "Debian": true, "Alpine": true, "OSS-Fuzz": true,
}

// OSVQuery is one query of a querybatch as the server received it.
type OSVQuery struct {
	Ecosystem, Name, Purl, Version, Commit, PageToken string
}

type osvState struct {
	records  map[string]*osvRecord // by id
	bodies   map[string][]byte     // served instead of the record (hostile data)
	extra    map[string][]osvEntry // forced listings by name|version
	pageSize int
	batches  [][]OSVQuery
}

type osvRecord struct {
	id, modified string
	body         []byte
	affected     []osvAffectedWire
	names        map[string]bool // normalized PyPI names of affected
}

type osvEntry struct {
	ID       string `json:"id"`
	Modified string `json:"modified"`
}

type osvAffectedWire struct {
	Package struct {
		Ecosystem string `json:"ecosystem"`
		Name      string `json:"name"`
	} `json:"package"`
	Ranges []struct {
		Type   string              `json:"type"`
		Events []map[string]string `json:"events"`
	} `json:"ranges"`
	Versions []string `json:"versions"`
}

func (s *Server) osvLocked() *osvState {
	if s.osv == nil {
		s.osv = &osvState{records: map[string]*osvRecord{}, bodies: map[string][]byte{}, extra: map[string][]osvEntry{}, pageSize: osvMaxBatch}
	}
	return s.osv
}

// AddOSVRecord publishes a full OSV record (JSON, as GET /v1/vulns/{id}
// returns it). Querybatch lists it for the versions its PyPI affected
// entries cover. Adding an id again replaces the record.
func (s *Server) AddOSVRecord(body []byte) error {
	var w struct {
		ID       string            `json:"id"`
		Modified string            `json:"modified"`
		Affected []osvAffectedWire `json:"affected"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return fmt.Errorf("OSV record: %w", err)
	}
	if w.ID == "" {
		return fmt.Errorf("OSV record has no id")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := &osvRecord{id: w.ID, modified: w.Modified, body: append([]byte(nil), body...), affected: w.Affected, names: map[string]bool{}}
	for _, a := range w.Affected {
		if a.Package.Ecosystem == "PyPI" {
			rec.names[pkgname.Normalize(a.Package.Name)] = true
		}
	}
	s.osvLocked().records[w.ID] = rec
	return nil
}

// SetOSVBody makes GET /v1/vulns/{id} answer body (anything: huge,
// malformed, another record) while querybatch goes on listing id as before.
func (s *Server) SetOSVBody(id string, body []byte) {
	s.mu.Lock()
	s.osvLocked().bodies[id] = append([]byte(nil), body...)
	s.mu.Unlock()
}

// ListOSV makes querybatch list id (with modified) for name at version
// whatever the records say, as a confused or hostile server would.
func (s *Server) ListOSV(name, version, id, modified string) {
	s.mu.Lock()
	st := s.osvLocked()
	k := pkgname.Normalize(name) + "|" + version
	st.extra[k] = append(st.extra[k], osvEntry{ID: id, Modified: modified})
	s.mu.Unlock()
}

// SetOSVPageSize sets how many vulns one querybatch result holds before
// it pages with next_page_token (default 1000).
func (s *Server) SetOSVPageSize(n int) {
	s.mu.Lock()
	s.osvLocked().pageSize = max(n, 1)
	s.mu.Unlock()
}

// OSVURL is the OSV API root for osv_url (the server's own URL).
func (s *Server) OSVURL() string { return s.ts.URL }

// OSVBatches returns the querybatch requests served so far, each as its
// list of queries, oldest first.
func (s *Server) OSVBatches() [][]OSVQuery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]OSVQuery(nil), s.osvLocked().batches...)
}

func osvKind(path string) Kind {
	if path == "/v1/querybatch" {
		return KindOSVQueryBatch
	}
	return KindOSVVuln
}

// serveOSV answers the OSV paths; it reports whether path was one.
func (s *Server) serveOSV(w http.ResponseWriter, r *http.Request) bool {
	switch {
	case r.URL.Path == "/v1/querybatch":
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			osvError(w, http.StatusMethodNotAllowed, 12, "Method Not Allowed")
			return true
		}
		s.serveQueryBatch(w, r)
	case strings.HasPrefix(r.URL.Path, "/v1/vulns/"):
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", "GET")
			osvError(w, http.StatusMethodNotAllowed, 12, "Method Not Allowed")
			return true
		}
		s.serveVuln(w, strings.TrimPrefix(r.URL.Path, "/v1/vulns/"))
	default:
		return false
	}
	return true
}

func osvError(w http.ResponseWriter, status, code int, msg string) {
	body, _ := json.Marshal(map[string]any{"code": code, "message": msg, "details": []any{}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (s *Server) serveVuln(w http.ResponseWriter, id string) {
	s.mu.Lock()
	st := s.osvLocked()
	body, ok := st.bodies[id]
	if !ok {
		if rec := st.records[id]; rec != nil {
			body, ok = rec.body, true
		}
	}
	s.mu.Unlock()
	if !ok {
		osvError(w, http.StatusNotFound, 5, "Bug not found.")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}

type osvWireQuery struct {
	Commit    string `json:"commit"`
	Version   string `json:"version"`
	PageToken string `json:"page_token"`
	Package   struct {
		Name      string `json:"name"`
		Ecosystem string `json:"ecosystem"`
		Purl      string `json:"purl"`
	} `json:"package"`
}

type osvResult struct {
	Vulns         []osvEntry `json:"vulns,omitempty"`
	NextPageToken string     `json:"next_page_token,omitempty"`
}

func (s *Server) serveQueryBatch(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Queries []osvWireQuery `json:"queries"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 32<<20))
	if err := dec.Decode(&req); err != nil {
		osvError(w, http.StatusBadRequest, 3, "Invalid JSON payload received. "+err.Error())
		return
	}
	if len(req.Queries) > osvMaxBatch {
		osvError(w, http.StatusBadRequest, 3, "Too many queries.")
		return
	}
	got := make([]OSVQuery, len(req.Queries))
	for i, q := range req.Queries {
		got[i] = OSVQuery{Ecosystem: q.Package.Ecosystem, Name: q.Package.Name, Purl: q.Package.Purl, Version: q.Version, Commit: q.Commit, PageToken: q.PageToken}
	}
	s.mu.Lock()
	st := s.osvLocked()
	st.batches = append(st.batches, got)
	results := make([]osvResult, len(req.Queries))
	var msg string
	for i, q := range got {
		if msg = checkOSVQuery(q); msg != "" {
			break
		}
		all := st.matches(q)
		offset := 0
		if q.PageToken != "" {
			var ok bool
			if offset, ok = parseOSVToken(q.PageToken, q); !ok || offset > len(all) {
				msg = "Invalid page token."
				break
			}
		}
		end := min(offset+st.pageSize, len(all))
		results[i].Vulns = all[offset:end]
		if end < len(all) {
			results[i].NextPageToken = osvToken(q, end)
		}
	}
	s.mu.Unlock()
	if msg != "" {
		osvError(w, http.StatusBadRequest, 3, msg)
		return
	}
	body, _ := json.Marshal(map[string]any{"results": results})
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// checkOSVQuery is do_query's validation: a version in both the purl and
// the query, an unknown ecosystem, or neither a package nor a commit.
func checkOSVQuery(q OSVQuery) string {
	if q.Purl != "" {
		if q.Name != "" || q.Ecosystem != "" {
			return "ecosystem and name must not be specified with a PURL."
		}
		if !strings.HasPrefix(q.Purl, "pkg:") {
			return "Invalid Package URL."
		}
		if strings.Contains(q.Purl, "@") && q.Version != "" {
			return "version specified in params and PURL query"
		}
		return ""
	}
	if q.Commit != "" {
		return ""
	}
	if q.Ecosystem != "" && !osvEcosystems[q.Ecosystem] {
		return "Invalid ecosystem."
	}
	if q.Name == "" || q.Ecosystem == "" {
		return "Invalid query."
	}
	return ""
}

// matches lists the records affecting q's version (only PyPI name+version
// queries match records; purl and commit queries match nothing here),
// sorted by id, then any forced listings.
func (st *osvState) matches(q OSVQuery) []osvEntry {
	var out []osvEntry
	if q.Ecosystem == "PyPI" && q.Version != "" {
		norm := pkgname.Normalize(q.Name)
		for _, rec := range st.records {
			if rec.names[norm] && rec.affects(q.Name, q.Version) {
				out = append(out, osvEntry{ID: rec.id, Modified: rec.modified})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return append(out, st.extra[pkgname.Normalize(q.Name)+"|"+q.Version]...)
}

func (rec *osvRecord) affects(name, version string) bool {
	for _, a := range rec.affected {
		if a.Package.Ecosystem != "PyPI" || !pkgname.Equal(a.Package.Name, name) {
			continue
		}
		for _, v := range a.Versions {
			if v == version {
				return true
			}
		}
		for _, rg := range a.Ranges {
			if rg.Type == "ECOSYSTEM" && inOSVRange(version, rg.Events) {
				return true
			}
		}
	}
	return false
}

// The page token names the query it belongs to and the offset of the
// next page, so a token sent with another query is refused.
func osvToken(q OSVQuery, offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("%s|%s|%s|%d", q.Ecosystem, pkgname.Normalize(q.Name), q.Version, offset)))
}

func parseOSVToken(tok string, q OSVQuery) (int, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, false
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != 4 || parts[0] != q.Ecosystem || parts[1] != pkgname.Normalize(q.Name) || parts[2] != q.Version {
		return 0, false
	}
	n, err := strconv.Atoi(parts[3])
	return n, err == nil && n >= 0
}
