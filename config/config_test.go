package config

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
)

func TestExampleLoads(t *testing.T) {
	cfg, err := Load("../config.example.yaml")
	if err != nil {
		t.Fatalf("config.example.yaml: %v", err)
	}
	if len(cfg.Projects) != 2 {
		t.Fatalf("got %d projects; want 2", len(cfg.Projects))
	}
	app, svc := cfg.Projects[0], cfg.Projects[1]
	if !app.Automerges(Patch) || app.Automerges(Minor) {
		t.Errorf("group/app automerge = %v; want [patch]", app.Automerge)
	}
	// group/service sets only path and schedule: the rest are defaults.
	want := defaultProject()
	want.Path = "group/service"
	want.Schedule = svc.Schedule
	if !reflect.DeepEqual(svc, want) {
		t.Errorf("group/service = %+v\nwant %+v", svc, want)
	}
	if svc.Schedule.Location.String() != "Europe/Prague" || svc.Schedule.Hours != (HourRange{6, 9}) || len(svc.Schedule.Days) != 5 {
		t.Errorf("group/service schedule = %+v", svc.Schedule)
	}
	if r, ok := cfg.Package("Django"); !ok || r.Allowed != "<5" || time.Duration(r.MinimumReleaseAge) != 72*time.Hour {
		t.Errorf("Package(Django) = %+v, %v", r, ok)
	}
	if r, ok := cfg.Package("NumPy"); !ok || !r.Ignore {
		t.Errorf("Package(NumPy) = %+v, %v", r, ok)
	}
	if cfg.GitLab.APIURL() != "https://gitlab.example.com/api/v4" {
		t.Errorf("APIURL = %q", cfg.GitLab.APIURL())
	}
}

