// Package buildinfo names the running pinwheel: its version (a SemVer
// value, so it is parsed with Masterminds/semver) and the User-Agent it sends
// to package indexes and GitLab.
package buildinfo

import (
	"fmt"
	"runtime"

	"github.com/Masterminds/semver/v3"
)

// Version is pinwheel's release version. Release builds may override it with
// -ldflags "-X github.com/pinwheel-dev/pinwheel/buildinfo.Version=1.2.3".
var Version = "0.1.0"

// SemVer returns Version parsed as SemVer, or an error when a build stamped
// a value that is not one.
func SemVer() (*semver.Version, error) {
	v, err := semver.StrictNewVersion(Version)
	if err != nil {
		return nil, fmt.Errorf("build version %q is not SemVer: %w", Version, err)
	}
	return v, nil
}

// UserAgent is the User-Agent header pinwheel sends on every request.
func UserAgent() string {
	return fmt.Sprintf("pinwheel/%s (%s; %s/%s)", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
