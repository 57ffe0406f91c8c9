package demo

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"time"
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
	fmt.Fprintln(w, "Ready.")
	<-ctx.Done()
	fmt.Fprintln(w, "Stopping the simulators.")
	return nil
}
