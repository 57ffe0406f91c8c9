package registry

import "time"

// File is one distribution file of a release, as the index lists it.
type File struct {
	Filename string
	URL      string            // absolute URL of the file
	Hashes   map[string]string // algorithm ("sha256") -> lower-case hex digest
	// RequiresPython is the file's Requires-Python specifier, "" if none.
	RequiresPython string
	// Yanked is PEP 592's mark; YankedReason is the reason, if one was given.
	Yanked       bool
	YankedReason string
	// UploadTime is when the file was uploaded; zero when the index does not say.
	UploadTime time.Time
	Size       int64 // bytes; -1 when unknown
}

// Release is every file the index lists for one version of a project.
type Release struct {
	// Version is the version as the index spells it (taken from the PEP 700
	// "versions" list or from the file names). Callers parse and compare it
	// with package pep440; registry makes no policy about versions.
	Version string
	Files   []File
}

// Yanked reports whether the release is yanked: under PEP 592 a release is
// yanked when every one of its files is.
func (r Release) Yanked() bool {
	if len(r.Files) == 0 {
		return false
	}
	for _, f := range r.Files {
		if !f.Yanked {
			return false
		}
	}
	return true
}

// UploadTime is the earliest upload time among the release's files, or the
// zero time when the index gave none.
func (r Release) UploadTime() time.Time {
	var first time.Time
	for _, f := range r.Files {
		if !f.UploadTime.IsZero() && (first.IsZero() || f.UploadTime.Before(first)) {
			first = f.UploadTime
		}
	}
	return first
}

// SHA256 returns the sha256 digests of the release's files, in index order,
// skipping files without one.
func (r Release) SHA256() []string {
	var out []string
	for _, f := range r.Files {
		if h := f.Hashes["sha256"]; h != "" {
			out = append(out, h)
		}
	}
	return out
}

// Project is what the index knows about one project.
type Project struct {
	// Name is the PEP 503 normal form of the project's name.
	Name     string
	Releases []Release
	// Links are the project's URLs from the JSON API's info.project_urls
	// (for example "Changelog", "Source", "Homepage"), empty when the index
	// serves no JSON API.
	Links map[string]string
	// Vulnerabilities are the known, not withdrawn, vulnerabilities of the
	// version looked up (Client.Lookup's version argument), from the JSON
	// API; empty when there is none, no pin, or no JSON API.
	Vulnerabilities []Vulnerability
}

// Vulnerability is one known vulnerability of a release, from the PyPI JSON
// API's "vulnerabilities" list.
type Vulnerability struct {
	ID      string
	Aliases []string
	Summary string
	// Details is the advisory's longer description, "" when none.
	Details string
	Link    string
	// FixedIn lists the versions (as the index spells them) that fix it.
	FixedIn []string
}
