package prepare

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/pinwheel-dev/pinwheel/internal/redact"
	"github.com/pinwheel-dev/pinwheel/pkgname"
)

// projectPath matches a GitLab project path: two or more slash-separated
// segments of the characters GitLab allows in group and project paths (a
// segment starts with a letter, digit or underscore, which also rules out
// relative paths like ./dir).
var projectPath = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)+$`)

// IsProjectPath reports whether entry names a GitLab project (`group/name`,
// `group/sub/name`) rather than something pip understands on its own.
func IsProjectPath(entry string) bool {
	if strings.Contains(entry, "://") || strings.Contains(entry, "==") || strings.Contains(entry, "@") {
		return false
	}
	return projectPath.MatchString(entry)
}

// ProjectName is the last component of a GitLab project path, the name the
// project's Python package is expected to carry.
func ProjectName(path string) string {
	return path[strings.LastIndex(path, "/")+1:]
}

// Requirement is one entry of the package list after GitLab paths were
// expanded and overrides applied.
type Requirement struct {
	Entry    string `json:"entry"`              // as given in the package list
	Name     string `json:"name,omitempty"`     // project name, when known
	URL      string `json:"url,omitempty"`      // direct URL before ref resolution
	Override string `json:"override,omitempty"` // source of the override that set URL
	Commit   string `json:"commit,omitempty"`   // resolved commit of a git URL
}

// Pip is the requirement line handed to pip. Git URLs are pinned to the
// resolved commit so that the venv matches the input hash.
func (r Requirement) Pip() string {
	if r.URL == "" {
		return r.Entry
	}
	u := r.URL
	if r.Commit != "" {
		u = withGitRef(u, r.Commit)
	}
	if r.Name == "" {
		return u
	}
	// PEP 508 direct references need a host, which file:// URLs lack;
	// pip's older "#egg=" form names those.
	if strings.Contains(u, ":///") {
		if !strings.Contains(u, "#") {
			u += "#egg=" + r.Name
		}
		return u
	}
	return r.Name + " @ " + u
}

// Override replaces the URL of one package, from the environment
// (`<package>_pip_url`) or the command line (`--override name=URL`).
type Override struct {
	Name   string `json:"name"`
	URL    string `json:"url"`
	Source string `json:"source"` // "env NAME" or "flag"
}

// overrideKey is how override names are compared: the CI convention spells
// `cki-lib` as `cki_lib` in variable names, case-insensitively.
func overrideKey(name string) string {
	return strings.ReplaceAll(pkgname.Normalize(name), "-", "_")
}

const envOverrideSuffix = "_pip_url"

// resolveOverrides merges the `<package>_pip_url` variables of environ with
// the flag overrides (name → URL); a flag wins over a variable.
func resolveOverrides(environ []string, flags map[string]string) (map[string]Override, error) {
	out := map[string]Override{}
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || len(k) <= len(envOverrideSuffix) || !strings.EqualFold(k[len(k)-len(envOverrideSuffix):], envOverrideSuffix) || v == "" {
			continue
		}
		name := k[:len(k)-len(envOverrideSuffix)]
		out[overrideKey(name)] = Override{Name: name, URL: v, Source: "env " + k}
	}
	for name, u := range flags {
		if !pkgname.Valid(name) || u == "" {
			return nil, fmt.Errorf("%w: override %q=%q: want name=URL", ErrInvalidOptions, name, redact.URLs(u))
		}
		out[overrideKey(name)] = Override{Name: name, URL: u, Source: "flag"}
	}
	return out, nil
}

// requirements expands the package list: GitLab paths become git URLs on
// the production branch, and overrides replace the URL of the package they
// name. Flag overrides that match no package are an error (a typo would
// otherwise test the wrong thing); variables that match none are ignored,
// since CI environments carry overrides for other pipelines too.
func requirements(o *Options, overrides map[string]Override) ([]Requirement, []Override, error) {
	var reqs []Requirement
	used := map[string]bool{}
	for _, entry := range o.Packages {
		r := Requirement{Entry: entry}
		if IsProjectPath(entry) {
			r.Name = ProjectName(entry)
			r.URL = gitURL(o.GitLabURL, entry, o.ProductionBranch)
		} else {
			r.Name, r.URL = directReference(entry)
		}
		if r.Name != "" {
			if ov, ok := overrides[overrideKey(r.Name)]; ok {
				r.URL, r.Override = ov.URL, ov.Source
				used[overrideKey(r.Name)] = true
			}
		}
		reqs = append(reqs, r)
	}
	var applied []Override
	var unknown []string
	for k, ov := range overrides {
		switch {
		case used[k]:
			applied = append(applied, ov)
		case ov.Source == "flag":
			unknown = append(unknown, ov.Name)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, nil, fmt.Errorf("%w: --override names packages not in --packages: %s", ErrInvalidOptions, strings.Join(unknown, ", "))
	}
	sort.Slice(applied, func(i, j int) bool { return applied[i].Name < applied[j].Name })
	return reqs, applied, nil
}

// requirementName extracts the project name from a PEP 508 requirement
// (`name`, `name==1.2`, `name[extra]>=1`, `name @ URL`); it returns "" for
// a bare URL or path, whose name pip only learns by building it.
var requirementNameRE = regexp.MustCompile(`^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*([<>=!~;@ ]|$)`)

func requirementName(entry string) string {
	if strings.Contains(entry, "://") && !strings.Contains(entry, "@ ") {
		return ""
	}
	m := requirementNameRE.FindStringSubmatch(entry)
	if m == nil {
		return ""
	}
	return m[1]
}

// directReference splits a requirement into its project name and its URL,
// which is set only for a direct reference: a pip VCS URL
// (`git+https://host/p.git@ref#egg=name`, named by its egg fragment) or a
// PEP 508 `name @ URL`. Such git URLs get their ref resolved to a commit
// like the GitLab paths'. Anything pip alone understands (`name==1.2`, a
// URL with environment markers) keeps only the name, if any.
// See https://peps.python.org/pep-0508/ and
// https://pip.pypa.io/en/stable/topics/vcs-support/.
func directReference(entry string) (name, u string) {
	if strings.HasPrefix(entry, "git+") && !strings.ContainsAny(entry, " \t") {
		if _, frag, ok := strings.Cut(entry, "#"); ok {
			if v, err := url.ParseQuery(frag); err == nil && pkgname.Valid(v.Get("egg")) {
				name = v.Get("egg")
			}
		}
		return name, entry
	}
	name = requirementName(entry)
	if name == "" {
		return "", ""
	}
	if _, ref, ok := strings.Cut(entry, "@"); ok && strings.Contains(ref, "://") {
		ref = strings.TrimSpace(ref)
		if !strings.ContainsAny(ref, " \t;") {
			return name, ref
		}
	}
	return name, ""
}

