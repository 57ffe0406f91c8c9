// Package buildinfo names the running pinwheel: its version and the
// User-Agent it sends to package indexes and GitLab. The version is only
// printed and sent, never compared, so it is kept as text.
package buildinfo

import (
	"fmt"
	"runtime"
)

// Version is pinwheel's release version. Release builds may override it with
// -ldflags "-X github.com/pinwheel-dev/pinwheel/buildinfo.Version=1.2.3".
var Version = "0.1.0"

// UserAgent is the User-Agent header pinwheel sends on every request.
func UserAgent() string {
	return fmt.Sprintf("pinwheel/%s (%s; %s/%s)", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
