package demo

import (
	"encoding/json"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"strings"
)

// repoFront stands in front of the GitLab simulator for one project and
// answers the repository reads `pinwheel deploy` makes (a commit by id, the
// branches containing it, a branch) from a bare git repository, the one the
// deploy pushes to; everything else (deployments, environments) goes to the
// simulator.
//
// In GitLab both come from the one repository the push lands in. The
// simulator keeps its own commit graph, whose ids are not git's, so
// without this the commit check and the lease would look at another
// repository than the push. (deploy's tests use the same arrangement.)
type repoFront struct {
	project string // escaped as client-go sends it
	bare    string
	token   string
	sim     *httputil.ReverseProxy
}

func newRepoFront(simURL, project, bare, token string) *repoFront {
	u, _ := url.Parse(simURL) // the simulator's own URL
	return &repoFront{project: url.PathEscape(project), bare: bare, token: token, sim: httputil.NewSingleHostReverseProxy(u)}
}

func (f *repoFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	segs := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/api/v4/"), "/")
	repoRead := r.Method == http.MethodGet && len(segs) >= 5 && segs[0] == "projects" && segs[1] == f.project && segs[2] == "repository"
	switch {
	case repoRead && len(segs) == 6 && segs[3] == "commits" && segs[5] == "refs":
	case repoRead && len(segs) == 5 && (segs[3] == "commits" || segs[3] == "branches"):
	default:
		f.sim.ServeHTTP(w, r)
		return
	}
	if r.Header.Get("PRIVATE-TOKEN") != f.token {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "401 Unauthorized"})
		return
	}
	name, err := url.PathUnescape(segs[4])
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	switch {
	case len(segs) == 6: // the branches containing a commit
		sha, ok := f.revParse(name + "^{commit}")
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"message": "404 Commit Not Found"})
			return
		}
		cmd := exec.Command("git", "for-each-ref", "--contains", sha, "--format=%(refname:lstrip=2)", "refs/heads/")
		cmd.Dir = f.bare
		out, err := cmd.Output()
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "500 Internal Server Error"})
			return
		}
		refs := []map[string]string{}
		for _, b := range strings.Fields(string(out)) {
			refs = append(refs, map[string]string{"type": "branch", "name": b})
		}
		writeJSON(w, http.StatusOK, refs)
	case segs[3] == "commits":
		sha, ok := f.revParse(name + "^{commit}")
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"message": "404 Commit Not Found"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": sha, "short_id": sha[:8]})
	default:
		sha, ok := f.revParse("refs/heads/" + name)
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"message": "404 Branch Not Found"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"name": name, "commit": map[string]string{"id": sha}})
	}
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

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
