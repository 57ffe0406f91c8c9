package gitlabsim

import (
	"net/http"
	"net/url"
	"strings"
)

// route is one endpoint. Patterns are matched segment by segment against the
// escaped path, because client-go escapes "/" and "." inside a path argument
// (group%2Fapp, a%2Fb%2Etxt) and a decoded path would split them apart.
type route struct {
	method  string
	pattern string
	segs    []string
	project bool // the pattern starts with /projects/:id
	// selfAuth routes check their own credentials (a trigger token), so
	// they are served without a user.
	selfAuth bool
	handle   func(*call)
}

func (rt route) key() string { return rt.method + " " + rt.pattern }

func (s *Server) routeTable() []route {
	table := []struct {
		method, pattern string
		h               func(*call)
	}{
		{"GET", "/user", s.getCurrentUser},
		{"GET", "/users", s.listUsers},
		{"GET", "/users/:user_id", s.getUser},
		{"GET", "/version", s.getVersion},
		{"GET", "/metadata", s.getVersion},
		{"GET", "/projects/:id", s.getProject},
		{"GET", "/projects", s.listProjects},
		{"GET", "/groups/:id/projects", s.listGroupProjects},

		{"GET", "/projects/:id/repository/files/:file_path", s.getFile},
		{"HEAD", "/projects/:id/repository/files/:file_path", s.getFile},
		{"GET", "/projects/:id/repository/files/:file_path/raw", s.getRawFile},
		{"HEAD", "/projects/:id/repository/files/:file_path/raw", s.getRawFile},

		{"GET", "/projects/:id/repository/branches", s.listBranches},
		{"POST", "/projects/:id/repository/branches", s.createBranch},
		{"GET", "/projects/:id/repository/branches/:branch", s.getBranch},
		{"HEAD", "/projects/:id/repository/branches/:branch", s.getBranch},
		{"DELETE", "/projects/:id/repository/branches/:branch", s.deleteBranch},

		{"GET", "/projects/:id/repository/commits", s.listCommits},
		{"POST", "/projects/:id/repository/commits", s.createCommit},
		{"GET", "/projects/:id/repository/commits/:sha", s.getCommit},
		{"GET", "/projects/:id/repository/commits/:sha/diff", s.getCommitDiff},
		{"GET", "/projects/:id/repository/compare", s.compare},
		{"GET", "/projects/:id/repository/merge_base", s.mergeBase},
		{"GET", "/projects/:id/repository/archive", s.archive},
		{"GET", "/projects/:id/repository/archive.tar.gz", s.archive},
		{"GET", "/projects/:id/repository/archive.tar", s.archive},
		{"GET", "/projects/:id/repository/archive.zip", s.archive},

		{"GET", "/projects/:id/merge_requests", s.listMRs},
		{"POST", "/projects/:id/merge_requests", s.createMR},
		{"GET", "/projects/:id/merge_requests/:iid", s.getMR},
		{"PUT", "/projects/:id/merge_requests/:iid", s.updateMR},
		{"PUT", "/projects/:id/merge_requests/:iid/merge", s.acceptMR},
		{"GET", "/projects/:id/merge_requests/:iid/notes", s.listMRNotes},
		{"POST", "/projects/:id/merge_requests/:iid/notes", s.createMRNote},
		{"GET", "/projects/:id/merge_requests/:iid/notes/:note_id", s.getMRNote},
		{"PUT", "/projects/:id/merge_requests/:iid/notes/:note_id", s.updateMRNote},

		{"GET", "/projects/:id/issues", s.listIssues},
		{"POST", "/projects/:id/issues", s.createIssue},
		{"GET", "/projects/:id/issues/:iid", s.getIssue},
		{"PUT", "/projects/:id/issues/:iid", s.updateIssue},
		{"GET", "/projects/:id/issues/:iid/notes", s.listIssueNotes},
		{"POST", "/projects/:id/issues/:iid/notes", s.createIssueNote},

		{"GET", "/projects/:id/labels", s.listLabels},
		{"POST", "/projects/:id/labels", s.createLabel},

		{"GET", "/projects/:id/pipelines", s.listPipelines},
		{"GET", "/projects/:id/pipelines/:pipeline_id", s.getPipeline},
		{"POST", "/projects/:id/statuses/:sha", s.postCommitStatus},
		{"GET", "/projects/:id/pipelines/:pipeline_id/variables", s.getPipelineVariables},
		{"POST", "/projects/:id/pipeline", s.createPipeline},
		{"POST", "/projects/:id/trigger/pipeline", s.triggerPipeline},
		{"GET", "/projects/:id/members/all/:user_id", s.getInheritedMember},
		{"GET", "/projects/:id/repository/commits/:sha/refs", s.getCommitRefs},

		{"GET", "/projects/:id/deployments", s.listDeployments},
		{"POST", "/projects/:id/deployments", s.createDeployment},
		{"GET", "/projects/:id/deployments/:deployment_id", s.getDeployment},
		{"PUT", "/projects/:id/deployments/:deployment_id", s.updateDeployment},
		{"GET", "/projects/:id/environments", s.listEnvironments},
		{"GET", "/projects/:id/environments/:environment_id", s.getEnvironment},

		{"PUT", "/projects/:id/packages/generic/:package_name/:package_version/:file_name", s.putPackageFile},
		{"GET", "/projects/:id/packages/generic/:package_name/:package_version/:file_name", s.getPackageFile},
	}
	routes := make([]route, 0, len(table))
	for _, t := range table {
		routes = append(routes, route{
			method:   t.method,
			pattern:  t.pattern,
			segs:     strings.Split(strings.TrimPrefix(t.pattern, "/"), "/"),
			project:  strings.HasPrefix(t.pattern, "/projects/:id"),
			selfAuth: selfAuthenticating[t.method+" "+t.pattern],
			handle:   t.h,
		})
	}
	return routes
}

