package config

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pinwheel-dev/pinwheel/pkgname"
)

// ProjectRules are a project's own update rules, merged over the top-level
// ones by Config.Rules. Unset keys (nil) inherit.
type ProjectRules struct {
	// Packages are the project's per-package rules; each key one sets
	// overrides that key of the top-level rule for the same package (PEP
	// 503 names).
	Packages []PackageOverride
	// Python replaces the top-level python list when not nil; an empty
	// list turns the Requires-Python filter off for the project.
	Python []string
	// MinimumReleaseAge is the project's default for every package whose
	// rules (top-level or the project's) set none; nil means 0.
	MinimumReleaseAge *Duration
}

// PackageOverride is one entry of a project's packages list: the keys it
// sets (not nil) override the top-level rule's.
type PackageOverride struct {
	Name              string
	Allowed           *string
	MinimumReleaseAge *Duration
	Ignore            *bool
	// Automerge replaces the project's automerge list for this package
	// when not nil.
	Automerge []UpdateType
}

// Rules is the policy a project's run applies: the top-level rules with
// the project's merged over them, key by key.
type Rules struct {
	// Python lists the Python versions the project runs on.
	Python []string
	// Packages holds the merged rule of every package the top level or the
	// project names, by PEP 503 normal name; its Automerge is resolved (the
	// project's list when no rule sets one).
	Packages map[string]PackageRule
	// Default is the rule of a package no entry names: the project's
	// minimum_release_age and automerge.
	Default PackageRule
}

// Rules merges the project's rules over the top-level ones. For each key
// of a package's rule the first of these that sets it wins: the project's
// entry for the package, the top-level entry, the project's default (for
// minimum_release_age and automerge). A top-level minimum_release_age of
// 0 counts as unset, so it never lowers the project's default; a project
// entry's 0 does.
func (c *Config) Rules(p Project) Rules {
	r := Rules{Python: c.Python, Packages: map[string]PackageRule{}}
	if p.Python != nil {
		r.Python = p.Python
	}
	r.Default.Automerge = p.Automerge
	if p.MinimumReleaseAge != nil {
		r.Default.MinimumReleaseAge = *p.MinimumReleaseAge
	}
	for _, top := range c.Packages {
		rule := top
		if rule.MinimumReleaseAge == 0 {
			rule.MinimumReleaseAge = r.Default.MinimumReleaseAge
		}
		if rule.Automerge == nil {
			rule.Automerge = r.Default.Automerge
		}
		r.Packages[pkgname.Normalize(top.Name)] = rule
	}
	for _, o := range p.Packages {
		key := pkgname.Normalize(o.Name)
		rule, ok := r.Packages[key]
		if !ok {
			rule = r.Default
			rule.Name = o.Name
		}
		if o.Allowed != nil {
			rule.Allowed = *o.Allowed
		}
		if o.MinimumReleaseAge != nil {
			rule.MinimumReleaseAge = *o.MinimumReleaseAge
		}
		if o.Ignore != nil {
			rule.Ignore = *o.Ignore
		}
		if o.Automerge != nil {
			rule.Automerge = o.Automerge
		}
		r.Packages[key] = rule
	}
	return r
}

// Package returns the rule for the named package (any spelling).
func (r Rules) Package(name string) PackageRule {
	if rule, ok := r.Packages[pkgname.Normalize(name)]; ok {
		return rule
	}
	rule := r.Default
	rule.Name = name
	return rule
}

// Automerges reports whether updates of type t of the named package are
// merged once their pipeline succeeds.
func (r Rules) Automerges(name string, t UpdateType) bool {
	for _, a := range r.Package(name).Automerge {
		if a == t {
			return true
		}
	}
	return false
}

// ruleFields are the project keys of ProjectRules.
func (d *decoder) ruleFields(r *ProjectRules) map[string]field {
	return map[string]field{
		"packages": func(n *yaml.Node, path string) {
			if !isNull(n) {
				r.Packages = d.packageOverrides(n, path)
			}
		},
		"python":              d.strs(&r.Python, checkPython),
		"minimum_release_age": optional(d, &r.MinimumReleaseAge, d.duration),
	}
}

// optional reads a key that may be unset: read's value is stored in a new
// *T at *dst, which stays nil when the key is null or its value is bad
// (the problem is then recorded, as read records it).
func optional[T any](d *decoder, dst **T, read func(*T) field) field {
	return func(n *yaml.Node, path string) {
		var v T
		before := len(d.errs)
		read(&v)(n, path)
		if !isNull(n) && len(d.errs) == before {
			*dst = &v
		}
	}
}

// packageOverrides reads a packages list, top-level or a project's: the
// same keys, each name once.
func (d *decoder) packageOverrides(n *yaml.Node, path string) []PackageOverride {
	var rules []PackageOverride
	seen := map[string]string{} // normal name -> path of its first rule
	d.list(n, path, func(n *yaml.Node, path string) {
		var r PackageOverride
		d.mapping(n, path, map[string]field{
			"name":                d.str(&r.Name, checkPackageName),
			"allowed":             optional(d, &r.Allowed, func(s *string) field { return d.str(s, checkSpecifiers) }),
			"minimum_release_age": optional(d, &r.MinimumReleaseAge, d.duration),
			"ignore":              optional(d, &r.Ignore, d.boolean),
			"automerge":           d.updateTypes(&r.Automerge),
		})
		d.unique(n, path+".name", r.Name, pkgname.Normalize(r.Name), seen, "has a rule already")
		rules = append(rules, r)
	})
	return rules
}

// packages reads the top-level packages list.
func (d *decoder) packages(n *yaml.Node, path string) []PackageRule {
	var rules []PackageRule
	for _, o := range d.packageOverrides(n, path) {
		r := PackageRule{Name: o.Name, Automerge: o.Automerge}
		if o.Allowed != nil {
			r.Allowed = *o.Allowed
		}
		if o.MinimumReleaseAge != nil {
			r.MinimumReleaseAge = *o.MinimumReleaseAge
		}
		if o.Ignore != nil {
			r.Ignore = *o.Ignore
		}
		rules = append(rules, r)
	}
	return rules
}

// updateTypes reads a list of update types (major, minor, patch, any
// case); an empty list is kept as empty, not nil, so it means "none".
func (d *decoder) updateTypes(dst *[]UpdateType) field {
	return func(n *yaml.Node, path string) {
		if isNull(n) {
			return
		}
		var types []string
		d.strs(&types, checkUpdateType)(n, path)
		out := []UpdateType{}
		for _, t := range types {
			if checkUpdateType(t) == nil {
				out = append(out, UpdateType(strings.ToLower(t)))
			}
		}
		*dst = out
	}
}

// nameProject prefixes the messages of the problems found in a project's
// rule and merge request keys (errors[from:]) with the project's path,
// so a message read alone still says which project it is about.
func (d *decoder) nameProject(from int, path string, p Project, keys []string) {
	if p.Path == "" {
		return
	}
	for _, e := range d.errs[from:] {
		for _, k := range keys {
			kp := path + "." + k
			if e.Path == kp || strings.HasPrefix(e.Path, kp+".") || strings.HasPrefix(e.Path, kp+"[") {
				e.Msg = fmt.Sprintf("project %s: %s", p.Path, e.Msg)
				break
			}
		}
	}
}

// Project returns the configured project with the given path (GitLab
// paths are case-insensitive).
func (c *Config) Project(path string) (Project, bool) {
	for _, p := range c.Projects {
		if strings.EqualFold(p.Path, path) {
			return p, true
		}
	}
	return Project{}, false
}
