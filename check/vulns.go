package check

import (
	"context"
	"fmt"

	"github.com/pinwheel-dev/pinwheel/osv"
	"github.com/pinwheel-dev/pinwheel/pep440"
	"github.com/pinwheel-dev/pinwheel/plan"
)

// Vulns is what OSV says about one pin (vulnerabilities: source osv).
type Vulns struct {
	// Affecting are the advisories that affect the pinned version, sorted
	// by id.
	Affecting []osv.Advisory
	// FixedIn is the security update's version, "" when no release fixes
	// them all yet (or the index's releases are unknown).
	FixedIn string
	// Errors are advisories that could not be read or evaluated: the data
	// for the pin is incomplete, never "not vulnerable".
	Errors []error
}

// AddVulnerabilities asks OSV about every pin of reports, across files,
// in one Check (one querybatch for up to 1000 distinct pins), and folds
// each pin's security update into its plan (plan.SecurityUpdate): the
// lowest release fixing every advisory that affects the pin, offered
// whatever its age. A pin "# pinwheel: ignore" or ignored by the rules
// still gets its Vulns, without an update. The error means OSV gave no
// data at all: the plans are left as they were, and the caller goes on
// without security data and says so.
func AddVulnerabilities(ctx context.Context, client *osv.Client, reports []*Report, opts Options) (osv.Stats, error) {
	var pins []osv.Pin
	var results []*Result
	for _, rep := range reports {
		for i := range rep.Results {
			res := &rep.Results[i]
			if res.Pin.Version == "" {
				continue
			}
			pins = append(pins, osv.Pin{Name: res.Pin.Name, Version: res.Pin.Version})
			results = append(results, res)
		}
	}
	if len(pins) == 0 {
		return osv.Stats{}, nil
	}
	rep, err := client.Check(ctx, pins)
	if err != nil {
		return osv.Stats{}, fmt.Errorf("vulnerability data: %w", err)
	}
	for i, res := range results {
		addVulns(res, rep.Results[i], opts)
	}
	return rep.Stats, nil
}

func addVulns(res *Result, r osv.Result, opts Options) {
	v := &Vulns{Errors: r.Errors}
	res.Vulns = v
	pinned, err := pep440.Parse(res.Pin.Version)
	if err != nil {
		return // the pin's own error says so
	}
	if res.Project == nil || res.Err != nil || res.Ignored() {
		sec := plan.Security(pinned, r.Advisories, nil)
		v.Affecting, v.Errors = sec.Affecting, append(v.Errors, sec.Problems...)
		return
	}
	python, err := plan.LinePythons(res.Pin.Marker, opts.Python)
	if err != nil {
		python = nil
	}
	var sec plan.SecurityResult
	res.Plan, sec = plan.SecurityUpdate(res.Plan, res.Pin.Version, res.Project.Releases, opts.Rules[res.Pin.Key], python, r.Advisories)
	v.Affecting, v.Errors = sec.Affecting, append(v.Errors, sec.Problems...)
	if sec.Update != nil {
		v.FixedIn = sec.Update.Version.String()
	}
}

// SecurityUpdate returns the pin's security update; nil when it has none.
func (r Result) SecurityUpdate() *plan.Update {
	for i := range r.Plan.Updates {
		if r.Plan.Updates[i].Security {
			return &r.Plan.Updates[i]
		}
	}
	return nil
}

// Advisories returns the affecting advisories u fixes, for its merge
// request description.
func (r Result) Advisories(u plan.Update) []osv.Advisory {
	if r.Vulns == nil {
		return nil
	}
	fixed := map[string]bool{}
	for _, id := range u.Fixes {
		fixed[id] = true
	}
	var out []osv.Advisory
	for _, a := range r.Vulns.Affecting {
		if fixed[a.ID] {
			out = append(out, a)
		}
	}
	return out
}
