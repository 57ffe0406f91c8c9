package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
	"go.yaml.in/yaml/v3"

	"github.com/pinwheel-dev/pinwheel/registry"
)

// config reads the top-level mapping into cfg, which holds the defaults.
func (d *decoder) config(n *yaml.Node, cfg *Config) {
	jsonAPI := ""
	d.mapping(n, "", map[string]field{
		"index":  func(n *yaml.Node, path string) { d.index(n, path, &cfg.Index, &jsonAPI) },
		"python": d.strs(&cfg.Python, checkPython),
		"state":  d.str(&cfg.State, checkNonEmpty),
		"packages": func(n *yaml.Node, path string) {
			if !isNull(n) {
				cfg.Packages = d.packages(n, path)
			}
		},
		"gitlab": func(n *yaml.Node, path string) {
			d.mapping(n, path, map[string]field{
				"url":       d.str(&cfg.GitLab.URL, checkGitLabURL),
				"token_env": d.str(&cfg.GitLab.TokenEnv, checkEnvName(false)),
			})
		},
		"cron":               d.cron(&cfg.Cron),
		"parallel":           d.integer(&cfg.Parallel, 1),
		"listen":             d.str(&cfg.Listen, checkListen),
		"webhook_secret_env": d.str(&cfg.WebhookSecretEnv, checkEnvName(true)),
		"log": func(n *yaml.Node, path string) {
			d.mapping(n, path, map[string]field{
				"format": d.str(&cfg.Log.Format, checkLogFormat),
				"level": func(n *yaml.Node, path string) {
					var s string
					d.str(&s, checkLogLevel)(n, path)
					if lvl, err := logrus.ParseLevel(s); s != "" && err == nil {
						cfg.Log.Level = lvl
					}
				},
			})
		},
		"projects": func(n *yaml.Node, path string) {
			if !isNull(n) {
				cfg.Projects = d.projects(n, path)
			}
		},
		"vulnerabilities": func(n *yaml.Node, path string) { d.vulnerabilities(n, path, &cfg.Vulnerabilities) },
		"groups": func(n *yaml.Node, path string) {
			if !isNull(n) {
				cfg.Groups = d.groups(n, path)
			}
		},
		"bot": func(n *yaml.Node, path string) {
			if !isNull(n) {
				cfg.Bot = d.bot(n, path)
			}
		},
		"repo_config":      func(n *yaml.Node, path string) { d.repoConfig(n, path, &cfg.RepoConfig) },
		"autodiscover":     func(n *yaml.Node, path string) { d.autodiscover(n, path, cfg) },
		"project_defaults": func(n *yaml.Node, path string) { d.projectDefaults(n, path, cfg) },
		"shard_address":    d.str(&cfg.ShardAddress, checkShardAddress),
	})

	for i := range cfg.Projects {
		// A project's own list replaces the top-level one, even empty.
		if cfg.Projects[i].Groups == nil {
			cfg.Projects[i].Groups = cfg.Groups
		}
	}
	cfg.GitLab.URL = strings.TrimSuffix(cfg.GitLab.URL, "/")
	switch jsonAPI {
	case "":
		cfg.Index.JSONAPIURL = registry.JSONAPIFor(cfg.Index.URL)
	case off:
		cfg.Index.JSONAPIURL = ""
		cfg.Index.JSONAPIOff = true
	default:
		cfg.Index.JSONAPIURL = strings.TrimSuffix(jsonAPI, "/")
	}
	// A gitlab.url that was given but refused is reported once, where it
	// is, not again as missing.
	missingURL := cfg.GitLab.URL == "" && !d.reported("gitlab.url")
	if (len(cfg.Projects) > 0 || cfg.Autodiscover != nil) && missingURL {
		line := d.lines["projects"]
		if line == 0 {
			line = d.lines["autodiscover"]
		}
		d.errorf(&yaml.Node{Line: line}, "gitlab.url", "required when projects are configured")
	}
	if cfg.Bot != nil && missingURL && len(cfg.Projects) == 0 {
		d.errorf(&yaml.Node{Line: d.lines["bot"]}, "gitlab.url", "required when the bot is configured")
	}
}

