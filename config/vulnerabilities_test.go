package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestVulnerabilities(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       Vulnerabilities
	}{
		{"default", "", Vulnerabilities{Source: VulnPyPI, OSVURL: "https://api.osv.dev", Labels: []string{"security"}}},
		{"empty section", "vulnerabilities:\n", Vulnerabilities{Source: VulnPyPI, OSVURL: "https://api.osv.dev", Labels: []string{"security"}}},
		{"osv", "vulnerabilities:\n  source: osv\n  osv_url: http://127.0.0.1:8080/osv/\n  labels: [security, urgent]\n",
			Vulnerabilities{Source: VulnOSV, OSVURL: "http://127.0.0.1:8080/osv", Labels: []string{"security", "urgent"}}},
		{"off, no labels", "vulnerabilities: {source: off, labels: []}\n", Vulnerabilities{Source: VulnOff, OSVURL: "https://api.osv.dev", Labels: []string{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("c.yaml", []byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(cfg.Vulnerabilities, tt.want) {
				t.Errorf("got %+v, want %+v", cfg.Vulnerabilities, tt.want)
			}
		})
	}
}

func TestVulnerabilitiesErrors(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"vulnerabilities:\n  source: OSV\n", `c.yaml:2: vulnerabilities.source: "OSV" is not a source; use osv, pypi or off`},
		{"vulnerabilities:\n  sources: osv\n", `c.yaml:2: vulnerabilities.sources: unknown key (did you mean "source"?)`},
		{"vulnerabilities:\n  osv_url: https://u:secret@osv.example\n", "c.yaml:2: vulnerabilities.osv_url: must not contain credentials; OSV needs none"},
		{"vulnerabilities:\n  osv_url: https://api.osv.dev/v1\n", `c.yaml:2: vulnerabilities.osv_url: "https://api.osv.dev/v1" ends in /v1; give the API root`},
		{"vulnerabilities:\n  osv_url: api.osv.dev\n", `c.yaml:2: vulnerabilities.osv_url: "api.osv.dev" is not an http or https URL`},
		{"vulnerabilities:\n\n  labels: [\"a,b\"]\n", `c.yaml:3: vulnerabilities.labels[0]: "a,b": a label must not contain a comma`},
		{"vulnerabilities: osv\n", `c.yaml:1: vulnerabilities: expected a mapping, got "osv"`},
		{"vulnerabilities:\n  labels: security\n", `c.yaml:2: vulnerabilities.labels: expected a list, got "security"`},
	}
	for _, tt := range tests {
		_, err := Parse("c.yaml", []byte(tt.yaml))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) = %v\nwant an error containing %q", tt.yaml, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("the error echoes the password: %v", err)
		}
	}
}