// match finds the route for an escaped path below /api/v4 and decodes its
// parameters. Literal segments win over parameters, so ".../files/x/raw"
// is the raw endpoint and not a file called "x/raw" (which client-go would
// have sent as x%2Fraw).
func (s *Server) match(method, escaped string, underAPI bool) (route, map[string]string, bool) {
	if !underAPI {
		return route{}, nil, false
	}
	segs := strings.Split(strings.TrimPrefix(escaped, "/"), "/")
	var best route
	var bestArgs map[string]string
	bestScore := -1
	for _, rt := range s.routes {
		if rt.method != method || len(rt.segs) != len(segs) {
			continue
		}
		args, score, ok := matchSegs(rt.segs, segs)
		if ok && score > bestScore {
			best, bestArgs, bestScore = rt, args, score
		}
	}
	return best, bestArgs, bestScore >= 0
}

func matchSegs(pattern, segs []string) (map[string]string, int, bool) {
	args := map[string]string{}
	score := 0
	for i, p := range pattern {
		if name, ok := strings.CutPrefix(p, ":"); ok {
			v, err := url.PathUnescape(segs[i])
			if err != nil || v == "" {
				return nil, 0, false
			}
			args[name] = v
			continue
		}
		if p != segs[i] {
			return nil, 0, false
		}
		score++
	}
	return args, score, true
}

// call is one request being served, with its decoded inputs.
type call struct {
	s       *Server
	w       http.ResponseWriter
	r       *http.Request
	user    *User
	args    map[string]string
	params  *params
	project *Project
}

func (c *call) json(status int, v any) { writeJSON(c.w, status, v) }

func (c *call) message(status int, msg any) { writeMessage(c.w, status, msg) }

// missing answers Grape's 400 for absent required parameters, e.g.
// {"error":"title is missing"}; it reports whether any was absent.
func (c *call) missing(names ...string) bool {
	var gone []string
	for _, n := range names {
		if v, ok := c.params.str(n); !ok || v == "" {
			gone = append(gone, n+" is missing")
		}
	}
	if len(gone) == 0 {
		return false
	}
	c.json(http.StatusBadRequest, map[string]string{"error": strings.Join(gone, ", ")})
	return true
}