func (d *decoder) index(n *yaml.Node, path string, idx *Index, jsonAPI *string) {
	d.mapping(n, path, map[string]field{
		"url":          d.str(&idx.URL, checkHTTPURL("username_env and password_env")),
		"json_api_url": d.str(jsonAPI, checkJSONAPIURL),
		"concurrency":  d.integer(&idx.Concurrency, 1),
		"timeout": func(n *yaml.Node, path string) {
			d.duration(&idx.Timeout)(n, path)
			if idx.Timeout == 0 {
				d.errorf(n, path, "must be more than 0")
			}
		},
		"retries":      d.integer(&idx.Retries, 0),
		"username_env": d.str(&idx.UsernameEnv, checkEnvName(true)),
		"password_env": d.str(&idx.PasswordEnv, checkEnvName(true)),
	})
}

func (d *decoder) projects(n *yaml.Node, path string) []Project {
	var projects []Project
	seen := map[string]string{} // lower-case path -> key path of its first entry
	d.list(n, path, func(n *yaml.Node, path string) {
		p := d.project(n, path)
		// GitLab paths are case-insensitive.
		d.unique(n, path+".path", p.Path, strings.ToLower(p.Path), seen, "is listed already")
		projects = append(projects, p)
	})
	return projects
}

func (d *decoder) project(n *yaml.Node, path string) Project {
	p := defaultProject()
	from := len(d.errs)
	d.mapping(n, path, d.projectFields(&p))
	d.nameProject(from, path, p, projectRuleKeys(d))
	finishProject(&p)
	return p
}

// projectRuleKeys are the keys of a project entry whose errors name the
// project (the rules and merge request fields).
func projectRuleKeys(d *decoder) []string {
	var p Project
	return slices.Concat(slices.Collect(maps.Keys(d.ruleFields(&p.ProjectRules))), slices.Collect(maps.Keys(d.mrFields(&p.MRFields))))
}

// projectFields reads a project entry's keys into p; the central config's
// entries, project_defaults and .pinwheel.yaml files share them.
func (d *decoder) projectFields(p *Project) map[string]field {
	fields := map[string]field{
		"path":          d.str(&p.Path, checkProjectPath),
		"branch":        d.str(&p.Branch, checkBranch(true)),
		"constraints":   func(n *yaml.Node, path string) { d.constraints(n, path, p) },
		"yaml":          d.str(&p.YAML, checkOptionalRepoPath),
		"branch_prefix": d.str(&p.BranchPrefix, checkBranch(false)),
		"labels":        d.strs(&p.Labels, checkLabel),
		"dashboard": func(n *yaml.Node, path string) {
			d.mapping(n, path, map[string]field{
				"enabled": d.boolean(&p.Dashboard.Enabled),
				"title":   d.str(&p.Dashboard.Title, checkNonEmpty),
				"label":   d.str(&p.Dashboard.Label, checkOptionalLabel),
			})
		},
		"schedule": func(n *yaml.Node, path string) { d.schedule(n, path, &p.Schedule) },
		"limits": func(n *yaml.Node, path string) {
			d.mapping(n, path, map[string]field{
				"open_mrs":        d.integer(&p.Limits.OpenMRs, 0),
				"new_mrs_per_run": d.integer(&p.Limits.NewMRsPerRun, 0),
			})
		},
		"groups": func(n *yaml.Node, path string) {
			if p.Groups = []Group{}; !isNull(n) {
				p.Groups = d.groups(n, path)
			}
		},
		"automerge": d.updateTypes(&p.Automerge),
	}
	maps.Copy(fields, d.ruleFields(&p.ProjectRules))
	maps.Copy(fields, d.mrFields(&p.MRFields))
	return fields
}

