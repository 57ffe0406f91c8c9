// Package check is the look-up fan-out shared by the CLI and the daemon:
// it looks up every pin of a constraints file on the package index, at
// once, and decides, pin by pin, which updates to offer. `pinwheel check`
// prints its Report; the daemon's (and `pinwheel run`'s) per-project run,
// package scheduler, acts on it. It is not only the check command.
//
// It is the seam between the parts that know nothing of each other: it reads
// pins from package constraints, asks package registry for releases (a
// bounded pool of workers, one distinct package at a time each; the
// registry client bounds the requests in flight), and hands them to
// package plan with the user's rules, line by line. Both
// `pinwheel check` and the daemon's run use it. It writes nothing to the
// index, GitLab or the state; Rows, WriteJSON and WriteTable render a
// report as `pinwheel check` prints it.
package check

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/pinwheel-dev/pinwheel/constraints"
	"github.com/pinwheel-dev/pinwheel/pep440"
	"github.com/pinwheel-dev/pinwheel/plan"
	"github.com/pinwheel-dev/pinwheel/registry"
)

// Options are the policy inputs of a check.
type Options struct {
	// Rules maps a PEP 503 normalised name to its rule; missing names get
	// Default.
	Rules map[string]plan.Rule
	// Default is the rule of packages Rules does not name (a project's
	// minimum_release_age); the zero Rule offers everything at once.
	Default plan.Rule
	// Python lists the Python versions the project runs on; empty means no
	// Requires-Python filtering.
	Python []pep440.Version
	// Now is the time release ages are measured against.
	Now time.Time
	// Progress, when set, is called after each look-up with the number done
	// and the total.
	Progress func(done, total int)
	// Vulns, when set, is OSV's data for the pins (QueryVulnerabilities):
	// each line gets its Vulns and its security update.
	Vulns *VulnData
	// PyPIVulns turns the JSON API's vulnerabilities of each pin with an
	// update into its Vulns and security update (vulnerabilities: source
	// pypi; PyPIAdvisories). Pins without an update are never asked about.
	PyPIVulns bool
}

// Result is what the check found for one pin.
type Result struct {
	Pin constraints.Pin
	// Project is what the index said, without its releases (Plan keeps
	// the ones it offers); Links and Vulnerabilities are filled only when
	// Plan has updates. nil when the look-up failed or the pin is ignored.
	Project *registry.Project
	// Plan is the policy's verdict; its Updates hold the offered and pending
	// updates.
	Plan plan.Result
	// Err is the look-up's or the pin's error; the other pins go on.
	Err error
	// Vulns is the pin's vulnerability data (Options.Vulns or
	// Options.PyPIVulns); nil without.
	Vulns *Vulns

	// detailsMissing is registry.Details.Missing of the pinned version,
	// for addPyPIVulns.
	detailsMissing error
}

// Ignored reports whether the pin is left alone, by a "# pinwheel: ignore"
// comment or by the config.
func (r Result) Ignored() bool { return r.Pin.Ignored || r.Plan.Ignored }

// Fixes returns the vulnerabilities of the pinned version that moving to u
// fixes: those with a fixed_in version at or below u.To.
func (r Result) Fixes(u plan.Update) []registry.Vulnerability {
	if r.Project == nil {
		return nil
	}
	var out []registry.Vulnerability
	for _, v := range r.Project.Vulnerabilities {
		for _, fixed := range v.FixedIn {
			fv, err := pep440.Parse(fixed)
			if err == nil && fv.Compare(u.ToVersion) <= 0 {
				out = append(out, v)
				break
			}
		}
	}
	return out
}

// Report is the outcome of a check of one file.
type Report struct {
	File *constraints.File
	// Results has one entry per pin, in file order.
	Results []Result
}

// Run looks up every pin of f. It returns when every look-up has finished or
// ctx is done; a failed look-up is recorded in that pin's Result and never
// stops the others.
func Run(ctx context.Context, index registry.Index, f *constraints.File, opts Options) *Report {
	return RunFiles(ctx, index, []*constraints.File{f}, opts)[0]
}

