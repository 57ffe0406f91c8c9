// Package gitlabversion learns which GitLab release pinwheel talks to and
// what that means for the requests it sends.
//
// GitLab reports its version on GET /version (a mirror of GET /metadata
// since 15.5, https://docs.gitlab.com/api/metadata/) as SemVer with extras:
// an edition suffix that is not a pre-release ("17.11.1-ee"), a dev build
// marker that is one ("18.1.0-pre"), sometimes no patch ("15.2-pre"). Parse
// reads all of these into a Masterminds/semver value, edition dropped, so
// SemVer precedence decides: a 17.11 pre-release is older than 17.11.0.
//
// It owns no policy; it answers "which parameter does this instance read".
package gitlabversion

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/Masterminds/semver/v3"
	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

// The merge endpoint's parameters that ask GitLab to merge once the
// pipeline succeeds (https://docs.gitlab.com/api/merge_requests/#merge-a-merge-request).
const (
	// ParamAutoMerge is read from GitLab 17.11 on (gitlab-org/gitlab!184731).
	ParamAutoMerge = "auto_merge"
	// ParamMergeWhenPipelineSucceeds is the older name, deprecated in 17.11.
	ParamMergeWhenPipelineSucceeds = "merge_when_pipeline_succeeds"
)

// autoMergeSince is the first release whose merge endpoint reads auto_merge.
var autoMergeSince = semver.MustParse("17.11.0")

// editions are the suffixes GitLab appends for its editions: Enterprise,
// Community, and JiHu (the edition sold in China).
var editions = []string{"ee", "ce", "jh"}

// Parse reads a version as GitLab reports it, dropping the edition.
func Parse(raw string) (*semver.Version, error) {
	v, err := semver.NewVersion(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("GitLab version %q: %w", raw, err)
	}
	pre := v.Prerelease()
	for _, e := range editions {
		if pre == e {
			pre = ""
			break
		}
		if p, ok := strings.CutSuffix(pre, "-"+e); ok {
			pre = p
			break
		}
		if p, ok := strings.CutSuffix(pre, "."+e); ok {
			pre = p
			break
		}
	}
	out, err := v.SetPrerelease(pre)
	if err != nil {
		return nil, fmt.Errorf("GitLab version %q: %w", raw, err)
	}
	return &out, nil
}

// AutoMergeParam names the merge endpoint's parameter version v reads:
// ParamAutoMerge from 17.11.0 on, ParamMergeWhenPipelineSucceeds before
// (and for 17.11 pre-releases, which SemVer puts before 17.11.0, and
// which still read the older name). Sending only the one the instance
// reads matters: an older GitLab ignores auto_merge as an unknown
// parameter and merges at once, pipeline or not.
func AutoMergeParam(v *semver.Version) string {
	if v.LessThan(autoMergeSince) {
		return ParamMergeWhenPipelineSucceeds
	}
	return ParamAutoMerge
}

// Instance is one GitLab instance's version, asked once: a success is
// kept for the life of the Instance (a process), a failure is not.
// It is safe for concurrent use.
type Instance struct {
	gl *gitlab.Client

	mu sync.Mutex
	v  *semver.Version
}

// New returns an Instance that asks through gl.
func New(gl *gitlab.Client) *Instance { return &Instance{gl: gl} }

// Version returns the instance's version, asking GitLab the first time.
func (i *Instance) Version(ctx context.Context) (*semver.Version, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.v != nil {
		return i.v, nil
	}
	got, _, err := i.gl.Version.GetVersion(gitlab.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("read the GitLab version: %w", err)
	}
	v, err := Parse(got.Version)
	if err != nil {
		return nil, err
	}
	i.v = v
	return v, nil
}