// finishProject resolves the yaml key's "" (the default) and "off".
func finishProject(p *Project) {
	switch p.YAML {
	case "":
		p.YAML = DefaultYAML
	case off:
		p.YAML = ""
	}
}

// constraints reads one path or a list of them; the first one is
// Constraints.
func (d *decoder) constraints(n *yaml.Node, path string, p *Project) {
	if n.Kind != yaml.SequenceNode {
		if n.Kind == yaml.ScalarNode && !isNull(n) && checkRepoPath(n.Value) == nil {
			p.ConstraintsFiles = nil // one file, over a list set before
		}
		d.str(&p.Constraints, checkRepoPath)(n, path)
		return
	}
	var files []string
	d.strs(&files, checkRepoPath)(n, path)
	if len(files) == 0 {
		d.errorf(n, path, "lists no file")
		return
	}
	seen := map[string]string{}
	for i, f := range files {
		d.unique(n.Content[i], fmt.Sprintf("%s[%d]", path, i), f, f, seen, "is listed already")
	}
	p.Constraints, p.ConstraintsFiles = files[0], files
}

func (d *decoder) schedule(n *yaml.Node, path string, s *Schedule) {
	d.mapping(n, path, map[string]field{
		"days": func(n *yaml.Node, path string) {
			if isNull(n) {
				return
			}
			var names []string
			d.strs(&names, checkDay)(n, path)
			if n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
				d.errorf(n, path, "list at least one day")
			}
			s.Days = nil
			for _, name := range names {
				if day, ok := parseDay(name); ok {
					s.Days = append(s.Days, day)
				}
			}
		},
		"timezone": func(n *yaml.Node, path string) {
			var name string
			d.str(&name, checkTimezone)(n, path)
			if loc, err := time.LoadLocation(name); name != "" && err == nil {
				s.Location = loc
			}
		},
		"hours": func(n *yaml.Node, path string) {
			var text string
			d.str(&text, checkHours)(n, path)
			if h, err := ParseHourRange(text); text != "" && err == nil {
				s.Hours = h
			}
		},
	})
}

func checkTimezone(name string) error {
	if name == "" {
		return fmt.Errorf("must name a time zone, like Europe/Prague or UTC")
	}
	if _, err := time.LoadLocation(name); err != nil {
		return fmt.Errorf("unknown time zone %q (want an IANA name like Europe/Prague)", name)
	}
	return nil
}

func checkHours(text string) error {
	_, err := ParseHourRange(text)
	return err
}

func checkDay(name string) error {
	if _, ok := parseDay(name); !ok {
		return fmt.Errorf("unknown day %q (want mon, tue, wed, thu, fri, sat or sun)", name)
	}
	return nil
}

func checkUpdateType(t string) error {
	switch UpdateType(strings.ToLower(t)) {
	case Major, Minor, Patch:
		return nil
	}
	return fmt.Errorf("unknown update type %q (want major, minor or patch)", t)
}

func checkLogFormat(f string) error {
	if f != "json" && f != "text" {
		return fmt.Errorf("unknown log format %q (want json or text)", f)
	}
	return nil
}

func checkLogLevel(l string) error {
	if _, err := logrus.ParseLevel(l); err != nil {
		return fmt.Errorf("unknown log level %q (want error, warn, info, debug or trace)", l)
	}
	return nil
}

// unique checks the identifying key of a list entry (at keyPath, with
// value, compared as norm): it is required, and no earlier entry in seen
// (norm -> key path of its first entry) may have it; dup words the error.
func (d *decoder) unique(n *yaml.Node, keyPath, value, norm string, seen map[string]string, dup string) {
	switch {
	case value == "" && !d.reported(keyPath):
		d.errorf(n, keyPath, "required")
	case value == "":
	case seen[norm] != "":
		first := seen[norm]
		d.errorf(&yaml.Node{Line: d.lines[keyPath]}, keyPath, "%q %s at %s (line %d)", value, dup, first, d.lines[first])
	default:
		seen[norm] = keyPath
	}
}
