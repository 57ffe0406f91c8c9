package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/pinwheel-dev/pinwheel/internal/glob"
	"github.com/pinwheel-dev/pinwheel/pkgname"
)

// Group puts the updates it matches into one branch and one merge request
// (Renovate's groupName, Dependabot's groups).
type Group struct {
	// Name names the branch (<prefix>group-<name>) and the merge request
	// ("Update <name> dependencies").
	Name string
	// UpdateTypes are the update types the group takes; empty means all.
	UpdateTypes []UpdateType
	// Packages are PEP 503 names or shell-style patterns ("django-*")
	// matched against the normalized name; empty means all.
	Packages []string
}

// Matches reports whether the group takes an update of type t of the
// package whose PEP 503 name is key.
func (g Group) Matches(key string, t UpdateType) bool {
	if len(g.UpdateTypes) > 0 && !slices.Contains(g.UpdateTypes, t) {
		return false
	}
	if len(g.Packages) == 0 {
		return true
	}
	for _, p := range g.Packages {
		if m, err := packagePattern(p); err == nil && m.Match(key) {
			return true
		}
	}
	return false
}

// GroupFor returns the first of groups that matches, like Renovate's
// first matching rule; ok is false when none does.
func GroupFor(groups []Group, key string, t UpdateType) (Group, bool) {
	for _, g := range groups {
		if g.Matches(key, t) {
			return g, true
		}
	}
	return Group{}, false
}

// packagePatterns caches compiled package patterns: Matches runs for every
// update of every run, and a config holds few patterns.
var packagePatterns sync.Map // pattern -> *glob.Pattern

// packagePattern compiles a packages: entry (normalized, see
// normalizePattern) once.
func packagePattern(p string) (*glob.Pattern, error) {
	if m, ok := packagePatterns.Load(p); ok {
		return m.(*glob.Pattern), nil
	}
	m, err := glob.Compile(normalizePattern(p))
	if err != nil {
		return nil, err
	}
	packagePatterns.Store(p, m)
	return m, nil
}

// normalizePattern applies PEP 503 normalization to a pattern's literal
// parts: "Django_*" matches "django-rest".
func normalizePattern(p string) string {
	return strings.ToLower(regexp.MustCompile(`[-_.]+`).ReplaceAllString(p, "-"))
}

// groupName is what a group name may be: it goes into a branch name.
var groupName = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9_-]|\.[A-Za-z0-9_-])*$`)

func checkGroupName(name string) error {
	if !groupName.MatchString(name) || strings.HasSuffix(name, ".lock") || len(name) > 100 {
		return fmt.Errorf("%q cannot be part of a branch name (use letters, digits, '-', '_' and single dots, up to 100)", name)
	}
	if EndsLikePackageBranch(name) {
		return fmt.Errorf("%q ends like a package's branch (\"-<major>.x\"), so its branch <prefix>group-%s could be a package's; rename it", name, name)
	}
	return nil
}

// packageBranchTail is how a package branch (<prefix><name>-<major>.x,
// <prefix><name>-<epoch>-<major>.x, and either with the suffix
// "-vulnerability" of a security update split off its stream) ends.
var packageBranchTail = regexp.MustCompile(`-[0-9]+(-[0-9]+)?\.x(-vulnerability)?$`)

// EndsLikePackageBranch reports whether s ends like a package branch.
// A group's branch never does (checkGroupName refuses such names), which
// tells the branch of the package "group-lasso" (<prefix>group-lasso-1.x)
// from a group's.
func EndsLikePackageBranch(s string) bool {
	return packageBranchTail.MatchString(s)
}

func checkPackagePattern(p string) error {
	if p == "" || strings.Contains(p, "/") {
		return fmt.Errorf("%q is not a package name or shell-style pattern (like \"django-*\")", p)
	}
	if _, err := packagePattern(p); err != nil {
		return fmt.Errorf("%q is not a shell-style pattern (*, ?, [seq], [!seq]): %w", p, err)
	}
	if !strings.ContainsAny(p, "*?[") && !pkgname.Valid(p) {
		return fmt.Errorf("%q is not a valid Python package name", p)
	}
	return nil
}

// groups reads a groups list; an explicit empty list turns the top-level
// groups off for a project.
func (d *decoder) groups(n *yaml.Node, path string) []Group {
	out := []Group{}
	seen := map[string]string{} // lower-case name -> key path of its first entry
	d.list(n, path, func(n *yaml.Node, path string) {
		var g Group
		var types []string
		d.mapping(n, path, map[string]field{
			"name":         d.str(&g.Name, checkGroupName),
			"update_types": d.strs(&types, checkUpdateType),
			"packages":     d.strs(&g.Packages, checkPackagePattern),
		})
		for _, t := range types {
			g.UpdateTypes = append(g.UpdateTypes, UpdateType(strings.ToLower(t)))
		}
		d.unique(n, path+".name", g.Name, strings.ToLower(g.Name), seen, "is a group already")
		out = append(out, g)
	})
	return out
}
