// Package config reads pinwheel's YAML configuration: the package index, the
// GitLab instance, per-package rules and the projects the daemon keeps fresh.
//
// Parse checks everything it can without the network: unknown keys, wrong
// types, URLs, durations, time zones, the cron expression, schedules and
// limits. Every problem is reported, each as "file:line: key.path: message",
// so one edit can fix them all. A config with any problem is refused as a
// whole; there is no half-loaded config. Omitted keys take the defaults
// Default returns, and config.example.yaml at the repository root documents
// every key.
//
// Secrets never live in the file: the config names the environment variables
// that hold them (token_env, password_env, ...), and reading those variables
// is the caller's job.
//
// ParseRepoConfig reads a project's own .pinwheel.yaml the same way, with
// only the keys the central repo_config allows, merged over the project's
// central entry.
//
// It checks PEP 440 specifiers with package pep440 but keeps them as text;
// it does not talk to GitLab or the index.
package config

import (
	"fmt"
	"os"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/pinwheel-dev/pinwheel/pkgname"
	"github.com/pinwheel-dev/pinwheel/registry"
	"github.com/pinwheel-dev/pinwheel/shard"
)

// Config is a whole configuration file, defaults applied.
type Config struct {
	Index Index
	// Python lists the Python versions the project runs on ("3.11"); a
	// release is offered only when its Requires-Python admits every one of
	// them. Empty means no filter.
	Python []string
	// State is the path of the state file (see package state).
	State    string
	Packages []PackageRule
	GitLab   GitLab
	// Cron is when the daemon runs, parsed from robfig/cron's standard
	// syntax with descriptors ("@hourly", "0 */2 * * *").
	Cron Cron
	// Listen is the daemon's HTTP address for webhooks and metrics; "" means
	// no listener.
	Listen string
	// WebhookSecretEnv names the environment variable holding the GitLab
	// webhook secret token; "" disables the webhook endpoint.
	WebhookSecretEnv string
	Log              Log
	Projects         []Project
	// Parallel is how many projects run at once (each project's own runs
	// stay one at a time); default DefaultParallel.
	Parallel int
	// Vulnerabilities is where known vulnerabilities come from.
	Vulnerabilities Vulnerabilities
	// Bot is the test bot's section; nil when the file has none.
	Bot *Bot
	// RepoConfig says whether and what a project's .pinwheel.yaml may set.
	RepoConfig RepoConfig
	// Autodiscover finds projects in groups and by topic; nil when off.
	Autodiscover *Autodiscover
	// ProjectDefaults is the entry discovered projects take (Path empty).
	ProjectDefaults Project
	// ShardAddress is where each shard of a fleet listens, with {shard}
	// for its index (see package shard).
	ShardAddress string
	// Groups are the update groups of every project that lists none.
	Groups []Group
}

// Index is the Python package index pinwheel reads releases from.
type Index struct {
	// URL is the simple repository API root, like pip's --index-url.
	URL string
	// JSONAPIURL is the root of PyPI's JSON API (URL/<name>/json), resolved:
	// derived from URL when the file leaves it empty, "" when unavailable or
	// turned off with "off".
	JSONAPIURL string
	// JSONAPIOff is json_api_url: off; SetIndexURL keeps it off.
	JSONAPIOff  bool
	Concurrency int
	Timeout     Duration
	Retries     int
	// UsernameEnv and PasswordEnv name the environment variables holding the
	// index's credentials; unset variables mean anonymous access.
	UsernameEnv string
	PasswordEnv string
}

// PackageRule is the policy for one Python package.
type PackageRule struct {
	// Name is the package name as written; compare with pkgname.Equal.
	Name string
	// Allowed is a PEP 440 specifier set ("<5", ">=1.2,!=1.3.0") that offered
	// versions must satisfy; "" allows any.
	Allowed string
	// MinimumReleaseAge holds back releases younger than this.
	MinimumReleaseAge Duration
	// Ignore leaves the package alone entirely.
	Ignore bool
	// Automerge replaces the project's automerge list for this package
	// when not nil.
	Automerge []UpdateType
}

// GitLab is the GitLab instance the projects live on.
type GitLab struct {
	// URL is the instance's base URL, without a trailing slash.
	URL string
	// TokenEnv names the environment variable holding the API token.
	TokenEnv string
}

// APIURL returns the REST API root, URL + "/api/v4".
func (g GitLab) APIURL() string { return g.URL + "/api/v4" }

// Log configures the daemon's logging.
type Log struct {
	// Format is "json" or "text".
	Format string
	Level  logrus.Level
}

