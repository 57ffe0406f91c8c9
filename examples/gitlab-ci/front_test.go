package gitlabci

import (
	"encoding/json"
	"net/http"
	"net/http/cgi"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// front stands in front of the GitLab simulator for the pipeline's own
// project: it answers the repository reads `pinwheel deploy` makes (a
// commit, the branches containing it, a branch) from the bare repository,
// and serves that repository over smart HTTP at /<project>.git with the
// job token, as GitLab does; everything else (data projects, packages,
// deployments) goes to the simulator. The simulator keeps its own commit
// graph, whose ids are not git's, so the deploy's checks must read the
// repository the push lands in.
type front struct {
	project  string // full path
	bare     string
	jobToken string
	sim      *httputil.ReverseProxy
	git      http.Handler
}

func newFront(t *testing.T, simURL, project, bare, jobToken string) *front {
	t.Helper()
	u, err := url.Parse(simURL)
	if err != nil {
		t.Fatal(err)
	}
	gitBin, err := exec.LookPath("git")
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("git", "-C", bare, "config", "http.receivepack", "true").CombinedOutput(); err != nil {
		t.Fatalf("git config: %v\n%s", err, out)
	}
	return &front{
		project: project, bare: bare, jobToken: jobToken,
		sim: httputil.NewSingleHostReverseProxy(u),
		git: &cgi.Handler{Path: gitBin, Args: []string{"http-backend"}, Env: []string{
			"GIT_PROJECT_ROOT=" + filepath.Dir(bare), "GIT_HTTP_EXPORT_ALL=1", "GIT_CONFIG_NOSYSTEM=1", "HOME=" + os.Getenv("HOME"),
		}},
	}
}

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/"+f.project+".git/"); ok {
		// GitLab's git over HTTPS with a job token: user gitlab-ci-token.
		if u, p, ok := r.BasicAuth(); !ok || u != "gitlab-ci-token" || p != f.jobToken {
			w.Header().Set("WWW-Authenticate", `Basic realm="GitLab"`)
			http.Error(w, "HTTP Basic: Access denied", http.StatusUnauthorized)
			return
		}
		r.URL.Path = "/" + filepath.Base(f.bare) + "/" + rest
		r.URL.RawPath = ""
		f.git.ServeHTTP(w, r)
		return
	}
	segs := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/api/v4/"), "/")
	id := ""
	if len(segs) > 1 && segs[0] == "projects" {
		id, _ = url.PathUnescape(segs[1])
	}
	if r.Method != http.MethodGet || id != f.project || len(segs) < 5 || segs[2] != "repository" ||
		(segs[3] != "commits" && segs[3] != "branches") || len(segs) > 6 {
		f.sim.ServeHTTP(w, r)
		return
	}
	if r.Header.Get("JOB-TOKEN") != f.jobToken {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "401 Unauthorized"})
		return
	}
	name, _ := url.PathUnescape(segs[4])
	switch {
	case segs[3] == "commits" && len(segs) == 6 && segs[5] == "refs":
		sha, ok := f.revParse(name + "^{commit}")
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"message": "404 Commit Not Found"})
			return
		}
		out, err := exec.Command("git", "-C", f.bare, "for-each-ref", "--contains", sha, "--format=%(refname:lstrip=2)", "refs/heads/").Output()
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"message": err.Error()})
			return
		}
		refs := []map[string]string{}
		for _, b := range strings.Fields(string(out)) {
			refs = append(refs, map[string]string{"type": "branch", "name": b})
		}
		writeJSON(w, http.StatusOK, refs)
	case segs[3] == "commits" && len(segs) == 5:
		sha, ok := f.revParse(name + "^{commit}")
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"message": "404 Commit Not Found"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": sha, "short_id": sha[:8]})
	case segs[3] == "branches" && len(segs) == 5:
		sha, ok := f.revParse("refs/heads/" + name)
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"message": "404 Branch Not Found"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"name": name, "commit": map[string]string{"id": sha}})
	default:
		f.sim.ServeHTTP(w, r)
	}
}

func (f *front) revParse(rev string) (string, bool) {
	out, err := exec.Command("git", "-C", f.bare, "rev-parse", "--verify", "--quiet", rev).Output()
	if err != nil {
		return "", false
	}
	return strings.TrimSpace(string(out)), true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
