package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/pinwheel-dev/pinwheel/pep440"

	"github.com/pinwheel-dev/pinwheel/pkgname"
)

// The checks below validate one value each. Their messages never repeat a
// value that might be a secret (an env var key holding a token, a URL with
// a password in it).

var errEmpty = errors.New("must not be empty")

func checkNonEmpty(s string) error {
	if strings.TrimSpace(s) == "" {
		return errEmpty
	}
	return nil
}

var pythonVersion = regexp.MustCompile(`^[0-9]+(\.[0-9]+)*$`)

func checkPython(v string) error {
	if !pythonVersion.MatchString(v) {
		return fmt.Errorf("%q is not a Python version (want digits and dots, like \"3.11\")", v)
	}
	return nil
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// checkEnvName accepts the name of an environment variable. The message
// does not quote the value: a user may have pasted the secret itself.
func checkEnvName(allowEmpty bool) func(string) error {
	return func(name string) error {
		if name == "" && allowEmpty {
			return nil
		}
		if !envName.MatchString(name) {
			return errors.New("must be the name of an environment variable (letters, digits and _), not the secret itself")
		}
		return nil
	}
}

// checkHTTPURL accepts an absolute http(s) URL without credentials;
// credHint names the keys that hold credentials instead.
func checkHTTPURL(credHint string) func(string) error {
	return func(raw string) error {
		u, err := url.Parse(raw)
		if err != nil {
			// url.Error quotes the URL, which may hold a password.
			return errors.New("not a valid URL")
		}
		if u.User != nil {
			return fmt.Errorf("must not contain credentials; use %s", credHint)
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			return fmt.Errorf("%q is not an http or https URL", raw)
		}
		if u.Host == "" {
			return fmt.Errorf("%q has no host", raw)
		}
		if u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("%q must not have a query or fragment", raw)
		}
		return nil
	}
}

func checkJSONAPIURL(raw string) error {
	if raw == "" || raw == off {
		return nil
	}
	return checkHTTPURL("username_env and password_env")(raw)
}

func checkGitLabURL(raw string) error {
	if err := checkHTTPURL("token_env")(raw); err != nil {
		return err
	}
	if strings.HasSuffix(strings.TrimSuffix(raw, "/"), "/api/v4") {
		return fmt.Errorf("%q is the API URL; give the instance's base URL (pinwheel adds /api/v4)", raw)
	}
	return nil
}

func checkListen(addr string) error {
	if addr == "" {
		return nil
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not host:port (like \":9090\")", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%q has no valid port number", addr)
	}
	return nil
}

func checkPackageName(name string) error {
	if !pkgname.Valid(name) {
		return fmt.Errorf("%q is not a valid Python package name", name)
	}
	return nil
}

// checkSpecifiers parses a PEP 440 specifier set, so a bad "allowed" rule
// fails at load time with its line rather than at the first look-up.
// See https://peps.python.org/pep-0440/#version-specifiers.
func checkSpecifiers(set string) error {
	if strings.TrimSpace(set) == "" {
		return errors.New(`must not be empty (a PEP 440 specifier set, like "<5" or ">=1.2,!=1.3.0")`)
	}
	if _, err := pep440.ParseSpecifiers(set); err != nil {
		return fmt.Errorf("%q is not a PEP 440 specifier set, like \"<5\" or \">=1.2,!=1.3.0\" (%w)", set, err)
	}
	return nil
}

var (
	numericID   = regexp.MustCompile(`^[0-9]+$`)
	projectPath = regexp.MustCompile(`^[A-Za-z0-9_.][A-Za-z0-9_.-]*(/[A-Za-z0-9_.][A-Za-z0-9_.-]*)+$`)
)

func checkProjectPath(p string) error {
	if numericID.MatchString(p) || projectPath.MatchString(p) {
		return nil
	}
	return fmt.Errorf("%q is not a GitLab project path (want namespace/project, like \"group/app\", or a numeric ID)", p)
}

// checkBranch applies the parts of git-check-ref-format that a config
// typo is likely to break. A prefix may end in "/"; a branch may not.
func checkBranch(isBranch bool) func(string) error {
	return func(b string) error {
		if b == "" {
			if isBranch {
				return nil
			}
			return errors.New("must not be empty: pinwheel finds its branches by this prefix")
		}
		bad := strings.ContainsAny(b, " ~^:?*[\\\t\n") || strings.Contains(b, "..") ||
			strings.Contains(b, "//") || strings.Contains(b, "@{") ||
			strings.HasPrefix(b, "/") || strings.HasPrefix(b, "-") ||
			strings.HasSuffix(b, ".lock") || (isBranch && strings.HasSuffix(b, "/"))
		if bad {
			return fmt.Errorf("%q is not a valid git branch name", b)
		}
		return nil
	}
}

func checkRepoPath(p string) error {
	if p == "" || path.IsAbs(p) || path.Clean(p) != p || p == ".." || strings.HasPrefix(p, "../") {
		return fmt.Errorf("%q is not a clean path inside the repository (like \"constraints.txt\")", p)
	}
	return nil
}

func checkOptionalRepoPath(p string) error {
	if p == "" || p == off {
		return nil
	}
	return checkRepoPath(p)
}

// checkLabel refuses commas: GitLab's API takes label lists comma-separated.
func checkLabel(l string) error {
	if strings.TrimSpace(l) == "" {
		return errEmpty
	}
	if strings.Contains(l, ",") {
		return fmt.Errorf("%q: a label must not contain a comma", l)
	}
	return nil
}

func checkOptionalLabel(l string) error {
	if l == "" {
		return nil
	}
	return checkLabel(l)
}