func TestEmptyFileIsDefault(t *testing.T) {
	for _, data := range []string{"", "# only a comment\n", "---\n"} {
		cfg, err := Parse("c.yaml", []byte(data))
		if err != nil {
			t.Fatalf("Parse(%q): %v", data, err)
		}
		if !reflect.DeepEqual(cfg, Default()) {
			t.Errorf("Parse(%q) = %+v\nwant Default() %+v", data, cfg, Default())
		}
	}
	d := Default()
	if d.Index.URL != "https://pypi.org/simple" || d.Index.JSONAPIURL != "https://pypi.org/pypi" ||
		d.Index.Concurrency != 128 || time.Duration(d.Index.Timeout) != 30*time.Second || d.Index.Retries != 4 ||
		d.Cron.String() != "@hourly" || d.Log.Level != logrus.InfoLevel || d.GitLab.TokenEnv != "GITLAB_TOKEN" {
		t.Errorf("Default() = %+v", d)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name  string
		yaml  string
		check func(t *testing.T, c *Config)
	}{
		{"json api derived from a mirror", "index: {url: https://mirror.example/pypi-mirror/simple/}", func(t *testing.T, c *Config) {
			if c.Index.JSONAPIURL != "https://mirror.example/pypi-mirror/pypi" {
				t.Errorf("JSONAPIURL = %q", c.Index.JSONAPIURL)
			}
		}},
		{"no json api for a non-simple index", "index: {url: https://devpi.example/root/pypi/+simple/}", func(t *testing.T, c *Config) {
			if c.Index.JSONAPIURL != "" {
				t.Errorf("JSONAPIURL = %q; want none", c.Index.JSONAPIURL)
			}
		}},
		{"json api off", "index: {json_api_url: \"off\"}", func(t *testing.T, c *Config) {
			if c.Index.JSONAPIURL != "" {
				t.Errorf("JSONAPIURL = %q; want none", c.Index.JSONAPIURL)
			}
		}},
		{"json api explicit", "index: {json_api_url: https://json.example/pypi/}", func(t *testing.T, c *Config) {
			if c.Index.JSONAPIURL != "https://json.example/pypi" {
				t.Errorf("JSONAPIURL = %q", c.Index.JSONAPIURL)
			}
		}},
		{"python versions stay as written", "python: [3.10, \"3.9\"]", func(t *testing.T, c *Config) {
			if !reflect.DeepEqual(c.Python, []string{"3.10", "3.9"}) {
				t.Errorf("Python = %q", c.Python)
			}
		}},
		{"project keys", `
gitlab: {url: "https://gitlab.example.com/"}
projects:
  - path: g/a
    yaml: "off"
    labels: []
    automerge: [Minor, patch]
    dashboard: {enabled: false, label: ""}
    schedule: {days: [MON, friday], timezone: America/New_York, hours: 9-17}
    limits: {open_mrs: 0}
  - path: "123"
    yaml: ""
`, func(t *testing.T, c *Config) {
			p := c.Projects[0]
			if p.YAML != "" || len(p.Labels) != 0 || !p.Automerges(Minor) || !p.Automerges(Patch) ||
				p.Dashboard.Enabled || p.Dashboard.Title != "Dependency Dashboard" || p.Dashboard.Label != "" ||
				p.Limits != (Limits{OpenMRs: 0, NewMRsPerRun: 5}) ||
				!reflect.DeepEqual(p.Schedule.Days, []time.Weekday{time.Monday, time.Friday}) ||
				p.Schedule.Location.String() != "America/New_York" || p.Schedule.Hours != (HourRange{9, 17}) {
				t.Errorf("project = %+v", p)
			}
			if c.Projects[1].YAML != DefaultYAML {
				t.Errorf("yaml \"\" = %q; want the default", c.Projects[1].YAML)
			}
			if c.GitLab.URL != "https://gitlab.example.com" {
				t.Errorf("GitLab.URL = %q; want no trailing slash", c.GitLab.URL)
			}
		}},
		{"aliases resolve", `
log: &l {format: text, level: debug}
`, func(t *testing.T, c *Config) {
			if c.Log.Format != "text" || c.Log.Level != logrus.DebugLevel {
				t.Errorf("Log = %+v", c.Log)
			}
		}},
		{"merge keys share project settings", `
gitlab: {url: https://g.example}
x-defaults: &defaults
  labels: [deps]
  schedule: {days: [mon], timezone: Europe/Prague}
projects:
  - <<: *defaults
    path: g/a
  - <<: *defaults
    path: g/b
    labels: [other]
`, func(t *testing.T, c *Config) {
			a, b := c.Projects[0], c.Projects[1]
			if !reflect.DeepEqual(a.Labels, []string{"deps"}) || !reflect.DeepEqual(b.Labels, []string{"other"}) {
				t.Errorf("labels = %q, %q; want [deps], [other]", a.Labels, b.Labels)
			}
			for _, p := range c.Projects {
				if p.Schedule.Location.String() != "Europe/Prague" || !reflect.DeepEqual(p.Schedule.Days, []time.Weekday{time.Monday}) {
					t.Errorf("%s schedule = %+v", p.Path, p.Schedule)
				}
			}
		}},
		{"null keeps the default", "index: {timeout: , concurrency: null}\ncron:\n", func(t *testing.T, c *Config) {
			if c.Index.Concurrency != 128 || time.Duration(c.Index.Timeout) != 30*time.Second || c.Cron.String() != "@hourly" {
				t.Errorf("Index = %+v, Cron = %q", c.Index, c.Cron)
			}
		}},
		{"cron with a zone", `cron: "TZ=Europe/Prague 0 9 * * 1-5"`, func(t *testing.T, c *Config) {
			if c.Cron.String() != "TZ=Europe/Prague 0 9 * * 1-5" {
				t.Errorf("Cron = %q", c.Cron)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("c.yaml", []byte(tt.yaml))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			tt.check(t, c)
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // the error's lines, exactly
	}{
		{"syntax", "index:\n  url: [\n", []string{
			"c.yaml:2: did not find expected node content",
		}},
		{"tab indentation", "index:\n\turl: x\n", []string{
			"c.yaml:2: found character that cannot start any token",
		}},
		{"second document", "cron: '@daily'\n---\ncron: '@hourly'\n", []string{
			"c.yaml:2: a second YAML document; a config file holds one",
		}},
		{"unknown keys, with a hint", "indx: {}\nindex: {urll: x, zzz: 1}\n", []string{
			`c.yaml:1: indx: unknown key (did you mean "index"?)`,
			`c.yaml:2: index.urll: unknown key (did you mean "url"?)`,
			`c.yaml:2: index.zzz: unknown key`,
		}},
		{"repeated key", "cron: '@daily'\ncron: '@hourly'\n", []string{
			"c.yaml:2: cron: repeated key (first at line 1)",
		}},
		{"merge errors", `
x-bad: &bad {pth: g/a}
x-scalar: &scalar hello
gitlab: {url: https://g.example}
projects:
  - <<: *bad
    path: g/a
  - <<: *scalar
    path: g/b
`, []string{
			`c.yaml:2: projects[0].pth: unknown key (did you mean "path"?)`,
			`c.yaml:3: projects[1].<<: expected a mapping to merge, got "hello"`,
		}},
		{"wrong types", `
index: {concurrency: many, retries: 1.5, timeout: [1s]}
python: "3.11"
packages: {name: x}
log: text
projects:
  - path: g/a
    dashboard: {enabled: yes please}
    labels: [{a: b}]
gitlab: {url: https://g.example}
`, []string{
			`c.yaml:2: index.concurrency: expected a whole number, got "many"`,
			`c.yaml:2: index.retries: expected a whole number, got "1.5"`,
			`c.yaml:2: index.timeout: expected a single value, got a list`,
			`c.yaml:3: python: expected a list, got "3.11"`,
			`c.yaml:4: packages: expected a list, got a mapping`,
			`c.yaml:5: log: expected a mapping, got "text"`,
			`c.yaml:8: projects[0].dashboard.enabled: expected true or false, got "yes please"`,
			`c.yaml:9: projects[0].labels[0]: expected a single value, got a mapping`,
		}},
		{"index values", `
index:
  url: ftp://pypi.example/simple
  json_api_url: https://pypi.example/pypi?x=1
  concurrency: 0
  timeout: 0s
  retries: -1
  username_env: "my user"
`, []string{
			`c.yaml:3: index.url: "ftp://pypi.example/simple" is not an http or https URL`,
			`c.yaml:4: index.json_api_url: "https://pypi.example/pypi?x=1" must not have a query or fragment`,
			`c.yaml:5: index.concurrency: must be at least 1, got 0`,
			`c.yaml:6: index.timeout: must be more than 0`,
			`c.yaml:7: index.retries: must be at least 0, got -1`,
			`c.yaml:8: index.username_env: must be the name of an environment variable (letters, digits and _), not the secret itself`,
		}},
		{"durations", `
packages:
  - {name: a, minimum_release_age: 3 days}
  - {name: b, minimum_release_age: -1d}
  - {name: c, minimum_release_age: 1x}
`, []string{
			`c.yaml:3: packages[0].minimum_release_age: invalid duration "3 days" (want e.g. 90m, 36h, 3d, 1w2d)`,
			`c.yaml:4: packages[1].minimum_release_age: duration "-1d" must not have a sign`,
			`c.yaml:5: packages[2].minimum_release_age: unknown unit "x" in duration "1x" (want ms, s, m, h, d or w)`,
		}},
		{"package rules", `
packages:
  - name: Django
    allowed: "<5"
  - name: django_
  - name: DJANGO
    allowed: "5"
  - allowed: ">1="
  - name: ""
`, []string{
			`c.yaml:5: packages[1].name: "django_" is not a valid Python package name`,
			`c.yaml:6: packages[2].name: "DJANGO" has a rule already at packages[0].name (line 3)`,
			`c.yaml:7: packages[2].allowed: "5" is not a PEP 440 specifier set, like "<5" or ">=1.2,!=1.3.0" (parse specifiers "5": parse specifier "5": no operator: invalid PEP 440 version specifier)`,
			`c.yaml:8: packages[3].allowed: ">1=" is not a PEP 440 specifier set, like "<5" or ">=1.2,!=1.3.0" (parse specifiers ">1=": parse specifier ">1=": invalid PEP 440 version specifier: parse version "1=": invalid PEP 440 version)`,
			`c.yaml:8: packages[3].name: required`,
			`c.yaml:9: packages[4].name: "" is not a valid Python package name`,
		}},
		{"top-level values", `
python: ["3.11", "3.x"]
state: ""
cron: "every hour"
listen: "9090"
webhook_secret_env: "s3cr3t-value!"
log: {format: xml, level: loud}
`, []string{
			`c.yaml:2: python[1]: "3.x" is not a Python version (want digits and dots, like "3.11")`,
			`c.yaml:3: state: must not be empty`,
			`c.yaml:4: cron: invalid cron expression "every hour": expected exactly 5 fields, found 2: [every hour]`,
			`c.yaml:5: listen: "9090" is not host:port (like ":9090")`,
			`c.yaml:6: webhook_secret_env: must be the name of an environment variable (letters, digits and _), not the secret itself`,
			`c.yaml:7: log.format: unknown log format "xml" (want json or text)`,
			`c.yaml:7: log.level: unknown log level "loud" (want error, warn, info, debug or trace)`,
		}},
		{"cron zone without a spec", `cron: "TZ=Europe/Prague"`, []string{
			`c.yaml:1: cron: invalid cron expression "TZ=Europe/Prague"`,
		}},
		{"invalid UTF-8", "cron: \"\xff\"\n", []string{
			`c.yaml:1: invalid leading UTF-8 octet`,
		}},
		{"gitlab", `
gitlab: {url: https://gitlab.example.com/api/v4, token_env: ""}
`, []string{
			`c.yaml:2: gitlab.url: "https://gitlab.example.com/api/v4" is the API URL; give the instance's base URL (pinwheel adds /api/v4)`,
			`c.yaml:2: gitlab.token_env: must be the name of an environment variable (letters, digits and _), not the secret itself`,
		}},
		{"projects need gitlab", "projects:\n  - path: g/a\n", []string{
			`c.yaml:1: gitlab.url: required when projects are configured`,
		}},
		{"a bad gitlab.url is reported once", "gitlab: {url: not-a-url}\nprojects:\n  - path: g/a\n", []string{
			`c.yaml:1: gitlab.url: "not-a-url" is not an http or https URL`,
		}},
		{"a bad gitlab.url with a bot", "gitlab: {url: not-a-url}\nbot:\n  trigger_project: g/p\n  trigger_ref: main\n  packages: [{project: g/l, name: l}]\n", []string{
			`c.yaml:1: gitlab.url: "not-a-url" is not an http or https URL`,
		}},
		{"project values", `
gitlab: {url: https://g.example}
projects:
  - path: /g/a
    branch: "main branch"
    constraints: ../constraints.txt
    yaml: /abs.yml
    branch_prefix: ""
    labels: ["a,b", ""]
    dashboard: {title: ""}
    schedule: {days: [], timezone: Mars/Olympus, hours: "9-25"}
    limits: {open_mrs: -1, new_mrs_per_run: -2}
    automerge: [patch, everything]
  - path: G/App
  - path: g/app
  - {}
`, []string{
			`c.yaml:4: projects[0].path: "/g/a" is not a GitLab project path (want namespace/project, like "group/app", or a numeric ID)`,
			`c.yaml:5: projects[0].branch: "main branch" is not a valid git branch name`,
			`c.yaml:6: projects[0].constraints: "../constraints.txt" is not a clean path inside the repository (like "constraints.txt")`,
			`c.yaml:7: projects[0].yaml: "/abs.yml" is not a clean path inside the repository (like "constraints.txt")`,
			`c.yaml:8: projects[0].branch_prefix: must not be empty: pinwheel finds its branches by this prefix`,
			`c.yaml:9: projects[0].labels[0]: "a,b": a label must not contain a comma`,
			`c.yaml:9: projects[0].labels[1]: must not be empty`,
			`c.yaml:10: projects[0].dashboard.title: must not be empty`,
			`c.yaml:11: projects[0].schedule.days: list at least one day`,
			`c.yaml:11: projects[0].schedule.timezone: unknown time zone "Mars/Olympus" (want an IANA name like Europe/Prague)`,
			`c.yaml:11: projects[0].schedule.hours: hours "9-25" must have 0 <= START < END <= 24`,
			`c.yaml:12: projects[0].limits.open_mrs: must be at least 0, got -1`,
			`c.yaml:12: projects[0].limits.new_mrs_per_run: must be at least 0, got -2`,
			`c.yaml:13: projects[0].automerge[1]: unknown update type "everything" (want major, minor or patch)`,
			`c.yaml:15: projects[2].path: "g/app" is listed already at projects[1].path (line 14)`,
			`c.yaml:16: projects[3].path: required`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("c.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", cfg)
			}
			if cfg != nil {
				t.Errorf("Parse returned a config with its error")
			}
			got := strings.Split(err.Error(), "\n")
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("errors:\n%s\nwant:\n%s", err, strings.Join(tt.want, "\n"))
			}
			var e *Error
			if !errors.As(err, &e) || e.File != "c.yaml" || e.Line == 0 {
				t.Errorf("errors.As(*Error) = %+v", e)
			}
		})
	}
}

// Secrets pasted into the wrong key must not come back in messages.
func TestErrorsDoNotEchoSecrets(t *testing.T) {
	const secret = "glpat-Sup3rS3cret"
	yaml := `
index: {url: "https://user:` + secret + `@pypi.example/simple", password_env: "` + secret + `"}
gitlab: {url: "https://oauth2:` + secret + `@gitlab.example.com", token_env: "` + secret + `"}
webhook_secret_env: "` + secret + `"
`
	_, err := Parse("c.yaml", []byte(yaml))
	if err == nil {
		t.Fatal("Parse succeeded")
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("an error repeats the secret:\n%s", err)
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != 5 {
		t.Errorf("got %d errors; want 5:\n%s", n, err)
	}
}

func TestSetIndexURL(t *testing.T) {
	tests := []struct {
		raw, wantJSON, wantErr string
	}{
		{"https://mirror.example/simple/", "https://mirror.example/pypi", ""},
		{"https://devpi.example/root/+simple/", "", ""},
		{"ftp://x", "", "not an http or https URL"},
		{"https://user:hunter2@mirror.example/simple", "", "must not contain credentials"},
	}
	for _, tc := range tests {
		c := Default()
		c.Index.JSONAPIURL = "https://explicit.example/pypi"
		err := c.SetIndexURL(tc.raw)
		switch {
		case tc.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || strings.Contains(err.Error(), "hunter2") {
				t.Errorf("SetIndexURL(%q) = %v, want an error containing %q and no password", tc.raw, err, tc.wantErr)
			}
		case err != nil:
			t.Errorf("SetIndexURL(%q): %v", tc.raw, err)
		case c.Index.URL != tc.raw || c.Index.JSONAPIURL != tc.wantJSON:
			t.Errorf("SetIndexURL(%q): url %q, json api %q; want json api %q", tc.raw, c.Index.URL, c.Index.JSONAPIURL, tc.wantJSON)
		}
	}
}

// TestReadmeConfigParses keeps README.md's "A minimal daemon config" a
// config pinwheel accepts, with the values it shows.
func TestReadmeConfigParses(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "A minimal daemon config:\n\n```yaml\n")
	if !ok {
		t.Fatal(`README.md lacks "A minimal daemon config:" and its yaml block`)
	}
	block, _, _ := strings.Cut(rest, "```")
	cfg, err := Parse("README.md", []byte(block))
	if err != nil {
		t.Fatalf("README's config: %v", err)
	}
	if len(cfg.Projects) != 1 || cfg.Projects[0].Limits.NewMRsPerRun != 5 || !cfg.Projects[0].Automerges(Patch) ||
		cfg.GitLab.TokenEnv != "GITLAB_TOKEN" || len(cfg.Packages) != 2 {
		t.Errorf("README's config read as %+v", cfg)
	}
}

// --index-url points at another index; a JSON API the file turned off
// stays off (the mirror may not have one, or the user may not want it).
func TestSetIndexURLKeepsJSONAPIOff(t *testing.T) {
	tests := []struct {
		file, flag, wantJSON string
	}{
		{"index: {json_api_url: off}\n", "https://mirror.example/simple", ""},
		{"index: {url: \"https://a.example/simple\", json_api_url: off}\n", "https://b.example/simple", ""},
		{"index: {url: \"https://a.example/simple\"}\n", "https://b.example/simple", "https://b.example/pypi"},
	}
	for _, tc := range tests {
		c, err := Parse("pinwheel.yaml", []byte(tc.file))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.SetIndexURL(tc.flag); err != nil {
			t.Fatal(err)
		}
		if c.Index.JSONAPIURL != tc.wantJSON {
			t.Errorf("%q then --index-url %s: JSON API %q, want %q", tc.file, tc.flag, c.Index.JSONAPIURL, tc.wantJSON)
		}
	}
}
