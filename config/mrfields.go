package config

import (
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// MRFields are what a project's new merge requests get besides their
// title, description and labels.
type MRFields struct {
	// Reviewers and Assignees are GitLab usernames; pinwheel resolves them
	// to user ids once per process. GitLab Free keeps only the first of
	// each (several are a Premium feature).
	Reviewers []string
	Assignees []string
}

func (d *decoder) mrFields(f *MRFields) map[string]field {
	return map[string]field{
		"reviewers": d.usernames(&f.Reviewers),
		"assignees": d.usernames(&f.Assignees),
	}
}

// usernames reads a list of GitLab usernames, each once (any case: GitLab
// usernames are case-insensitive).
func (d *decoder) usernames(dst *[]string) field {
	return func(n *yaml.Node, path string) {
		d.strs(dst, checkUsername)(n, path)
		if n.Kind != yaml.SequenceNode {
			return
		}
		seen := map[string]string{}
		for i, name := range *dst {
			if name != "" {
				p := fmt.Sprintf("%s[%d]", path, i)
				d.lines[p] = n.Content[i].Line
				d.unique(n.Content[i], p, name, strings.ToLower(name), seen, "is listed already")
			}
		}
	}
}

// username follows GitLab's rule for namespace paths: letters, digits,
// "_", "-" and ".", not starting with "-".
var username = regexp.MustCompile(`^[A-Za-z0-9_.][A-Za-z0-9_.-]*$`)

// IsUsername reports whether name can be a GitLab username.
func IsUsername(name string) bool {
	return username.MatchString(name) && len(name) <= 255
}

func checkUsername(name string) error {
	if strings.HasPrefix(name, "@") {
		return fmt.Errorf("%q: write the username without the @", name)
	}
	if !IsUsername(name) {
		return fmt.Errorf("%q is not a GitLab username", name)
	}
	return nil
}
