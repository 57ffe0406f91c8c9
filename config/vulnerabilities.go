package config

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Vulnerabilities says where pinwheel reads known vulnerabilities of the
// pinned versions from.
type Vulnerabilities struct {
	Source VulnSource
	// OSVURL is OSV's API root (without /v1 and without a trailing slash),
	// used when Source is VulnOSV.
	OSVURL string
	// Labels go on security merge requests, besides the project's labels.
	Labels []string
}

// VulnSource is a source of vulnerability data.
type VulnSource string

// The vulnerability sources.
const (
	// VulnOSV asks OSV: one querybatch for all pins of a run, then the
	// records it lists (package osv).
	VulnOSV VulnSource = "osv"
	// VulnPyPI reads the "vulnerabilities" field of PyPI's JSON API for the
	// pinned version, which PyPI fills from OSV. The default: it is what
	// pinwheel did before the OSV source existed.
	VulnPyPI VulnSource = "pypi"
	// VulnOff reads no vulnerability data.
	VulnOff VulnSource = "off"
)

// DefaultOSVURL is OSV's public API.
const DefaultOSVURL = "https://api.osv.dev"

func defaultVulnerabilities() Vulnerabilities {
	return Vulnerabilities{Source: VulnPyPI, OSVURL: DefaultOSVURL, Labels: []string{"security"}}
}

func (d *decoder) vulnerabilities(n *yaml.Node, path string, v *Vulnerabilities) {
	var source string
	d.mapping(n, path, map[string]field{
		"source":  d.str(&source, checkVulnSource),
		"osv_url": d.str(&v.OSVURL, checkOSVURL),
		"labels":  d.strs(&v.Labels, checkLabel),
	})
	if source != "" {
		v.Source = VulnSource(source)
	}
	v.OSVURL = strings.TrimSuffix(v.OSVURL, "/")
}

func checkVulnSource(s string) error {
	switch VulnSource(s) {
	case VulnOSV, VulnPyPI, VulnOff:
		return nil
	}
	return fmt.Errorf("%q is not a source; use osv, pypi or off", s)
}

// checkOSVURL takes the API root: OSV needs no credentials, and pinwheel
// adds /v1/... itself.
func checkOSVURL(raw string) error {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		return errors.New("must not contain credentials; OSV needs none")
	}
	if err := checkHTTPURL("")(raw); err != nil {
		return err
	}
	if strings.HasSuffix(strings.TrimSuffix(raw, "/"), "/v1") {
		return fmt.Errorf("%q ends in /v1; give the API root (pinwheel adds /v1/querybatch)", raw)
	}
	return nil
}