// gitURL is the pip URL of a GitLab project's branch. base is the GitLab
// URL (https://gitlab.com) or any git base such as file:///srv/git.
func gitURL(base, path, branch string) string {
	return "git+" + strings.TrimRight(base, "/") + "/" + path + ".git@" + branch
}

// splitGitURL splits a pip VCS URL (`git+https://host/p.git@ref#egg=x`)
// into the URL git understands and the ref ("" for the default branch).
// See https://pip.pypa.io/en/stable/topics/vcs-support/.
func splitGitURL(pipURL string) (repo, ref string, ok bool) {
	if !strings.HasPrefix(pipURL, "git+") {
		return "", "", false
	}
	u := strings.TrimPrefix(pipURL, "git+")
	u, _, _ = strings.Cut(u, "#")
	scheme, rest, found := strings.Cut(u, "://")
	if !found {
		return "", "", false
	}
	// The ref follows an "@" in the path; an "@" before the first "/" is
	// the user-info separator.
	slash := strings.Index(rest, "/")
	if slash >= 0 {
		if at := strings.LastIndex(rest[slash:], "@"); at >= 0 {
			ref = rest[slash+at+1:]
			rest = rest[:slash+at]
		}
	}
	return scheme + "://" + rest, ref, true
}

// withGitRef replaces the ref of a pip VCS URL, keeping any fragment.
func withGitRef(pipURL, ref string) string {
	repo, _, ok := splitGitURL(pipURL)
	if !ok {
		return pipURL
	}
	out := "git+" + repo + "@" + ref
	if _, frag, found := strings.Cut(pipURL, "#"); found {
		out += "#" + frag
	}
	return out
}
