package gitlabsim

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"time"
)

// The generic package registry of a project: files PUT under a package
// name and version, read back by the same path.
// See https://docs.gitlab.com/user/packages/generic_packages/ and GitLab's
// lib/api/generic_packages.rb, which this follows: duplicates are allowed
// unless the project's setting denies them (then 400 "Duplicate package is
// not allowed"), a download serves the newest file of that name with its
// sha256 in X-Checksum-SHA256, and names and versions are checked against
// Gitlab::Regex.generic_package_*_regex (Grape's 400 "<param> is invalid").

// packageRegistry is a project's generic packages.
type packageRegistry struct {
	packages []*genericPackage
	// denyDuplicates is the project's "allow duplicates" setting turned
	// off for generic packages.
	denyDuplicates bool
	// cutDownloads makes that many next downloads stop halfway.
	cutDownloads int
}

type genericPackage struct {
	ID      int
	Name    string
	Version string
	Files   []*PackageFile
}

// PackageFile is one uploaded file of a generic package.
type PackageFile struct {
	ID        int
	PackageID int
	FileName  string
	Content   []byte
	SHA256    string // as computed at upload; CorruptPackageFile keeps it
	CreatedAt time.Time
}

var (
	genericNameRe    = regexp.MustCompile(`^[A-Za-z0-9._+-]+$`)
	genericVersionRe = regexp.MustCompile(`^(\.?[\w+-]+\.?)+$`)
	genericFileRe    = regexp.MustCompile(`^[A-Za-z0-9._+~-]+$`)
)

// AddJobToken returns a CI job token acting as the user username (created
// if missing). GitLab accepts it in the JOB-TOKEN header.
// See https://docs.gitlab.com/ci/jobs/ci_job_token/.
func (s *Server) AddJobToken(username string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var u *User
	for _, x := range s.users {
		if x.Username == username {
			u = x
		}
	}
	if u == nil {
		u, _ = s.addUserLocked(username, username)
	}
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	token := "glcbt-" + hex.EncodeToString(b)
	s.tokens[token] = u
	return token
}

// DenyDuplicatePackages turns off duplicates for the project's generic
// packages (Settings > Packages and registries).
func (s *Server) DenyDuplicatePackages(p *Project) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p.registry.denyDuplicates = true
}

// PackageFiles returns copies of the files of a generic package, oldest
// first.
func (s *Server) PackageFiles(p *Project, name, version string) []PackageFile {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []PackageFile
	if pkg := p.registry.find(name, version); pkg != nil {
		for _, f := range pkg.Files {
			c := *f
			c.Content = append([]byte(nil), f.Content...)
			out = append(out, c)
		}
	}
	return out
}

// CorruptPackageFile flips a byte in the stored content of the newest file
// of that name, keeping its recorded sha256: bit rot in object storage, or
// a proxy that mangles the body.
func (s *Server) CorruptPackageFile(p *Project, name, version, file string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := p.registry.newest(name, version, file)
	if f == nil || len(f.Content) == 0 {
		return false
	}
	f.Content[len(f.Content)/2] ^= 0xff
	return true
}

// CutPackageDownloads makes the next n downloads of the project's package
// files announce the full Content-Length but stop after half of it, as a
// connection dropped mid-transfer.
func (s *Server) CutPackageDownloads(p *Project, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p.registry.cutDownloads = n
}

func (r *packageRegistry) find(name, version string) *genericPackage {
	for _, pkg := range r.packages {
		if pkg.Name == name && pkg.Version == version {
			return pkg
		}
	}
	return nil
}

func (r *packageRegistry) newest(name, version, file string) *PackageFile {
	pkg := r.find(name, version)
	if pkg == nil {
		return nil
	}
	for i := len(pkg.Files) - 1; i >= 0; i-- {
		if pkg.Files[i].FileName == file {
			return pkg.Files[i]
		}
	}
	return nil
}

// validPackagePath answers Grape's 400 for a bad name, version or file.
func (c *call) validPackagePath() bool {
	for _, v := range []struct {
		param string
		re    *regexp.Regexp
	}{{"package_name", genericNameRe}, {"package_version", genericVersionRe}, {"file_name", genericFileRe}} {
		if !v.re.MatchString(c.args[v.param]) {
			c.json(http.StatusBadRequest, map[string]string{"error": v.param + " is invalid"})
			return false
		}
	}
	return true
}

