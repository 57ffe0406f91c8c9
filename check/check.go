// Package check looks up every pin of a constraints file on the package
// index and decides, pin by pin, which updates to offer.
//
// It is the seam between the parts that know nothing of each other: it reads
// pins from package constraints, asks package registry for releases (one
// goroutine per distinct pin; the registry client bounds the requests in
// flight), and hands them to package plan with the user's rules. Both
// `pinwheel check` and the daemon's run use it. It writes nothing to the
// index, GitLab or the state; Rows, WriteJSON and WriteTable render a
// report as `pinwheel check` prints it.
package check

import (
	"context"
	"fmt"
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
	// the zero Rule.
	Rules map[string]plan.Rule
	// Python lists the Python versions the project runs on; empty means no
	// Requires-Python filtering.
	Python []pep440.Version
	// Now is the time release ages are measured against.
	Now time.Time
	// Progress, when set, is called after each look-up with the number done
	// and the total.
	Progress func(done, total int)
}

// Result is what the check found for one pin.
type Result struct {
	Pin constraints.Pin
	// Project is what the index said; nil when the look-up failed or the pin
	// is ignored in the file.
	Project *registry.Project
	// Plan is the policy's verdict; its Updates hold the offered and pending
	// updates.
	Plan plan.Result
	// Err is the look-up's or the pin's error; the other pins go on.
	Err error
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
func Run(ctx context.Context, client *registry.Client, f *constraints.File, opts Options) *Report {
	pins := f.Pins()
	rep := &Report{File: f, Results: make([]Result, len(pins))}

	// One look-up per distinct (project, version): a package pinned twice
	// under different markers is asked for once.
	type key struct{ name, version string }
	type lookup struct {
		project *registry.Project
		plan    plan.Result
		err     error
	}
	lookups := map[key]*lookup{}
	var order []key
	for i, p := range pins {
		rep.Results[i].Pin = p
		if p.Ignored {
			continue
		}
		k := key{p.Key, p.Version}
		if _, ok := lookups[k]; !ok {
			lookups[k] = &lookup{}
			order = append(order, k)
		}
	}

	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		finished int
	)
	for _, k := range order {
		l := lookups[k]
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				// A bug the index's answer trips must cost one pin, not
				// the daemon: the goroutine is ours, so is the recovery.
				if p := recover(); p != nil {
					l.project, l.plan, l.err = nil, plan.Result{}, fmt.Errorf("look up %s: internal error: %v", k.name, p)
				}
				if opts.Progress != nil {
					mu.Lock()
					finished++
					opts.Progress(finished, len(order))
					mu.Unlock()
				}
			}()
			if l.project, l.err = client.Lookup(ctx, k.name, k.version); l.err != nil {
				return
			}
			// The policy runs here too, under the same recovery; the rule
			// is the name's, so both pins of one key share the verdict.
			l.plan, l.err = plan.Evaluate(k.version, l.project.Releases, opts.Rules[k.name], opts.Python, opts.Now)
		}()
	}
	wg.Wait()

	for i := range rep.Results {
		res := &rep.Results[i]
		if res.Pin.Ignored {
			continue
		}
		l := lookups[key{res.Pin.Key, res.Pin.Version}]
		res.Project, res.Plan, res.Err = l.project, l.plan, l.err
	}
	return rep
}
