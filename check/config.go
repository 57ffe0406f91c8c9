package check

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/pep440"
	"github.com/pinwheel-dev/pinwheel/plan"
	"github.com/pinwheel-dev/pinwheel/registry"
)

// OptionsFromConfig turns the config's top-level package rules and Python
// versions into check Options measured at now.
func OptionsFromConfig(cfg *config.Config, now time.Time) (Options, error) {
	opts, err := OptionsFromRules(cfg.Rules(config.Project{}), now)
	opts.PyPIVulns = cfg.Vulnerabilities.Source == config.VulnPyPI
	return opts, err
}

// OptionsForProject is OptionsFromConfig with the project's own rules
// merged over the top-level ones (config.Config.Rules); errors name the
// project.
func OptionsForProject(cfg *config.Config, p config.Project, now time.Time) (Options, error) {
	opts, err := OptionsFromRules(cfg.Rules(p), now)
	if err != nil {
		return opts, fmt.Errorf("project %s: %w", p.Path, err)
	}
	opts.PyPIVulns = cfg.Vulnerabilities.Source == config.VulnPyPI
	return opts, nil
}

// OptionsFromRules turns merged rules into check Options measured at now.
func OptionsFromRules(rules config.Rules, now time.Time) (Options, error) {
	opts := Options{Rules: map[string]plan.Rule{}, Now: now}
	var errs []error
	for key, p := range rules.Packages {
		rule, err := planRule(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		opts.Rules[key] = rule
	}
	var err error
	if opts.Default, err = planRule(rules.Default); err != nil {
		errs = append(errs, err)
	}
	for _, s := range rules.Python {
		v, err := pep440.Parse(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("python: %w", err))
			continue
		}
		opts.Python = append(opts.Python, v)
	}
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return opts, errors.Join(errs...)
}

func planRule(p config.PackageRule) (plan.Rule, error) {
	rule := plan.Rule{Ignore: p.Ignore, MinimumReleaseAge: time.Duration(p.MinimumReleaseAge)}
	if p.Allowed != "" {
		spec, err := pep440.ParseSpecifiers(p.Allowed)
		if err != nil {
			return plan.Rule{}, fmt.Errorf("package %s: allowed: %w", p.Name, err)
		}
		rule.Allowed = spec
	}
	return rule, nil
}

// Rule returns the rule for a PEP 503 normalised name.
func (o Options) Rule(key string) plan.Rule {
	if r, ok := o.Rules[key]; ok {
		return r
	}
	return o.Default
}

// ClientOptions turns the config's index section into registry client
// options. getenv reads the credentials from the variables the config
// names; the values never pass through the config file.
func ClientOptions(idx config.Index, getenv func(string) string) registry.Options {
	opts := registry.Options{
		IndexURL:    idx.URL,
		JSONAPIURL:  idx.JSONAPIURL,
		Concurrency: idx.Concurrency,
		Timeout:     time.Duration(idx.Timeout),
		MaxRetries:  idx.Retries,
	}
	// The config resolves "no JSON API" to "", which the registry reads as
	// "derive it"; say it explicitly.
	if opts.JSONAPIURL == "" {
		opts.JSONAPIURL = registry.NoJSONAPI
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = -1
	}
	if idx.UsernameEnv != "" {
		opts.Username = getenv(idx.UsernameEnv)
	}
	if idx.PasswordEnv != "" {
		opts.Password = getenv(idx.PasswordEnv)
	}
	return opts
}
