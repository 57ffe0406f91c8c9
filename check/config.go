package check

import (
	"errors"
	"fmt"
	"time"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/pep440"
	"github.com/pinwheel-dev/pinwheel/pkgname"
	"github.com/pinwheel-dev/pinwheel/plan"
	"github.com/pinwheel-dev/pinwheel/registry"
)

// OptionsFromConfig turns the config's package rules and Python versions
// into check Options measured at now.
func OptionsFromConfig(cfg *config.Config, now time.Time) (Options, error) {
	opts := Options{Rules: map[string]plan.Rule{}, Now: now}
	var errs []error
	for _, p := range cfg.Packages {
		rule := plan.Rule{Ignore: p.Ignore, MinimumReleaseAge: time.Duration(p.MinimumReleaseAge)}
		if p.Allowed != "" {
			spec, err := pep440.ParseSpecifiers(p.Allowed)
			if err != nil {
				errs = append(errs, fmt.Errorf("package %s: allowed: %w", p.Name, err))
				continue
			}
			rule.Allowed = spec
		}
		opts.Rules[pkgname.Normalize(p.Name)] = rule
	}
	for _, s := range cfg.Python {
		v, err := pep440.Parse(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("python: %w", err))
			continue
		}
		opts.Python = append(opts.Python, v)
	}
	return opts, errors.Join(errs...)
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
