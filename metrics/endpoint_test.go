package metrics_test

import (
	"strconv"
	"testing"

	"github.com/pinwheel-dev/pinwheel/metrics"
)

func TestEndpoint(t *testing.T) {
	tests := []struct {
		method, path, want string
	}{
		{"GET", "/api/v4/projects/42", "GET /projects/:id"},
		{"GET", "/api/v4/projects/group%2Fapp", "GET /projects/:id"},
		{"GET", "/api/v4/projects/group%2Fsub%2Fapp/merge_requests/17", "GET /projects/:id/merge_requests/:iid"},
		{"PUT", "/api/v4/projects/7/merge_requests/3/merge", "PUT /projects/:id/merge_requests/:iid/merge"},
		{"POST", "/api/v4/projects/7/merge_requests/3/notes", "POST /projects/:id/merge_requests/:iid/notes"},
		{"GET", "/api/v4/projects/7/merge_requests", "GET /projects/:id/merge_requests"},
		{"GET", "/api/v4/projects/7/issues/1", "GET /projects/:id/issues/:iid"},
		{"GET", "/api/v4/projects/7/repository/files/constraints%2Etxt", "GET /projects/:id/repository/files/:file_path"},
		{"GET", "/api/v4/projects/7/repository/files/ci%2Fconstraints%2Eyml/raw", "GET /projects/:id/repository/files/:file_path/raw"},
		// An unescaped path still folds into one placeholder.
		{"HEAD", "/api/v4/projects/7/repository/files/ci/deep/constraints.txt/raw", "HEAD /projects/:id/repository/files/:file_path/raw"},
		{"GET", "/api/v4/projects/7/repository/branches/pinwheel%2Frequests-2%2Ex", "GET /projects/:id/repository/branches/:branch"},
		{"DELETE", "/api/v4/projects/7/repository/branches/pinwheel/requests-2.x", "DELETE /projects/:id/repository/branches/:branch"},
		{"POST", "/api/v4/projects/7/repository/branches", "POST /projects/:id/repository/branches"},
		{"POST", "/api/v4/projects/7/repository/commits", "POST /projects/:id/repository/commits"},
		{"GET", "/api/v4/projects/7/repository/commits/3f1a2b9c0d4e5f60718293a4b5c6d7e8f9a0b1c2", "GET /projects/:id/repository/commits/:sha"},
		{"GET", "/api/v4/projects/7/repository/compare", "GET /projects/:id/repository/compare"},
		{"GET", "/api/v4/projects/7/pipelines/latest", "GET /projects/:id/pipelines/latest"},
		{"GET", "/api/v4/projects/7/pipelines/991", "GET /projects/:id/pipelines/:pipeline_id"},
		{"GET", "/api/v4/projects/7/members/all/12", "GET /projects/:id/members/all/:user_id"},
		{"POST", "/api/v4/projects/7/labels", "POST /projects/:id/labels"},
		{"GET", "/api/v4/user", "GET /user"},
		{"GET", "/gitlab/api/v4/projects/7", "GET /projects/:id"}, // instance under a sub-path
		{"GET", "/api/v4/projects/7/whatever/99", "GET /projects/:id/:param/:param"},
		{"GET", "/api/v4/", "GET /"},
		{"BREW", "/api/v4/user", "OTHER /user"},
		{"GET", "/api/v4/projects/1/issues/2/notes/3/award_emoji/4/x/y/z/w", "GET /projects/:id/issues/:iid/notes/:note_id/award_emoji/:award_id/:param/:param/…"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			if got := metrics.Endpoint(tt.method, tt.path); got != tt.want {
				t.Errorf("Endpoint(%q, %q) = %q, want %q", tt.method, tt.path, got, tt.want)
			}
		})
	}
}

// The label set stays bounded: many ids, paths and branches map to the
// same few templates.
func TestEndpointBounded(t *testing.T) {
	seen := map[string]bool{}
	for i := range 1000 {
		for _, p := range []string{
			"/api/v4/projects/g%2Fp" + string(rune('a'+i%26)) + "/merge_requests/" + strconv.Itoa(i),
			"/api/v4/projects/" + strconv.Itoa(i) + "/repository/branches/pinwheel%2Fpkg-" + strconv.Itoa(i),
			"/api/v4/projects/" + strconv.Itoa(i) + "/repository/files/dir" + strconv.Itoa(i) + "%2Ff.txt/raw",
		} {
			seen[metrics.Endpoint("GET", p)] = true
		}
	}
	if len(seen) != 3 {
		t.Errorf("got %d templates, want 3: %v", len(seen), seen)
	}
}

// Endpoint runs on every GitLab API call; it should cost far less than
// the call.
func BenchmarkEndpoint(b *testing.B) {
	const p = "/api/v4/projects/group%2Fsub%2Fapp/repository/files/ci%2Fconstraints%2Etxt/raw"
	for b.Loop() {
		metrics.Endpoint("GET", p)
	}
}
