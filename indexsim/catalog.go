package indexsim

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/pinwheel-dev/pinwheel/pkgname"
)

// File is one distribution file to publish with AddRelease.
type File struct {
	Filename string
	// Content is the file's bytes; nil means the simulator makes up a few
	// bytes (enough for a sha256 and a size, not an installable archive).
	Content        []byte
	RequiresPython string
	Yanked         bool
	YankedReason   string
	// UploadTime defaults to the server's clock at AddRelease.
	UploadTime time.Time
}

// Vulnerability is one advisory the JSON API lists for a version, shaped
// like PyPI's "vulnerabilities" entries (fed there from OSV).
type Vulnerability struct {
	ID      string
	Aliases []string
	Summary string
	Details string
	Link    string
	FixedIn []string
	Source  string // "osv" when empty
	// Withdrawn is when the advisory was withdrawn; zero when it stands.
	Withdrawn time.Time
}

type file struct {
	File
	sha256 string
}

type release struct {
	version string
	files   []*file
	vulns   []Vulnerability
}

type project struct {
	name     string // as the author spells it
	releases []*release
	urls     map[string]string
	serial   int64
	modified time.Time
}

func (p *project) release(version string) *release {
	for _, r := range p.releases {
		if r.version == version {
			return r
		}
	}
	return nil
}

// wheelName is the binary distribution format's escaping of a project name
// for file names: https://packaging.python.org/specifications/binary-distribution-format/#escaping-and-unicode
func wheelName(project string) string {
	return strings.ToLower(separators.ReplaceAllString(project, "_"))
}

var separators = regexp.MustCompile(`[-_.]+`)

// AddRelease publishes version of project (spelled as its author spells it)
// with files; with no files it publishes a synthesised sdist and a
// py3-none-any wheel. Adding a version that exists appends its files.
// File URLs are URL()+"/files/"+url.PathEscape(filename).
func (s *Server) AddRelease(projectName, version string, files ...File) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	p := s.projectLocked(projectName)
	if len(files) == 0 {
		base := wheelName(projectName) + "-" + version
		files = []File{{Filename: base + ".tar.gz"}, {Filename: base + "-py3-none-any.whl"}}
	}
	r := p.release(version)
	if r == nil {
		r = &release{version: version}
		p.releases = append(p.releases, r)
	}
	for _, f := range files {
		if f.Content == nil {
			f.Content = []byte(fmt.Sprintf("indexsim synthesised %s\n", f.Filename))
		}
		if f.UploadTime.IsZero() {
			f.UploadTime = now
		}
		sum := sha256.Sum256(f.Content)
		nf := &file{File: f, sha256: hex.EncodeToString(sum[:])}
		r.files = append(r.files, nf)
		s.files[f.Filename] = nf
	}
	s.touchLocked(p, now)
}

// Yank marks every file of a release yanked (PEP 592), with an optional
// reason. Unknown projects and versions are ignored.
func (s *Server) Yank(projectName, version, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, r := s.releaseLocked(projectName, version)
	if r == nil {
		return
	}
	for _, f := range r.files {
		f.Yanked, f.YankedReason = true, reason
	}
	s.touchLocked(p, s.now())
}

// SetProjectURLs sets the project's info.project_urls, as the JSON API
// reports them (for example {"Changelog": "https://..."}).
func (s *Server) SetProjectURLs(projectName string, urls map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.projectLocked(projectName)
	p.urls = make(map[string]string, len(urls))
	for k, v := range urls {
		p.urls[k] = v
	}
	s.touchLocked(p, s.now())
}

// AddVulnerability records an advisory against one version of a project;
// the version must have been added.
func (s *Server) AddVulnerability(projectName, version string, v Vulnerability) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, r := s.releaseLocked(projectName, version)
	if r == nil {
		return
	}
	r.vulns = append(r.vulns, v)
	s.touchLocked(p, s.now())
}

// releaseLocked finds a published release; r is nil when the project or
// the version is unknown.
func (s *Server) releaseLocked(projectName, version string) (p *project, r *release) {
	p = s.projects[pkgname.Normalize(projectName)]
	if p == nil {
		return nil, nil
	}
	return p, p.release(version)
}

func (s *Server) projectLocked(name string) *project {
	norm := pkgname.Normalize(name)
	p := s.projects[norm]
	if p == nil {
		p = &project{name: name}
		s.projects[norm] = p
		s.order = append(s.order, norm)
	}
	return p
}

// touchLocked bumps the serial the way PyPI's journal does on every change.
func (s *Server) touchLocked(p *project, now time.Time) {
	s.serial++
	p.serial = s.serial
	p.modified = now
}

// latest picks the release the JSON API's project endpoint describes: PyPI
// prefers the newest non-prerelease. The simulator has no version ordering,
// so "newest" is the most recently added; a version with a letter in it
// counts as a prerelease, and yanked releases come last.
func (p *project) latest() *release {
	var best *release
	rank := func(r *release) int {
		n := 0
		if !r.yanked() {
			n += 2
		}
		if !strings.ContainsAny(r.version, "abcdefghijklmnopqrstuvwxyz") {
			n++
		}
		return n
	}
	for _, r := range p.releases {
		if best == nil || rank(r) >= rank(best) {
			best = r
		}
	}
	return best
}

func (r *release) yanked() bool {
	if len(r.files) == 0 {
		return false
	}
	for _, f := range r.files {
		if !f.Yanked {
			return false
		}
	}
	return true
}

func (r *release) yankedReason() string {
	for _, f := range r.files {
		if f.YankedReason != "" {
			return f.YankedReason
		}
	}
	return ""
}

func (r *release) requiresPython() string {
	for _, f := range r.files {
		if f.RequiresPython != "" {
			return f.RequiresPython
		}
	}
	return ""
}
