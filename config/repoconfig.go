package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// RepoConfigFile is the file a project may carry on its target branch to
// set its own project-level keys (see ParseRepoConfig).
const RepoConfigFile = ".pinwheel.yaml"

// RepoKeys are the project-level keys a .pinwheel.yaml may ever set; the
// central repo_config.allowed_keys picks among them. The others (path,
// branch, branch_prefix, dashboard) say where pinwheel works and how it
// finds its own issue and branches, so only the central config sets them.
var RepoKeys = []string{"constraints", "yaml", "schedule", "labels", "limits", "automerge",
	"packages", "python", "minimum_release_age", "reviewers", "assignees", "groups"}

// DefaultRepoKeys are the RepoKeys a repository may set when the central
// config's repo_config lists none: those that shape a project's own merge
// requests (which files, their YAML, labels, people, grouping) but cannot
// lift what the central config holds the fleet to. schedule, limits,
// automerge, packages (its ignores), python and minimum_release_age
// must be listed in allowed_keys to be set by a repository.
var DefaultRepoKeys = []string{"constraints", "yaml", "labels", "reviewers", "assignees", "groups"}

// RepoConfig is the central config's say over .pinwheel.yaml files.
type RepoConfig struct {
	// Enabled makes runs read .pinwheel.yaml from the target branch.
	Enabled bool
	// AllowedKeys are the RepoKeys a repository may set;
	// DefaultRepoKeys unless the central config lists them.
	AllowedKeys []string
}

func defaultRepoConfig() RepoConfig {
	return RepoConfig{AllowedKeys: slices.Clone(DefaultRepoKeys)}
}

func (d *decoder) repoConfig(n *yaml.Node, path string, rc *RepoConfig) {
	d.mapping(n, path, map[string]field{
		"enabled":      d.boolean(&rc.Enabled),
		"allowed_keys": d.strs(&rc.AllowedKeys, checkRepoKey),
	})
}

func checkRepoKey(k string) error {
	if slices.Contains(RepoKeys, k) {
		return nil
	}
	return fmt.Errorf("%q is not a key a repository may set (want some of %s)", k, strings.Join(RepoKeys, ", "))
}

// ParseRepoConfig reads a project's .pinwheel.yaml (data; filename is used
// in messages) and merges it over base, the project's central entry: a
// mapping sets the keys it names, and within schedule and limits the
// sub-keys it names. allowed are the keys the repository may set (the
// central repo_config.allowed_keys).
//
// A file with any problem is refused as a whole: ParseRepoConfig returns
// base unchanged, and an error joining one *Error ("file:line: key:
// message") per problem, so the project runs on its central settings. An
// empty file changes nothing.
func ParseRepoConfig(filename string, data []byte, base Project, allowed []string) (Project, error) {
	d := &decoder{file: filename, lines: map[string]int{}}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil && err != io.EOF {
		return base, d.syntaxError(err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		if err != nil {
			return base, d.syntaxError(err)
		}
		d.errorf(&extra, "", "a second YAML document; %s holds one", RepoConfigFile)
	}
	p := base
	if len(doc.Content) > 0 {
		all := d.projectFields(&p)
		fields := map[string]field{}
		for _, k := range RepoKeys {
			if slices.Contains(allowed, k) {
				fields[k] = all[k]
				continue
			}
			fields[k] = func(n *yaml.Node, path string) {
				d.errorf(n, path, "this repository may not set it (the central config's repo_config.allowed_keys leaves it out; by default it holds %s)", strings.Join(DefaultRepoKeys, ", "))
			}
		}
		for _, k := range []string{"path", "branch", "branch_prefix", "dashboard"} {
			fields[k] = func(n *yaml.Node, path string) {
				d.errorf(n, path, "only the central config sets it")
			}
		}
		if yamlField, ok := fields["yaml"]; ok && slices.Contains(allowed, "yaml") {
			fields["yaml"] = func(n *yaml.Node, path string) {
				yamlField(n, path)
				if !isNull(n) {
					finishProject(&p)
				}
			}
		}
		d.mapping(doc.Content[0], "", fields)
	}
	if len(d.errs) > 0 {
		sort.SliceStable(d.errs, func(i, j int) bool { return d.errs[i].Line < d.errs[j].Line })
		errs := make([]error, len(d.errs))
		for i, e := range d.errs {
			errs[i] = e
		}
		return base, errors.Join(errs...)
	}
	return p, nil
}

// MaxRepoConfigSize bounds .pinwheel.yaml: a few keys, never megabytes.
const MaxRepoConfigSize = 64 << 10

// RepoConfigBase says which central entry CheckRepoConfig merged a file
// over.
type RepoConfigBase string

// What CheckRepoConfig merged over.
const (
	BaseEntry    RepoConfigBase = "the project's entry under projects:"
	BaseDefaults RepoConfigBase = "project_defaults (a discovered project)"
	BaseBuiltin  RepoConfigBase = "the built-in defaults and allowed keys (no central config)"
)

// CheckRepoConfig checks a .pinwheel.yaml (data; filename is used in
// messages) as a run of project would read it: merged over the entry for
// project under central's projects: (its path compared
// case-insensitively, as GitLab routes it), else over central's
// project_defaults, with central's allowed keys. Without a central config
// (nil) it is merged over a projects: entry's defaults with
// DefaultRepoKeys. Its errors are ParseRepoConfig's.
func CheckRepoConfig(filename string, data []byte, central *Config, project string) (Project, RepoConfigBase, error) {
	base, from, allowed := defaultProject(), BaseBuiltin, DefaultRepoKeys
	if central != nil {
		base, from, allowed = central.ProjectDefaults, BaseDefaults, central.RepoConfig.AllowedKeys
		for _, p := range central.Projects {
			if project != "" && strings.EqualFold(p.Path, project) {
				base, from = p, BaseEntry
				break
			}
		}
	}
	if base.Path == "" {
		base.Path = project
	}
	if len(data) > MaxRepoConfigSize {
		return base, from, fmt.Errorf("%s: %d bytes, the limit is %d", filename, len(data), MaxRepoConfigSize)
	}
	p, err := ParseRepoConfig(filename, data, base, allowed)
	return p, from, err
}