// Project is one GitLab project whose constraints pinwheel keeps fresh.
type Project struct {
	// Path is the project's full path ("group/app") or numeric ID.
	Path string
	// Branch is the target branch; "" means the project's default branch.
	Branch string
	// Constraints is the constraints file's path in the repository: the
	// first of ConstraintsFiles, the one the YAML file is generated from.
	Constraints string
	// ConstraintsFiles are every constraints file of the project (the
	// config's "constraints" as a list); nil when it names one file.
	// Files returns the list either way.
	ConstraintsFiles []string
	// YAML is a pipeline YAML file whose pins follow the constraints file;
	// "" means none.
	YAML         string
	BranchPrefix string
	// Labels go on every merge request pinwheel opens.
	Labels    []string
	Dashboard Dashboard
	Schedule  Schedule
	Limits    Limits
	// Automerge lists the update types merged once their pipeline succeeds.
	Automerge []UpdateType
	// ProjectRules are the project's own package rules, python and
	// release age (Config.Rules merges them).
	ProjectRules
	// MRFields are the reviewers and assignees of new merge requests.
	MRFields
	// Groups are the project's update groups, in order (the first match
	// wins): its own list, else the top-level one.
	Groups []Group
}

// Files returns the project's constraints files, Constraints first.
func (p Project) Files() []string {
	if len(p.ConstraintsFiles) > 0 {
		return p.ConstraintsFiles
	}
	return []string{p.Constraints}
}

// Automerges reports whether updates of type t are merged automatically.
func (p Project) Automerges(t UpdateType) bool {
	for _, a := range p.Automerge {
		if a == t {
			return true
		}
	}
	return false
}

// Dashboard configures the project's dependency dashboard issue.
type Dashboard struct {
	Enabled bool
	// Title finds the issue: pinwheel matches its own issue by exact title.
	Title string
	// Label is put on the issue; "" means none.
	Label string
}

// Limits caps how many merge requests pinwheel keeps open; 0 means no cap
// (as in Renovate's prConcurrentLimit).
type Limits struct {
	OpenMRs      int
	NewMRsPerRun int
}

// UpdateType is the size of a version change.
type UpdateType string

// The update types, by which part of the version changes.
const (
	Major UpdateType = "major"
	Minor UpdateType = "minor"
	Patch UpdateType = "patch"
)

// Defaults of keys others may want to show or reuse.
const (
	DefaultStatePath    = "/var/lib/pinwheel/state.db"
	DefaultCron         = "@hourly"
	DefaultYAML         = "pipeline/constraints.yml"
	DefaultBranchPrefix = "pinwheel/"
)

// off turns off a key whose empty value means "use the default".
const off = "off"

// Default returns the configuration used without a config file: PyPI, no
// projects.
func Default() *Config {
	return &Config{
		Index: Index{
			URL:         registry.DefaultIndexURL,
			JSONAPIURL:  registry.JSONAPIFor(registry.DefaultIndexURL),
			Concurrency: registry.DefaultConcurrency,
			Timeout:     Duration(registry.DefaultTimeout),
			Retries:     registry.DefaultRetries,
			UsernameEnv: "PINWHEEL_INDEX_USERNAME",
			PasswordEnv: "PINWHEEL_INDEX_PASSWORD",
		},
		State:            DefaultStatePath,
		GitLab:           GitLab{TokenEnv: "GITLAB_TOKEN"},
		Cron:             defaultCron,
		Listen:           ":9090",
		WebhookSecretEnv: "PINWHEEL_WEBHOOK_SECRET",
		Log:              Log{Format: "json", Level: logrus.InfoLevel},
		Vulnerabilities:  defaultVulnerabilities(),
		RepoConfig:       defaultRepoConfig(),
		ProjectDefaults:  defaultProjectDefaults(),
		ShardAddress:     shard.DefaultAddressTemplate,
		Parallel:         DefaultParallel,
	}
}

// DefaultParallel is how many projects run at once by default: enough
// that one project's slow GitLab calls don't hold up the fleet, few enough
// that GitLab sees a handful of clients, not hundreds.
const DefaultParallel = 4

// defaultProject is a project entry before its keys are read.
func defaultProject() Project {
	return Project{
		Constraints:  "constraints.txt",
		YAML:         DefaultYAML,
		BranchPrefix: DefaultBranchPrefix,
		Labels:       []string{"dependencies"},
		Dashboard:    Dashboard{Enabled: true, Title: "Dependency Dashboard", Label: "dependency-dashboard"},
		Schedule: Schedule{
			Days:     []time.Weekday{time.Saturday, time.Sunday},
			Location: time.UTC,
			Hours:    AllDay,
		},
		Limits: Limits{OpenMRs: 10, NewMRsPerRun: 5},
	}
}

// Package returns the rule for the named package, matching names in PEP 503
// normal form.
func (c *Config) Package(name string) (PackageRule, bool) {
	for _, r := range c.Packages {
		if pkgname.Equal(r.Name, name) {
			return r, true
		}
	}
	return PackageRule{}, false
}

// Load reads and parses the config file at path.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(path, data)
}

// SetIndexURL points the config at another index, as pip's --index-url
// does: raw is checked as index.url is, and the JSON API is derived from
// it (an explicit json_api_url belongs to the index it replaces), unless
// the file turned the JSON API off: that stays off.
func (c *Config) SetIndexURL(raw string) error {
	if err := checkHTTPURL("username_env and password_env")(raw); err != nil {
		return err
	}
	c.Index.URL = raw
	c.Index.JSONAPIURL = ""
	if !c.Index.JSONAPIOff {
		c.Index.JSONAPIURL = registry.JSONAPIFor(raw)
	}
	return nil
}
