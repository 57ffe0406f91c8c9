package deploy

import (
	"encoding/json"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// repoFront stands in front of the GitLab simulator and answers the
// repository reads Deploy makes (a commit by id, the branches containing
// it, a branch) from the bare git
// repository the test pushes to, and serves that repository over smart HTTP
// at /<project>.git as GitLab does (Basic auth with the token); everything
// else goes to the simulator.
//
// In GitLab both come from the one repository the push lands in. The
// simulator keeps its own commit graph whose ids are not git's, and has no
// way to register commits made with git, so without this the commit check
// and the lease would look at a different repository than the push.
type repoFront struct {
	t       *testing.T
	project string // escaped as client-go sends it
	bare    string
	token   string
	sim     *httputil.ReverseProxy
	git     http.Handler
	gitPath string // "/<project>.git/"
}

func newRepoFront(t *testing.T, simURL, project, bare, token string) *repoFront {
	t.Helper()
	u, err := url.Parse(simURL)
	if err != nil {
		t.Fatal(err)
	}
	gitOut(t, bare, "config", "http.receivepack", "true")
	return &repoFront{
		t: t, project: url.PathEscape(project), bare: bare, token: token,
		sim:     httputil.NewSingleHostReverseProxy(u),
		git:     gitHTTPServer(t, filepath.Dir(bare), "oauth2", token),
		gitPath: "/" + project + ".git/",
	}
}

func (f *repoFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, f.gitPath); ok {
		r.URL.Path = "/" + filepath.Base(f.bare) + "/" + rest
		r.URL.RawPath = ""
		f.git.ServeHTTP(w, r)
		return
	}
	segs := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/api/v4/"), "/")
	if r.Method == http.MethodGet && len(segs) == 6 && segs[3] == "commits" && segs[5] == "refs" {
		f.serveCommitRefs(w, r, segs)
		return
	}
	if r.Method != http.MethodGet || len(segs) != 5 || segs[0] != "projects" || segs[2] != "repository" ||
		(segs[3] != "commits" && segs[3] != "branches") {
		f.sim.ServeHTTP(w, r)
		return
	}
	if r.Header.Get("PRIVATE-TOKEN") != f.token {
		writeTestJSON(w, http.StatusUnauthorized, map[string]string{"message": "401 Unauthorized"})
		return
	}
	if id, _ := url.PathUnescape(segs[1]); url.PathEscape(id) != f.project {
		writeTestJSON(w, http.StatusNotFound, map[string]string{"message": "404 Project Not Found"})
		return
	}
	name, err := url.PathUnescape(segs[4])
	if err != nil {
		writeTestJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	if segs[3] == "commits" {
		sha, ok := f.revParse(name + "^{commit}")
		if !ok {
			writeTestJSON(w, http.StatusNotFound, map[string]string{"message": "404 Commit Not Found"})
			return
		}
		writeTestJSON(w, http.StatusOK, map[string]any{"id": sha, "short_id": sha[:8]})
		return
	}
	sha, ok := f.revParse("refs/heads/" + name)
	if !ok {
		writeTestJSON(w, http.StatusNotFound, map[string]string{"message": "404 Branch Not Found"})
		return
	}
	writeTestJSON(w, http.StatusOK, map[string]any{"name": name, "commit": map[string]string{"id": sha}})
}

// serveCommitRefs answers GET /projects/:id/repository/commits/:sha/refs
// with the branches that contain the commit.
func (f *repoFront) serveCommitRefs(w http.ResponseWriter, r *http.Request, segs []string) {
	if r.Header.Get("PRIVATE-TOKEN") != f.token {
		writeTestJSON(w, http.StatusUnauthorized, map[string]string{"message": "401 Unauthorized"})
		return
	}
	sha, ok := f.revParse(segs[4] + "^{commit}")
	if !ok {
		writeTestJSON(w, http.StatusNotFound, map[string]string{"message": "404 Commit Not Found"})
		return
	}
	cmd := exec.Command("git", "for-each-ref", "--contains", sha, "--format=%(refname:lstrip=2)", "refs/heads/")
	cmd.Dir = f.bare
	out, err := cmd.Output()
	if err != nil {
		writeTestJSON(w, http.StatusInternalServerError, map[string]string{"message": err.Error()})
		return
	}
	refs := []map[string]string{}
	for _, name := range strings.Fields(string(out)) {
		refs = append(refs, map[string]string{"type": "branch", "name": name})
	}
	writeTestJSON(w, http.StatusOK, refs)
}

func (f *repoFront) revParse(rev string) (string, bool) {
	cmd := exec.Command("git", "rev-parse", "--verify", "--quiet", rev)
	cmd.Dir = f.bare
	out, err := cmd.Output()
	if err != nil {
		return "", false
	}
	return strings.TrimSpace(string(out)), true
}

func writeTestJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