// RunFiles is Run for several files of one project: a package pinned in
// several files, or on several lines, or at several versions, is fetched
// from the index once (its project page once; the JSON API once per
// pinned version, for that version's links and vulnerabilities, and only
// when a line at that version has an update to show). A package the
// rules ignore, and a "# pinwheel: ignore" line, is never sent to the
// index. Each line is evaluated on its own, for the Pythons its marker
// allows (plan.LinePythons). It returns one report per file, in order.
func RunFiles(ctx context.Context, index registry.Index, files []*constraints.File, opts Options) []*Report {
	reports := make([]*Report, len(files))
	type lookup struct {
		versions []string
		results  []*Result // the package's lines, across files
	}
	lookups := map[string]*lookup{}
	var order []string
	for fi, f := range files {
		pins := f.Pins()
		reports[fi] = &Report{File: f, Results: make([]Result, len(pins))}
		for i, p := range pins {
			res := &reports[fi].Results[i]
			res.Pin = p
			if p.Ignored {
				continue
			}
			if opts.Rule(p.Key).Ignore {
				res.Plan.Ignored = true
				continue
			}
			l := lookups[p.Key]
			if l == nil {
				l = &lookup{}
				lookups[p.Key] = l
				order = append(order, p.Key)
			}
			if !slices.Contains(l.versions, p.Version) {
				l.versions = append(l.versions, p.Version)
			}
			l.results = append(l.results, res)
		}
	}

	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		finished int
	)
	// A bounded pool of workers rather than a goroutine per package: 10,000
	// goroutines parked on the client's slots cost more memory than the
	// answers. Twice the client's slots keeps them all busy.
	workers := 2 * registry.DefaultConcurrency
	if c, ok := index.(interface{ Concurrency() int }); ok {
		workers = 2 * c.Concurrency()
	}
	keys := make(chan string)
	go func() {
		defer close(keys)
		for _, key := range order {
			keys <- key
		}
	}()
	for range min(workers, len(order)) {
		wg.Go(func() {
			for key := range keys {
				lookupOne(ctx, index, key, lookups[key].results, opts, func() {
					if opts.Progress != nil {
						mu.Lock()
						finished++
						opts.Progress(finished, len(order))
						mu.Unlock()
					}
				})
			}
		})
	}
	wg.Wait()
	addVulnsWithoutReleases(reports, opts)
	return reports
}

// lookupOne looks one package up and evaluates its lines; done is called
// when it is over, whatever happened.
func lookupOne(ctx context.Context, index registry.Index, key string, results []*Result, opts Options, done func()) {
	defer func() {
		// A bug the index's answer trips must cost one package, not the
		// daemon: the goroutine is ours, so is the recovery.
		if p := recover(); p != nil {
			fail(results, fmt.Errorf("look up %s: internal error: %v", key, p))
		}
		done()
	}()
	project, err := index.Releases(ctx, key)
	if err != nil {
		fail(results, err)
		return
	}
	// The policy runs here, as each answer arrives, so its garbage is
	// collected while other look-ups wait on the network; the releases
	// are not kept past it (a check of 10,000 pins would otherwise hold
	// every page until rendering).
	for _, res := range results {
		res.Plan, res.Err = evaluate(res.Pin, project, opts)
		if res.Err == nil {
			addVulns(res, project.Releases, opts)
		}
		res.Project = &registry.Project{Name: project.Name}
	}
	if err := addDetails(ctx, index, key, results); err != nil {
		fail(results, err)
		return
	}
	for _, res := range results {
		addPyPIVulns(res, project.Releases, opts)
	}
}

// addDetails asks the JSON API for the links and vulnerabilities of the
// package's lines that have an update to show, once per pinned version;
// lines without one never cost a request.
func addDetails(ctx context.Context, index registry.Index, key string, results []*Result) error {
	details := map[string]registry.Details{}
	for _, res := range results {
		if res.Err != nil || len(res.Plan.Updates) == 0 {
			continue
		}
		d, ok := details[res.Pin.Version]
		if !ok {
			var err error
			if d, err = index.Details(ctx, key, res.Pin.Version); err != nil {
				return err
			}
			details[res.Pin.Version] = d
		}
		res.Project.Links = d.Links
		res.Project.Vulnerabilities = d.Vulnerabilities
		res.detailsMissing = d.Missing
	}
	return nil
}

// fail records err for every line of a package.
func fail(results []*Result, err error) {
	for _, res := range results {
		res.Project, res.Plan, res.Err, res.Vulns, res.detailsMissing = nil, plan.Result{}, err, nil, nil
	}
}

// evaluate runs the policy for one line, under a recovery of its own: a
// bug the index's answer trips costs that line only.
func evaluate(pin constraints.Pin, p *registry.Project, opts Options) (res plan.Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = plan.Result{}, fmt.Errorf("evaluate %s: internal error: %v", pin.Name, r)
		}
	}()
	python, err := plan.LinePythons(pin.Marker, opts.Python)
	if err != nil {
		return plan.Result{}, fmt.Errorf("line %d: %w", pin.Line, err)
	}
	res, err = plan.Evaluate(pin.Version, p.Releases, opts.Rule(pin.Key), python, opts.Now)
	if err != nil {
		return plan.Result{}, err
	}
	for _, u := range res.Updates {
		if err := checkRelease(u); err != nil {
			return plan.Result{}, fmt.Errorf("look up %s: the index's data for %s: %w", pin.Name, u.To, err)
		}
	}
	return res, nil
}
