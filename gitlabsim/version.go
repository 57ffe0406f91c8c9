package gitlabsim

import (
	"net/http"
	"strconv"
	"strings"
)

// DefaultVersion is the GitLab version a simulator reports unless
// Options.Version or SetVersion says otherwise.
const DefaultVersion = "18.6.1-ee"

// SetVersion sets the version GET /version and GET /metadata report, as
// GitLab writes it ("17.10.3-ee", "18.1.0-pre"). It also decides what the
// simulator understands: before 17.11 the merge endpoint knows no
// auto_merge parameter and, like Grape with any undeclared parameter,
// ignores it.
func (s *Server) SetVersion(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.version = v
}

// GET /version, https://docs.gitlab.com/api/version/: since 15.5 a mirror
// of GET /metadata (https://docs.gitlab.com/api/metadata/). Both need an
// authenticated user (401 otherwise, as every route here).
func (s *Server) getVersion(c *call) {
	c.json(http.StatusOK, map[string]any{
		"version":  s.version,
		"revision": "6f4b1c2d3e5",
		"kas": map[string]any{
			"enabled": false, "externalUrl": nil, "externalK8sProxyUrl": nil, "version": nil,
		},
		"enterprise": strings.HasSuffix(s.version, "-ee"),
	})
}

// knowsAutoMerge reports whether the simulated version has the merge
// endpoint's auto_merge parameter (GitLab 17.11, gitlab-org/gitlab!184731).
// It reads major.minor by hand rather than with the production parser,
// so a test of that parser is not checked against itself.
func (s *Server) knowsAutoMerge() bool {
	major, minor := majorMinor(s.version)
	return major > 17 || major == 17 && minor >= 11
}

func majorMinor(v string) (int, int) {
	parts := strings.SplitN(v, ".", 3)
	major, _ := strconv.Atoi(leadingDigits(parts[0]))
	minor := 0
	if len(parts) > 1 {
		minor, _ = strconv.Atoi(leadingDigits(parts[1]))
	}
	return major, minor
}

// leadingDigits is s up to its first non-digit ("2-pre" -> "2").
func leadingDigits(s string) string {
	if i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		return s[:i]
	}
	return s
}
