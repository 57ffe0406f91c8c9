package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pinwheel-dev/pinwheel/internal/redact"
)

// simpleAccept prefers PEP 691 JSON, then the HTML forms, as PEP 691's
// example client does.
const simpleAccept = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"

// page is one simple API project page, whichever format it came in.
type page struct {
	apiVersion string
	versions   []string // PEP 700; nil when absent
	files      []File
}

// simple fetches and reads the simple API page of the project whose
// normal name is norm; unchanged is true when the page is the one the
// cache held. PEP 503 says clients MUST request the normalized URL, with
// the trailing slash.
func (c *Client) simple(ctx context.Context, norm string) (p *Project, unchanged bool, err error) {
	resp, err := c.get(ctx, c.opts.IndexURL+"/"+url.PathEscape(norm)+"/", simpleAccept, 0)
	if errors.Is(err, ErrNotFound) {
		return nil, false, ErrNotFound
	}
	if err != nil {
		return nil, false, err
	}
	base, err := url.Parse(resp.url)
	if err != nil {
		return nil, false, fmt.Errorf("page URL %s: %w", redact.URLs(resp.url), err)
	}
	var pg *page
	mt, _, _ := mime.ParseMediaType(resp.contentType)
	switch {
	case mt == "application/vnd.pypi.simple.v1+json", mt == "application/json",
		mt == "application/vnd.pypi.simple.latest+json", // an alias PEP 691 lets clients ask for; meta says the version
		mt == "" && bytes.HasPrefix(bytes.TrimSpace(resp.body), []byte("{")):
		pg, err = parseSimpleJSON(resp.body, base)
	case strings.HasPrefix(mt, "application/vnd.pypi.simple.") &&
		!strings.HasPrefix(mt, "application/vnd.pypi.simple.v1+") && !strings.HasPrefix(mt, "application/vnd.pypi.simple.latest+"):
		// PEP 691 puts the API version in the content type: a server that
		// ignored our Accept and answered another major version is not
		// something to read as HTML and find no files in.
		err = fmt.Errorf("simple API content type %s is not supported (want v1)", mt)
	default:
		pg, err = parseSimpleHTML(resp.body, base)
	}
	if err != nil {
		return nil, false, fmt.Errorf("read %s: %w", redact.URLs(resp.url), err)
	}
	if err := checkAPIVersion(pg.apiVersion); err != nil {
		return nil, false, fmt.Errorf("read %s: %w", redact.URLs(resp.url), err)
	}
	return c.project(norm, pg), resp.unchanged, nil
}

// checkAPIVersion applies PEP 629: fail on a major version we do not know.
func checkAPIVersion(v string) error {
	if v == "" {
		return nil
	}
	major, _, _ := strings.Cut(v, ".")
	if major != "1" {
		return fmt.Errorf("simple API version %s is not supported (want 1.x)", v)
	}
	return nil
}

type simpleJSONDoc struct {
	Meta struct {
		APIVersion string `json:"api-version"`
	} `json:"meta"`
	Versions []string `json:"versions"`
	Files    []struct {
		Filename       string            `json:"filename"`
		URL            string            `json:"url"`
		Hashes         map[string]string `json:"hashes"`
		RequiresPython *string           `json:"requires-python"`
		Yanked         yankedField       `json:"yanked"`
		Size           *int64            `json:"size"`
		UploadTime     string            `json:"upload-time"`
	} `json:"files"`
}

