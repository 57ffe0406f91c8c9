package demo

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

// serve keeps the simulators up after the steps, for curl and for a
// `pinwheel run` of one's own, until ctx is done (Ctrl-C). It closes the
// demo's state file first so that run can open it, writes the config
// next to it and prints what to paste.
func (d *world) serve(ctx context.Context, w io.Writer) error {
	d.closeState()
	cfgPath := filepath.Join(d.dir, "demo.yaml")
	if err := os.WriteFile(cfgPath, []byte(d.config), 0o600); err != nil {
		return fmt.Errorf("demo: write %s: %w", cfgPath, err)
	}
	next := d.clock.now().Add(time.Hour)
	d.clock.set(next)
	api := d.gl.URL() + "/api/v4/projects/" + url.PathEscape(projectPath)
	fmt.Fprintf(w, `
The simulators keep running on 127.0.0.1 until Ctrl-C; their clock stands at %s.
  GitLab API     %s/api/v4  (project %s; token %s, a simulator token for this process only)
  package index  %s
  config         %s

Try:
  curl -s -H 'PRIVATE-TOKEN: %s' '%s/merge_requests?state=all'
  curl -s -H 'PRIVATE-TOKEN: %s' '%s/issues?labels=dependency-dashboard'
  curl -s '%s/requests/'
  %s=%s pinwheel run --config %s --now %s
`, stamp(next), d.gl.URL(), projectPath, d.token, d.idx.IndexURL(), cfgPath,
		d.token, api, d.token, api, d.idx.IndexURL(),
		tokenEnv, d.token, cfgPath, next.Format(time.RFC3339))
	if line := d.finishHint(ctx, api); line != "" {
		fmt.Fprintln(w, line)
	}
	fmt.Fprintln(w, "Ready.")
	<-ctx.Done()
	fmt.Fprintln(w, "Stopping the simulators.")
	return nil
}

// finishHint is a curl command that finishes the pipeline of an open merge
// request, one with auto-merge set if there is one, as a CI would.
func (d *world) finishHint(ctx context.Context, api string) string {
	list, _, err := d.api.MergeRequests.ListProjectMergeRequests(projectPath, &gitlab.ListProjectMergeRequestsOptions{
		State: gitlab.Ptr("opened"), Sort: gitlab.Ptr("asc"),
	}, gitlab.WithContext(ctx))
	if err != nil || len(list) == 0 {
		return ""
	}
	pick := list[0]
	for _, mr := range list {
		if mr.MergeWhenPipelineSucceeds {
			pick = mr
			break
		}
	}
	what := "finish the pipeline of !" + strconv.FormatInt(pick.IID, 10)
	if pick.MergeWhenPipelineSucceeds {
		what += " (auto-merge is set: GitLab merges it)"
	}
	return fmt.Sprintf("  curl -s -X POST -H 'PRIVATE-TOKEN: %s' '%s/statuses/%s?state=success&name=test'   # %s",
		d.token, api, pick.SHA, what)
}
