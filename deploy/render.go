package deploy

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

// WriteResult prints what a deployment did, e.g.
//
//	production: <full old commit id> → <full new commit id>
//	environment production: https://gitlab.example.com/group/app/-/environments/7
func WriteResult(w io.Writer, r Result) error {
	from := r.From
	if from == "" {
		from = "(new branch)"
	}
	_, err := fmt.Fprintf(w, "%s: %s → %s\n", r.Branch, from, r.To)
	if err == nil && r.EnvironmentURL != "" {
		_, err = fmt.Fprintf(w, "environment %s: %s\n", r.Environment, r.EnvironmentURL)
	}
	if err == nil && r.ExternalURL != "" {
		_, err = fmt.Fprintf(w, "url: %s\n", r.ExternalURL)
	}
	return err
}

// WriteHistory prints deployments as a table, in the order given (History
// gives newest first). Times are UTC so the output does not depend on the
// machine.
func WriteHistory(w io.Writer, deps []*gitlab.Deployment) error {
	if len(deps) == 0 {
		_, err := fmt.Fprintln(w, "no deployments")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSHA\tREF\tWHEN\tSTATUS")
	for _, d := range deps {
		sha := d.SHA
		if len(sha) > 8 {
			sha = sha[:8]
		}
		when := "-"
		if d.CreatedAt != nil {
			when = d.CreatedAt.UTC().Format(time.DateTime) + " UTC"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", strconv.FormatInt(d.ID, 10), sha, d.Ref, when, d.Status)
	}
	return tw.Flush()
}