// ids of packages and package files are instance-wide and never reused;
// nothing deletes them, so the count is the last id.
func (s *Server) nextPackageIDs() (pkg, file int) {
	for _, p := range s.projects {
		for _, g := range p.registry.packages {
			pkg++
			file += len(g.Files)
		}
	}
	return pkg + 1, file + 1
}

// PUT /projects/:id/packages/generic/:package_name/:package_version/:file_name
// https://docs.gitlab.com/user/packages/generic_packages/#publish-a-single-file
func (s *Server) putPackageFile(c *call) {
	if !c.validPackagePath() {
		return
	}
	if st, ok := c.params.str("status"); ok && st != "default" && st != "hidden" {
		c.json(http.StatusBadRequest, map[string]string{"error": "status does not have a valid value"})
		return
	}
	if sel, ok := c.params.str("select"); ok && sel != "package_file" {
		c.json(http.StatusBadRequest, map[string]string{"error": "select does not have a valid value"})
		return
	}
	body, err := io.ReadAll(c.r.Body)
	if err != nil {
		c.message(http.StatusBadRequest, "400 Bad request - "+err.Error())
		return
	}
	reg := &c.project.registry
	name, version, file := c.args["package_name"], c.args["package_version"], c.args["file_name"]
	if reg.denyDuplicates && reg.newest(name, version, file) != nil {
		c.message(http.StatusBadRequest, "400 Bad request - Duplicate package is not allowed")
		return
	}
	pkgID, fileID := s.nextPackageIDs()
	pkg := reg.find(name, version)
	if pkg == nil {
		pkg = &genericPackage{ID: pkgID, Name: name, Version: version}
		reg.packages = append(reg.packages, pkg)
	}
	sum := sha256.Sum256(body)
	f := &PackageFile{ID: fileID, PackageID: pkg.ID, FileName: file, Content: body, SHA256: hex.EncodeToString(sum[:]), CreatedAt: s.now()}
	pkg.Files = append(pkg.Files, f)
	if sel, _ := c.params.str("select"); sel == "package_file" {
		c.json(http.StatusCreated, packageFileJSON(f))
		return
	}
	c.message(http.StatusCreated, "201 Created")
}

// packageFileJSON is the package file record the PUT returns with
// select=package_file (the Packages::PackageFile model's attributes).
func packageFileJSON(f *PackageFile) map[string]any {
	md5sum := md5.Sum(f.Content)
	sha1sum := sha1.Sum(f.Content)
	return map[string]any{
		"id":                       f.ID,
		"package_id":               f.PackageID,
		"created_at":               apiTime(f.CreatedAt),
		"updated_at":               apiTime(f.CreatedAt),
		"size":                     len(f.Content),
		"file_store":               1,
		"file_md5":                 hex.EncodeToString(md5sum[:]),
		"file_sha1":                hex.EncodeToString(sha1sum[:]),
		"file_name":                f.FileName,
		"file":                     map[string]string{"url": "/" + f.SHA256[:2] + "/" + f.SHA256[2:4] + "/" + f.SHA256 + "/packages/" + strconv.Itoa(f.PackageID) + "/files/" + strconv.Itoa(f.ID) + "/" + f.FileName},
		"file_sha256":              f.SHA256,
		"verification_retry_at":    nil,
		"verified_at":              nil,
		"verification_failure":     nil,
		"verification_retry_count": nil,
		"verification_checksum":    nil,
	}
}

// GET /projects/:id/packages/generic/:package_name/:package_version/:file_name
// https://docs.gitlab.com/user/packages/generic_packages/#download-a-single-file
func (s *Server) getPackageFile(c *call) {
	if !c.validPackagePath() {
		return
	}
	reg := &c.project.registry
	f := reg.newest(c.args["package_name"], c.args["package_version"], c.args["file_name"])
	if f == nil {
		// ActiveRecord::RecordNotFound from the package or file finder.
		c.message(http.StatusNotFound, "404 Not found")
		return
	}
	h := c.w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", `attachment; filename="`+f.FileName+`"`)
	h.Set("Content-Length", strconv.Itoa(len(f.Content)))
	h.Set("X-Checksum-SHA256", f.SHA256)
	c.w.WriteHeader(http.StatusOK)
	body := f.Content
	if reg.cutDownloads > 0 {
		reg.cutDownloads--
		body = body[:len(body)/2]
	}
	_, _ = c.w.Write(body)
}
