package scheduler

import (
	"context"
	"errors"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/pinwheel-dev/pinwheel/check"
	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/dashboard"
	"github.com/pinwheel-dev/pinwheel/mrbot"
	"github.com/pinwheel-dev/pinwheel/osv"
	"github.com/pinwheel-dev/pinwheel/plan"
)

// DefaultOSVBudget bounds the OSV part of one run (the querybatch calls and
// record fetches, retries included): past it the run goes on without
// security data rather than wait on a slow OSV.
const DefaultOSVBudget = 2 * time.Minute

// newOSV returns the OSV client of a config whose vulnerabilities source
// is osv (nil otherwise): records cached in the state file.
func newOSV(cfg *config.Config, deps Deps) (*osv.Client, error) {
	if cfg.Vulnerabilities.Source != config.VulnOSV {
		return nil, nil
	}
	if deps.OSV != nil {
		return deps.OSV, nil
	}
	return osv.New(osv.Options{
		URL:    cfg.Vulnerabilities.OSVURL,
		Cache:  deps.State.OSVCache(),
		Clock:  deps.Clock,
		Logger: deps.Log.WithField("component", "osv"),
	})
}

// queryVulnerabilities asks OSV about the run's pins (one querybatch for
// all of them), before the index, so that the look-ups fold the security
// updates into the plans (check.Options.Vulns). When OSV gives nothing,
// the run goes on without security data and says so under Errors;
// run.vulnDown then leaves open security merge requests as they are
// (decide's NoVulnData), since nothing may be closed or rebuilt for want
// of data.
func (run *projectRun) queryVulnerabilities(ctx context.Context) *check.VulnData {
	if run.r.osv == nil {
		return nil
	}
	budget := run.r.deps.OSVBudget
	if budget <= 0 {
		budget = DefaultOSVBudget
	}
	octx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	data, st, err := check.QueryVulnerabilities(octx, run.r.osv, run.files)
	run.report.OSV = st
	if err != nil {
		run.vulnDown = true
		if ctx.Err() == nil {
			run.problems = append(run.problems, dashboard.Problem{
				Kind: dashboard.ProblemVulnData, Subject: "OSV",
				Message: err.Error() + "; this run had no vulnerability data, so it opened no security update and kept the open ones as they are",
			})
		}
		return nil
	}
	run.log.WithFields(logrus.Fields{
		"querybatch": st.QueryBatchCalls, "record_fetches": st.RecordFetches, "cache_hits": st.CacheHits,
	}).Debug("vulnerability data read")
	return data
}

// listVulnerabilities puts the looked-up pins' vulnerability data on the
// dashboard: the Vulnerabilities section, and advisories that could not
// be read under Errors. Under source pypi only the pins with an update
// have data (the JSON API is asked for those only); a pin whose details
// the JSON API did not give (check.Vulns.Missing) is named under Errors,
// and its open security merge request is kept as it is (input).
func (run *projectRun) listVulnerabilities() {
	if src := run.r.cfg.Vulnerabilities.Source; (src != config.VulnOSV && src != config.VulnPyPI) || run.vulnDown {
		return
	}
	for _, p := range run.results.Results {
		if p.Vulns == nil {
			continue
		}
		for _, e := range p.Vulns.Errors {
			msg := e.Error()
			if errors.Is(e, check.ErrVulnDetailsMissing) {
				msg += "; this run opened no security update for it and kept an open one as it is"
			}
			run.problems = append(run.problems, dashboard.Problem{Kind: dashboard.ProblemVulnData, Subject: p.Pin.Name, Message: msg})
		}
	}
	run.model.Vulnerabilities = vulnerable(run.reports, len(run.files) > 1)
}

// vulnerable lists the pins with affecting advisories, in file order, one
// row per distinct file, package and version.
func vulnerable(reports []*check.Report, withFile bool) []dashboard.Vulnerable {
	var out []dashboard.Vulnerable
	seen := map[[3]string]bool{}
	for _, rep := range reports {
		for _, res := range rep.Results {
			if res.Vulns == nil || len(res.Vulns.Affecting) == 0 {
				continue
			}
			v := dashboard.Vulnerable{Name: res.Pin.Name, Version: res.Pin.Version, FixedIn: res.Vulns.FixedIn, Unfixed: res.Vulns.Unfixed}
			if withFile && rep.File != nil {
				v.File = rep.File.Name()
			}
			k := [3]string{v.File, res.Pin.Key, v.Version}
			if seen[k] {
				continue
			}
			seen[k] = true
			for _, a := range res.Vulns.Affecting {
				v.Advisories = append(v.Advisories, dashboard.Advisory{ID: a.ID, Aliases: a.Aliases, Severity: a.SeverityText(), Link: a.Link()})
			}
			out = append(out, v)
		}
	}
	return out
}

// mrLabels are the labels of a new merge request for want: the project's,
// and for a security update the vulnerabilities section's too.
func (run *projectRun) mrLabels(want *plan.Update) []string {
	labels := append([]string(nil), run.p.Labels...)
	if !want.Security {
		return labels
	}
	for _, l := range run.r.cfg.Vulnerabilities.Labels {
		dup := false
		for _, have := range labels {
			dup = dup || have == l
		}
		if !dup {
			labels = append(labels, l)
		}
	}
	return labels
}

// securityAdvisories are the advisories want fixes, for its description.
// securityUnfixed are the ids of the pin's advisories a security update
// leaves open: no release fixes them yet.
func securityUnfixed(s *slot, want *plan.Update) []string {
	if !want.Security || s.res.Vulns == nil {
		return nil
	}
	return s.res.Vulns.Unfixed
}

func securityAdvisories(s *slot, want *plan.Update) []mrbot.Advisory {
	if !want.Security {
		return nil
	}
	var out []mrbot.Advisory
	for _, a := range s.res.Advisories(*want) {
		out = append(out, mrbot.Advisory{ID: a.ID, Aliases: a.Aliases, Summary: a.Summary, Severity: a.SeverityText(), Link: a.Link()})
	}
	return out
}
