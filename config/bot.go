package config

import (
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pinwheel-dev/pinwheel/pkgname"
)

// Bot configures the test bot: a comment "@<bot> test [key=value]" on a
// merge request of one of Packages runs TriggerProject's pipeline with
// that merge request's code (see package testbot).
type Bot struct {
	// TriggerProject is the pipeline project to run (path or numeric ID).
	TriggerProject string
	// TriggerRef is the branch or tag of TriggerProject the pipeline runs on.
	TriggerRef string
	// TriggerTokenEnv names the environment variable holding a pipeline
	// trigger token of TriggerProject; "" (or the variable unset) means
	// pinwheel's own API token creates the pipeline.
	TriggerTokenEnv string
	// PollInterval is how often running pipelines are checked.
	PollInterval Duration
	// Variables are set on every triggered pipeline, in file order.
	Variables []Variable
	// Packages are the package projects whose merge requests may be tested.
	Packages []BotPackage
}

// Variable is one CI variable.
type Variable struct {
	Key, Value string
}

// BotPackage is a Python package developed in a GitLab project.
type BotPackage struct {
	// Project is the package's GitLab project (path or numeric ID).
	Project string
	// Name is the package's pip name; the pipeline variable that points
	// pip at the merge request is PipURLVariable(Name).
	Name string
}

// DefaultBotPollInterval is bot.poll_interval's default.
const DefaultBotPollInterval = Duration(30_000_000_000) // 30s

// variableName is the rule for pipeline variable names pinwheel sets,
// stricter than GitLab's (which accepts "1x"), so a name is always also a
// valid shell variable in the pipeline's scripts.
var variableName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ValidVariableName reports whether name may be a pipeline variable's
// name: [A-Za-z_][A-Za-z0-9_]*.
func ValidVariableName(name string) bool { return variableName.MatchString(name) }

// PipURLVariable is the variable `pinwheel prepare` reads to install the
// package from a git URL instead of the index: the PEP 503 name with "-"
// as "_", plus "_pip_url" (cki-lib -> cki_lib_pip_url).
func PipURLVariable(name string) string {
	return strings.ReplaceAll(pkgname.Normalize(name), "-", "_") + "_pip_url"
}

// Package returns the package developed in project (path compared
// case-insensitively, as GitLab does, or numeric id).
func (b *Bot) Package(project string, id int64) (BotPackage, bool) {
	for _, p := range b.Packages {
		if strings.EqualFold(p.Project, project) || p.Project == fmt.Sprint(id) {
			return p, true
		}
	}
	return BotPackage{}, false
}

func checkVariableName(name string) error {
	if !ValidVariableName(name) {
		return fmt.Errorf("%q is not a variable name (want letters, digits and _, not starting with a digit)", name)
	}
	return nil
}

func (d *decoder) bot(n *yaml.Node, path string) *Bot {
	b := &Bot{PollInterval: DefaultBotPollInterval}
	d.mapping(n, path, map[string]field{
		"trigger_project":   d.str(&b.TriggerProject, checkProjectPath),
		"trigger_ref":       d.str(&b.TriggerRef, checkBranch(true)),
		"trigger_token_env": d.str(&b.TriggerTokenEnv, checkEnvName(true)),
		"poll_interval": func(n *yaml.Node, path string) {
			d.duration(&b.PollInterval)(n, path)
			if b.PollInterval < Duration(1_000_000_000) {
				d.errorf(n, path, "must be at least 1s")
			}
		},
		"variables": func(n *yaml.Node, path string) { b.Variables = d.variables(n, path) },
		"packages": func(n *yaml.Node, path string) {
			if isNull(n) {
				return
			}
			seen := map[string]string{}
			d.list(n, path, func(n *yaml.Node, path string) {
				var p BotPackage
				d.mapping(n, path, map[string]field{
					"project": d.str(&p.Project, checkProjectPath),
					"name":    d.str(&p.Name, checkPackageName),
				})
				d.unique(n, path+".project", p.Project, strings.ToLower(p.Project), seen, "is listed already")
				if p.Name == "" && !d.reported(path+".name") {
					d.errorf(n, path+".name", "required")
				}
				b.Packages = append(b.Packages, p)
			})
		},
	})
	line := &yaml.Node{Line: n.Line}
	if b.TriggerProject == "" && !d.reported(path+".trigger_project") {
		d.errorf(line, path+".trigger_project", "required")
	}
	if b.TriggerRef == "" && !d.reported(path+".trigger_ref") {
		d.errorf(line, path+".trigger_ref", "required")
	}
	if len(b.Packages) == 0 && !d.reported(path+".packages") {
		d.errorf(line, path+".packages", "list at least one package project")
	}
	names := map[string]bool{}
	for _, p := range b.Packages {
		names[PipURLVariable(p.Name)] = true
	}
	for _, v := range b.Variables {
		if names[v.Key] {
			d.errorf(&yaml.Node{Line: d.lines[path+".variables."+v.Key]}, path+".variables."+v.Key, "is set by the bot for a merge request; choose another name")
		}
	}
	return b
}

// variables reads a mapping of variable names to single values, keeping
// the file's order.
func (d *decoder) variables(n *yaml.Node, path string) []Variable {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "expected a mapping of variable names to values, got %s", describe(n))
		return nil
	}
	var out []Variable
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		p := join(path, k.Value)
		if line, dup := d.lines[p]; dup {
			d.errorf(k, p, "repeated key (first at line %d)", line)
			continue
		}
		d.lines[p] = k.Line
		if err := checkVariableName(k.Value); err != nil {
			d.errorf(k, p, "%v", err)
			continue
		}
		if !d.scalar(v, p) {
			continue
		}
		val := v.Value
		if isNull(v) {
			val = ""
		}
		out = append(out, Variable{Key: k.Value, Value: val})
	}
	return out
}
