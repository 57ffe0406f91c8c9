package metrics

import (
	"net/http"
	"strings"
)

// Endpoint turns a GitLab API request into a route template such as
// "GET /projects/:id/merge_requests/:iid", so the endpoint label has a
// bounded set of values. escapedPath is the path as sent on the wire
// (url.URL.EscapedPath): client-go escapes a project path to "group%2Fapp"
// and a file path to "dir%2Ffile.txt", so each is one segment. See
// https://docs.gitlab.com/api/rest/#namespaced-paths.
//
// Everything up to and including "/api/v4" is dropped. A segment that
// follows a collection ("projects", "merge_requests", "branches", …) is its
// identifier and becomes that collection's placeholder; any other segment
// is kept only if it is a known word of the API and becomes ":param"
// otherwise. So the output only ever holds fixed words and placeholders,
// whatever the ids, paths, branch names or SHAs were.
func Endpoint(method, escapedPath string) string {
	if !knownMethods[method] {
		method = "OTHER"
	}
	p := escapedPath
	if i := strings.Index(p, "/api/v4/"); i >= 0 {
		p = p[i+len("/api/v4"):]
	} else if strings.HasSuffix(p, "/api/v4") {
		p = ""
	}
	var segs []string
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	truncated := false
	if len(segs) > maxSegments {
		segs, truncated = segs[:maxSegments], true
	}

	out := make([]string, 0, len(segs)+1)
	collection := ""
	for i := 0; i < len(segs); i++ {
		s := segs[i]
		if collection != "" {
			c := collection
			collection = ""
			if literalsAfter[c][s] {
				out = append(out, s)
				collection = c // the identifier still follows
				continue
			}
			out = append(out, identifiers[c])
			// An unescaped "/" in a file path or branch name splits
			// it; the rest of the path belongs to the name, except a
			// trailing action of the files API.
			if greedy[c] {
				last := len(segs) - 1
				if c == "files" && last > i && fileActions[segs[last]] {
					out = append(out, segs[last])
				}
				i = len(segs)
			}
			continue
		}
		if _, ok := identifiers[s]; ok {
			collection = s
			out = append(out, s)
			continue
		}
		if words[s] {
			out = append(out, s)
			continue
		}
		out = append(out, ":param")
	}
	if truncated {
		out = append(out, "…")
	}
	return method + " /" + strings.Join(out, "/")
}

// maxSegments caps the template length; GitLab's deepest routes pinwheel
// might call have eight segments.
const maxSegments = 10

var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true,
	http.MethodPut: true, http.MethodPatch: true, http.MethodDelete: true,
	http.MethodOptions: true,
}

// identifiers maps a collection to the placeholder of the segment after
// it, named as in GitLab's API docs.
var identifiers = map[string]string{
	"projects":           ":id",
	"groups":             ":id",
	"namespaces":         ":id",
	"users":              ":user_id",
	"members":            ":user_id",
	"merge_requests":     ":iid",
	"issues":             ":iid",
	"notes":              ":note_id",
	"discussions":        ":discussion_id",
	"award_emoji":        ":award_id",
	"versions":           ":version_id",
	"branches":           ":branch",
	"protected_branches": ":name",
	"tags":               ":tag_name",
	"releases":           ":tag_name",
	"files":              ":file_path",
	"commits":            ":sha",
	"statuses":           ":sha",
	"blobs":              ":sha",
	"pipelines":          ":pipeline_id",
	"jobs":               ":job_id",
	"deployments":        ":deployment_id",
	"environments":       ":environment_id",
	"labels":             ":label_id",
	"hooks":              ":hook_id",
	"variables":          ":key",
	"pipeline_schedules": ":pipeline_schedule_id",
}

// literalsAfter lists route words that sit where a collection's
// identifier would, such as /members/all/:user_id.
var literalsAfter = map[string]map[string]bool{
	"members":   {"all": true},
	"pipelines": {"latest": true},
}

// greedy collections take the rest of the path as their identifier.
var greedy = map[string]bool{"files": true, "branches": true, "protected_branches": true}

var fileActions = map[string]bool{"raw": true, "blame": true}

// words are the fixed route words of the API parts pinwheel touches, and
// common neighbours. Anything else becomes ":param".
var words = map[string]bool{
	"repository": true, "compare": true, "tree": true, "archive": true,
	"raw": true, "blame": true, "merge_base": true, "contributors": true,
	"merge": true, "rebase": true, "approve": true, "unapprove": true,
	"approvals": true, "approval_state": true, "changes": true, "diffs": true,
	"raw_diffs": true, "participants": true, "closes_issues": true,
	"related_issues": true, "time_stats": true, "subscribe": true,
	"unsubscribe": true, "cancel_merge_when_pipeline_succeeds": true,
	"merge_ref": true, "reset_approvals": true, "diff": true, "refs": true,
	"cherry_pick": true, "revert": true, "signature": true, "comments": true,
	"trigger": true, "pipeline": true, "retry": true, "cancel": true,
	"play": true, "erase": true, "trace": true, "artifacts": true,
	"test_report": true, "test_report_summary": true, "bridges": true,
	"all": true, "latest": true, "user": true, "version": true,
	"metadata": true, "search": true, "languages": true, "forks": true,
	"star": true, "unstar": true, "share": true, "fork": true,
	"protect": true, "unprotect": true, "stop": true,
	"reorder": true, "move": true, "clone": true, "todo": true,
	"resource_label_events": true, "resource_state_events": true,
	"personal_access_tokens": true, "self": true, "rotate": true,
	"application": true, "settings": true, "events": true,
	"statistics": true, "keys": true, "emails": true, "status": true,
	"markdown": true, "license": true, "templates": true, "features": true,
	"feature_flags": true, "registry": true, "packages": true,
}
