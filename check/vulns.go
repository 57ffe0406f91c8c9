package check

import (
	"context"
	"errors"
	"fmt"

	"github.com/pinwheel-dev/pinwheel/constraints"
	"github.com/pinwheel-dev/pinwheel/osv"
	"github.com/pinwheel-dev/pinwheel/pep440"
	"github.com/pinwheel-dev/pinwheel/plan"
	"github.com/pinwheel-dev/pinwheel/registry"
)

// Vulns is what OSV (vulnerabilities: source osv) or the JSON API
// (source pypi, PyPIAdvisories) says about one pin.
type Vulns struct {
	// Affecting are the advisories that affect the pinned version, sorted
	// by id.
	Affecting []osv.Advisory
	// FixedIn is the security update's version, "" when no release fixes
	// any of them yet (or the index's releases are unknown).
	FixedIn string
	// Unfixed are the ids of Affecting that no release fixes yet
	// (plan.SecurityResult.Unfixed): the security update leaves them open.
	Unfixed []string
	// Errors are advisories that could not be read or evaluated: the data
	// for the pin is incomplete, never "not vulnerable". One matching
	// ErrVulnDetailsMissing says there is none at all (Missing).
	Errors []error
}

// ErrVulnDetailsMissing means the source gave no vulnerability data for
// the pin (source pypi: the JSON API answered 404, or not with JSON, for
// the pinned version). The pin's vulnerabilities are unknown, not none.
var ErrVulnDetailsMissing = errors.New("vulnerability details missing")

// Incomplete reports whether some of the pin's vulnerability data is
// missing (Errors): an advisory could not be read or evaluated, or none
// could (Missing). A nil Vulns is not incomplete.
func (v *Vulns) Incomplete() bool {
	return v != nil && len(v.Errors) > 0
}

// Missing reports whether the pin's vulnerability data is missing
// altogether (ErrVulnDetailsMissing): nothing may be closed or downgraded
// for it. A nil Vulns (no source, or a pin never asked about) is not
// missing.
func (v *Vulns) Missing() bool {
	if v == nil {
		return false
	}
	for _, e := range v.Errors {
		if errors.Is(e, ErrVulnDetailsMissing) {
			return true
		}
	}
	return false
}

// VulnData is OSV's answer for the pins of a run, by package and version.
type VulnData struct {
	results map[osvKey]osv.Result
}

type osvKey struct{ name, version string }

func keyOfPin(p constraints.Pin) osvKey { return osvKey{p.Key, p.Version} }

// QueryVulnerabilities asks OSV about every pin of files in one Check (one
// querybatch for up to 1000 distinct pins, across files), before the
// index is asked: set the result as Options.Vulns, and RunFiles folds
// each line's security update into its plan (plan.SecurityUpdate): the
// lowest release fixing every advisory that affects the pin, offered
// whatever its age. A pin "# pinwheel: ignore" or ignored by the rules
// still gets its Vulns, without an update. The error means OSV gave no
// data at all: the caller goes on without (Options.Vulns nil) and says so.
func QueryVulnerabilities(ctx context.Context, client *osv.Client, files []*constraints.File) (*VulnData, osv.Stats, error) {
	var pins []osv.Pin
	var keys []osvKey
	seen := map[osvKey]bool{}
	for _, f := range files {
		for _, p := range f.Pins() {
			k := keyOfPin(p)
			if p.Version == "" || seen[k] {
				continue
			}
			seen[k] = true
			pins = append(pins, osv.Pin{Name: p.Name, Version: p.Version})
			keys = append(keys, k)
		}
	}
	data := &VulnData{results: map[osvKey]osv.Result{}}
	if len(pins) == 0 {
		return data, osv.Stats{}, nil
	}
	rep, err := client.Check(ctx, pins)
	if err != nil {
		return nil, osv.Stats{}, fmt.Errorf("vulnerability data: %w", err)
	}
	for i, k := range keys {
		data.results[k] = rep.Results[i]
	}
	return data, rep.Stats, nil
}

// addVulns sets a looked-up line's Vulns from OSV's data and folds its
// security update into its plan, while the index's releases are at hand.
func addVulns(res *Result, releases []registry.Release, opts Options) {
	if opts.Vulns == nil {
		return
	}
	r, ok := opts.Vulns.results[keyOfPin(res.Pin)]
	if !ok {
		return
	}
	foldSecurity(res, releases, opts, r.Advisories, r.Errors)
}

// addPyPIVulns is addVulns for vulnerabilities: source pypi, from the
// JSON API's vulnerabilities of the pinned version (addDetails fetched
// them, for lines with an update only). When the JSON API gave nothing
// for the version, the line's Vulns say the details are missing
// (ErrVulnDetailsMissing) and it gets no security update.
func addPyPIVulns(res *Result, releases []registry.Release, opts Options) {
	if !opts.PyPIVulns || res.Err != nil || res.Project == nil || res.Vulns != nil {
		return
	}
	if res.detailsMissing != nil {
		foldSecurity(res, releases, opts, nil, []error{
			fmt.Errorf("%s %s: %w: %w (an index without PyPI's JSON API has none: set vulnerabilities.source to osv, or off)",
				res.Pin.Name, res.Pin.Version, ErrVulnDetailsMissing, res.detailsMissing),
		})
		return
	}
	foldSecurity(res, releases, opts, PyPIAdvisories(res.Pin.Version, res.Project.Vulnerabilities), nil)
}

// foldSecurity sets res.Vulns from a pin's advisories (and the errors of
// reading them) and folds the security update into its plan.
func foldSecurity(res *Result, releases []registry.Release, opts Options, advisories []osv.Advisory, errs []error) {
	v := &Vulns{Errors: errs}
	res.Vulns = v
	if _, err := pep440.Parse(res.Pin.Version); err != nil {
		return // the pin's own error says so
	}
	python, err := plan.LinePythons(res.Pin.Marker, opts.Python)
	if err != nil {
		python = nil
	}
	var sec plan.SecurityResult
	res.Plan, sec = plan.SecurityUpdate(res.Plan, res.Pin.Version, releases, opts.Rule(res.Pin.Key), python, advisories)
	v.Affecting, v.Errors, v.Unfixed = sec.Affecting, append(v.Errors, sec.Problems...), sec.Unfixed
	if sec.Update != nil {
		v.FixedIn = sec.Update.Version.String()
	}
}

// addVulnsWithoutReleases gives the lines that were not looked up (ignored,
// failed) their Vulns: the affecting advisories, no update.
func addVulnsWithoutReleases(reports []*Report, opts Options) {
	if opts.Vulns == nil {
		return
	}
	for _, rep := range reports {
		for i := range rep.Results {
			res := &rep.Results[i]
			r, ok := opts.Vulns.results[keyOfPin(res.Pin)]
			if res.Vulns != nil || !ok {
				continue
			}
			v := &Vulns{Errors: r.Errors}
			res.Vulns = v
			if pinned, err := pep440.Parse(res.Pin.Version); err == nil {
				sec := plan.Security(pinned, r.Advisories, nil)
				v.Affecting, v.Errors = sec.Affecting, append(v.Errors, sec.Problems...)
			}
		}
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