// parseSimpleJSON reads PEP 691 JSON with PEP 700's additions.
func parseSimpleJSON(body []byte, base *url.URL) (*page, error) {
	var doc simpleJSONDoc
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("simple API JSON: %w", err)
	}
	pg := &page{apiVersion: doc.Meta.APIVersion, versions: doc.Versions, files: make([]File, 0, len(doc.Files))}
	for _, f := range doc.Files {
		file := File{Filename: f.Filename, Hashes: lowerHex(f.Hashes), Size: -1}
		file.URL = resolve(base, f.URL)
		if f.RequiresPython != nil {
			file.RequiresPython = *f.RequiresPython
		}
		file.Yanked, file.YankedReason = f.Yanked.yanked, f.Yanked.reason
		if f.Size != nil {
			file.Size = *f.Size
		}
		if f.UploadTime != "" {
			t, err := time.Parse(time.RFC3339Nano, f.UploadTime)
			if err != nil {
				return nil, fmt.Errorf("file %s: upload-time: %w", f.Filename, err)
			}
			file.UploadTime = t
		}
		pg.files = append(pg.files, file)
	}
	return pg, nil
}

// yankedField reads PEP 691's "yanked": false, true, or a reason string.
type yankedField struct {
	yanked bool
	reason string
}

func (y *yankedField) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "false", "null":
		*y = yankedField{}
		return nil
	case "true":
		*y = yankedField{yanked: true}
		return nil
	}
	y.yanked = true
	return json.Unmarshal(b, &y.reason)
}

// lowerHex lower-cases hash names and digests, reusing h when it already
// is (it nearly always is: one map less per file).
func lowerHex(h map[string]string) map[string]string {
	if len(h) == 0 {
		return nil
	}
	lower := true
	for k, v := range h {
		lower = lower && k == strings.ToLower(k) && v == strings.ToLower(v)
	}
	if lower {
		return h
	}
	out := make(map[string]string, len(h))
	for k, v := range h {
		out[strings.ToLower(k)] = strings.ToLower(v)
	}
	return out
}

// resolve makes a file URL absolute: both PEP 503 and PEP 691 allow URLs
// relative to the page.
func resolve(base *url.URL, ref string) string {
	if strings.HasPrefix(ref, "https://") || strings.HasPrefix(ref, "http://") {
		return ref // already absolute, as PyPI's are
	}
	u, err := base.Parse(ref)
	if err != nil {
		return ref
	}
	return u.String()
}

// project groups a page's files into releases, in the order of PEP 700's
// versions when the page has them and of first appearance otherwise.
// Versions listed without files are left out: nothing of them could be
// installed.
func (c *Client) project(norm string, pg *page) *Project {
	p := &Project{Name: norm, Releases: make([]Release, 0, len(pg.versions))}
	index := map[string]int{}
	lower := map[string]string{}
	for _, v := range pg.versions {
		if _, dup := index[v]; dup {
			continue
		}
		index[v] = len(p.Releases)
		lower[strings.ToLower(v)] = v
		p.Releases = append(p.Releases, Release{Version: v})
	}
	for _, f := range pg.files {
		v, ok := fileVersion(norm, f.Filename)
		if !ok {
			c.log.WithFields(map[string]any{"project": norm, "file": f.Filename}).Debug("cannot read a version from the file name; skipping it")
			continue
		}
		if _, ok := index[v]; !ok {
			if listed, ok := lower[strings.ToLower(v)]; ok {
				v = listed
			} else {
				index[v] = len(p.Releases)
				p.Releases = append(p.Releases, Release{Version: v})
			}
		}
		r := &p.Releases[index[v]]
		r.Files = append(r.Files, f)
	}
	kept := p.Releases[:0]
	for _, r := range p.Releases {
		if len(r.Files) > 0 {
			kept = append(kept, r)
		}
	}
	p.Releases = kept
	return p
}

func hasUploadTimes(p *Project) bool {
	files := 0
	for _, r := range p.Releases {
		for _, f := range r.Files {
			files++
			if !f.UploadTime.IsZero() {
				return true
			}
		}
	}
	return files == 0
}

func applyUploadTimes(p *Project, times map[string]time.Time) {
	for i := range p.Releases {
		for j := range p.Releases[i].Files {
			f := &p.Releases[i].Files[j]
			if t, ok := times[f.Filename]; ok && f.UploadTime.IsZero() {
				f.UploadTime = t
			}
		}
	}
}

// sizeAttr parses a size, -1 when absent or bad.
func sizeAttr(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return -1
	}
	return n
}
