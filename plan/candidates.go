package plan

import (
	"slices"
	"time"

	"github.com/pinwheel-dev/pinwheel/pep440"
	"github.com/pinwheel-dev/pinwheel/registry"
)

// candidate is one version of the project with its installable files.
type candidate struct {
	version pep440.Version
	// release holds only the non-yanked files of every spelling of version.
	release registry.Release
	date    time.Time
	pending bool
}

// collect parses the index's versions, merges spellings that PEP 440 calls
// equal ("1.0" and "1.0.0") into one candidate, drops yanked files
// (https://peps.python.org/pep-0592/) and returns the candidates in
// ascending order with the versions that did not parse. A version left
// with no file at all (all yanked, or none listed) is not installable and
// is dropped.
func collect(releases []registry.Release) ([]candidate, []string) {
	type parsed struct {
		version pep440.Version
		release registry.Release
	}
	var all []parsed
	var unparsable []string
	for _, r := range releases {
		v, err := pep440.Parse(r.Version)
		if err != nil {
			unparsable = append(unparsable, r.Version)
			continue
		}
		all = append(all, parsed{v, r})
	}
	slices.SortStableFunc(all, func(a, b parsed) int { return a.version.Compare(b.version) })

	var out []candidate
	for i := 0; i < len(all); {
		j := i + 1
		for j < len(all) && all[j].version.Equal(all[i].version) {
			j++
		}
		// The target keeps the index's spelling: that of the first release
		// in index order that still has a file to install.
		var c candidate
		for _, p := range all[i:j] {
			live := liveFiles(p.release.Files)
			if len(live) == 0 {
				continue
			}
			if c.release.Version == "" {
				c.version, c.release.Version = p.version, p.release.Version
			}
			c.release.Files = append(c.release.Files, live...)
		}
		if len(c.release.Files) > 0 {
			c.date = c.release.UploadTime()
			out = append(out, c)
		}
		i = j
	}
	return out, unparsable
}

func liveFiles(files []registry.File) []registry.File {
	var out []registry.File
	for _, f := range files {
		if !f.Yanked {
			out = append(out, f)
		}
	}
	return out
}

// filter holds what decides whether a candidate may be offered.
type filter struct {
	pin    pep440.Version
	rule   Rule
	python []pep440.Version
	// requires caches parsed Requires-Python values: most files of a
	// project share a handful.
	requires map[string]pep440.Specifiers
}

func (f filter) accepts(c candidate) bool {
	if c.version.Compare(f.pin) <= 0 || f.rule.skips(c.version) {
		return false
	}
	// A local label names a build variant ("+cu121"), not a newer version:
	// stay on the pin's variant, and never leave the public one for it.
	// https://packaging.python.org/en/latest/specifications/version-specifiers/#local-version-identifiers
	if c.version.Local() != f.pin.Local() {
		return false
	}
	// Pre-releases only for a pin that is one, as the spec's default
	// (https://packaging.python.org/en/latest/specifications/version-specifiers/#handling-of-pre-releases).
	if c.version.IsPrerelease() && !f.pin.IsPrerelease() {
		return false
	}
	// The pre-release decision is made above; Allowed only limits the range.
	if !f.rule.Allowed.Contains(c.version, pep440.WithPrereleases(true)) {
		return false
	}
	if len(f.python) == 0 {
		return true
	}
	for _, file := range c.release.Files {
		if f.runsOnAll(file.RequiresPython) {
			return true
		}
	}
	return false
}

// runsOnAll reports whether a file's Requires-Python holds for every listed
// Python. Like pip, it ignores a Requires-Python that does not parse, and it
// lets pre-release Pythons ("3.14.0rc1") match.
func (f filter) runsOnAll(requiresPython string) bool {
	if requiresPython == "" {
		return true
	}
	specs, ok := f.requires[requiresPython]
	if !ok {
		var err error
		specs, err = pep440.ParseSpecifiers(requiresPython)
		if err != nil {
			specs = nil
		}
		f.requires[requiresPython] = specs
	}
	for _, py := range f.python {
		if !specs.Contains(py, pep440.WithPrereleases(true)) {
			return false
		}
	}
	return true
}
