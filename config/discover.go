package config

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pinwheel-dev/pinwheel/internal/glob"
	"github.com/pinwheel-dev/pinwheel/shard"
)

// Autodiscover finds the projects to run on GitLab instead of listing
// them (see package discover): every project of Groups (subgroups
// included) and every project carrying one of Topics, less those whose
// path matches one of Exclude. A found project takes ProjectDefaults;
// an entry under projects: for the same path wins over it.
type Autodiscover struct {
	// Groups are full group paths ("platform", "platform/web").
	Groups []string
	// Topics are GitLab project topics ("python").
	Topics []string
	// Exclude are shell-style patterns (internal/glob) over full project paths
	// ("platform/legacy-*"), compared case-insensitively. A pattern that
	// matches a group's path excludes the group's projects, those of its
	// subgroups included.
	Exclude []string
}

// Excluded reports whether the project at fullPath, or one of the groups
// it is in, matches an Exclude pattern: "platform/legacy-*" excludes
// platform/legacy-app and platform/legacy-old/app alike. A pattern's *
// stops at a slash, so without the groups a pattern could never reach
// into subgroups.
func (a *Autodiscover) Excluded(fullPath string) bool {
	p := strings.ToLower(fullPath)
	for _, pat := range a.Exclude {
		m, err := glob.Compile(strings.ToLower(pat))
		if err != nil {
			continue // refused when the config was read
		}
		for i := 0; i <= len(p); i++ {
			if i < len(p) && p[i] != '/' {
				continue
			}
			if m.Match(p[:i]) {
				return true
			}
		}
	}
	return false
}

func (d *decoder) autodiscover(n *yaml.Node, keyPath string, cfg *Config) {
	if isNull(n) {
		return
	}
	a := &Autodiscover{}
	d.mapping(n, keyPath, map[string]field{
		"groups":  d.strs(&a.Groups, checkGroupPath),
		"topics":  d.strs(&a.Topics, checkNonEmpty),
		"exclude": d.strs(&a.Exclude, checkExcludePattern),
	})
	if len(a.Groups) == 0 && len(a.Topics) == 0 && !d.reported(keyPath+".groups") && !d.reported(keyPath+".topics") {
		d.errorf(n, keyPath, "name at least one of groups or topics")
	}
	cfg.Autodiscover = a
}

// defaultProjectDefaults is project_defaults when the file has none: a
// project entry's own defaults.
func defaultProjectDefaults() Project { return defaultProject() }

func (d *decoder) projectDefaults(n *yaml.Node, keyPath string, cfg *Config) {
	p := defaultProject()
	fields := d.projectFields(&p)
	fields["path"] = func(n *yaml.Node, path string) {
		d.errorf(n, path, "project_defaults are for discovered projects, which GitLab names; list a project under projects: to set its path")
	}
	d.mapping(n, keyPath, fields)
	finishProject(&p)
	cfg.ProjectDefaults = p
}

func checkGroupPath(p string) error {
	if err := checkNonEmpty(p); err != nil {
		return err
	}
	if strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") || strings.Contains(p, "//") {
		return fmt.Errorf("%q is not a group's full path (like platform or platform/web)", p)
	}
	return nil
}

func checkExcludePattern(p string) error {
	if err := checkNonEmpty(p); err != nil {
		return err
	}
	if _, err := glob.Compile(p); err != nil {
		return fmt.Errorf("%q is not a path pattern (*, ?, [seq], [!seq], like platform/legacy-*): %w", p, err)
	}
	return nil
}

func checkShardAddress(t string) error {
	_, err := shard.ParseAddresses(t)
	return err
}
