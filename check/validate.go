package check

import (
	"errors"
	"fmt"
	"regexp"
	"unicode"

	"github.com/pinwheel-dev/pinwheel/plan"
)

// ErrBadIndexData means the index described the target release in a way
// pinwheel will not write into a file or a merge request.
var ErrBadIndexData = errors.New("bad data from the index")

// Caps on what the index may send for one file of a target release. PyPI
// limits file names to 255 bytes; a version over 100 characters is no
// release anyone publishes.
const (
	maxVersionLen  = 100
	maxFilenameLen = 255
)

var sha256RE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// checkRelease refuses an update whose target release carries values that
// would end up in the file or on GitLab broken: an over-long version, a
// file name with blanks or control characters or past 255 bytes, a
// malformed sha256. Only the target is checked: junk in a release
// pinwheel does not offer costs nothing.
func checkRelease(u plan.Update) error {
	if len(u.To) > maxVersionLen {
		return fmt.Errorf("%w: version of %d characters", ErrBadIndexData, len(u.To))
	}
	for _, f := range u.Release.Files {
		if len(f.Filename) > maxFilenameLen {
			return fmt.Errorf("%w: file name of %d bytes", ErrBadIndexData, len(f.Filename))
		}
		for _, r := range f.Filename {
			if unicode.IsSpace(r) || unicode.IsControl(r) || r == unicode.ReplacementChar {
				return fmt.Errorf("%w: file name %q has a blank or control character", ErrBadIndexData, f.Filename)
			}
		}
		if h, ok := f.Hashes["sha256"]; ok && !sha256RE.MatchString(h) {
			return fmt.Errorf("%w: file %q: malformed sha256 %q", ErrBadIndexData, f.Filename, truncate(h, 80))
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
