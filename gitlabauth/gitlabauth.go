// Package gitlabauth finds the GitLab token a pinwheel CI command runs
// with and presents it the way GitLab expects: to the REST API as a header
// (client-go), to git as the user name and password of HTTPS basic auth.
//
// Every command reads the token the same way (see FromLookupEnv): from the
// environment only, so it never sits on a command line or in a CI log. The
// package also owns keeping the token out of text (Scrub, ScrubErr; URLs
// with user info go through package internal/redact). It does not own where the token is used: deploy hands it to
// git through a credential helper, prepare to the API for data projects.
// The daemon's configured token (config.GitLab.TokenEnv) is read with
// FromVar. NewClient is the one constructor of GitLab clients, so run,
// daemon, prepare and deploy send the same User-Agent and retry alike.
package gitlabauth

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"

	"github.com/pinwheel-dev/pinwheel/internal/redact"
)

// Kind tells how GitLab expects a token to be presented.
type Kind int

const (
	// PersonalToken is a personal, project or group access token: API
	// header PRIVATE-TOKEN, git user name "oauth2".
	PersonalToken Kind = iota
	// JobToken is a CI job token: API header JOB-TOKEN, git user name
	// "gitlab-ci-token".
	// https://docs.gitlab.com/ci/jobs/ci_job_token/
	JobToken
)

// Credentials is a GitLab token and how to present it. The zero value is
// "no token" (anonymous access to public projects). Its String method never
// shows the token, so it is safe to log.
type Credentials struct {
	Token string
	Kind  Kind
	// Source names the environment variable the token came from.
	Source string
}

// ErrNoToken is returned by FromLookupEnv when no variable holds a token usable
// for the instance.
var ErrNoToken = errors.New("no GitLab token: set PINWHEEL_GITLAB_TOKEN, GITLAB_TOKEN or CI_JOB_TOKEN")

// Vars is the lookup order of FromLookupEnv: the most specific name first, and
// the job token last because it is always present in CI jobs but has the
// fewest rights.
var Vars = []string{"PINWHEEL_GITLAB_TOKEN", "GITLAB_TOKEN", "CI_JOB_TOKEN"}

// FromLookupEnv returns the first non-empty token among PINWHEEL_GITLAB_TOKEN,
// GITLAB_TOKEN and CI_JOB_TOKEN, read with lookup (os.LookupEnv in
// production), for the GitLab instance at baseURL. When none is usable
// but one of them is set to an empty value, the error (still ErrNoToken)
// says so: an empty CI/CD variable is a common slip.
//
// A job token is only valid on the instance that ran the job, so
// CI_JOB_TOKEN is used only when CI_SERVER_URL, which GitLab sets beside
// it, has the same origin (scheme, host and port) as baseURL: it is never
// sent to a third party, nor over plain http to an instance reached by
// https. Without CI_SERVER_URL pinwheel cannot tell who issued the token,
// so it is not used. When that leaves no token, the error (still
// ErrNoToken) says why the job token was passed over.
//
// https://docs.gitlab.com/ci/variables/predefined_variables/
func FromLookupEnv(lookup func(string) (string, bool), baseURL string) (Credentials, error) {
	var (
		empty   []string
		skipped string
	)
	for _, name := range Vars {
		raw, set := lookup(name)
		tok := strings.TrimSpace(raw)
		if tok == "" {
			if set {
				empty = append(empty, name)
			}
			continue
		}
		if name != "CI_JOB_TOKEN" {
			return Credentials{Token: tok, Kind: PersonalToken, Source: name}, nil
		}
		server, _ := lookup("CI_SERVER_URL")
		server = strings.TrimSpace(server)
		switch {
		case server == "":
			skipped = "CI_JOB_TOKEN is not used: CI_SERVER_URL, the instance that issued it, is not set"
			continue
		case !sameOrigin(server, baseURL):
			skipped = fmt.Sprintf("CI_JOB_TOKEN is not used: it is only sent to CI_SERVER_URL %s, not to %s",
				redact.URLs(origin(server)), redact.URLs(origin(baseURL)))
			continue
		}
		return Credentials{Token: tok, Kind: JobToken, Source: name}, nil
	}
	var why []string
	if len(empty) > 0 {
		verb := "is"
		if len(empty) > 1 {
			verb = "are"
		}
		why = append(why, fmt.Sprintf("%s %s empty", strings.Join(empty, ", "), verb))
	}
	if skipped != "" {
		why = append(why, skipped)
	}
	if len(why) > 0 {
		return Credentials{}, fmt.Errorf("%w (%s)", ErrNoToken, strings.Join(why, "; "))
	}
	return Credentials{}, ErrNoToken
}

// FromVar reads the token of a configured variable (the daemon's
// gitlab.token_env) with lookup (os.LookupEnv in production). Its errors
// say whether the variable is not set or set but empty.
func FromVar(lookup func(string) (string, bool), name string) (Credentials, error) {
	if name == "" {
		return Credentials{}, errors.New("no variable is named for the GitLab token (gitlab.token_env)")
	}
	raw, set := lookup(name)
	switch tok := strings.TrimSpace(raw); {
	case !set:
		return Credentials{}, fmt.Errorf("the GitLab token: environment variable %s is not set (gitlab.token_env)", name)
	case tok == "":
		return Credentials{}, fmt.Errorf("the GitLab token: environment variable %s is empty (gitlab.token_env)", name)
	default:
		return Credentials{Token: tok, Kind: PersonalToken, Source: name}, nil
	}
}

// sameOrigin reports whether a and b are absolute http(s) URLs of the same
// origin (RFC 6454: scheme, host and port), with a default port written or
// not: https://h and https://h:443 are one origin, https://h and http://h
// are two.
func sameOrigin(a, b string) bool {
	oa, oka := originOf(a)
	ob, okb := originOf(b)
	return oka && okb && oa == ob
}

// originOf returns u's scheme://host:port in lower case with the port
// always written, and false when u is not an absolute http(s) URL.
func originOf(raw string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Hostname() == "" {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	switch {
	case scheme == "https" && port == "":
		port = "443"
	case scheme == "http" && port == "":
		port = "80"
	case scheme != "https" && scheme != "http":
		return "", false
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port), true
}

// origin is raw without its path, query and user info, for messages; raw
// itself when it does not parse.
func origin(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return raw
	}
	return u.Scheme + "://" + u.Host
}

// GitUser is the user name GitLab expects next to the token over HTTPS.
func (c Credentials) GitUser() string {
	if c.Kind == JobToken {
		return "gitlab-ci-token"
	}
	return "oauth2"
}

// String says where the token came from, never the token.
func (c Credentials) String() string {
	if c.Token == "" {
		return "no token"
	}
	return "token from " + c.Source
}

// Format prints c with any verb as String does; %+v and %#v add the
// fields, the token as redact.Mask. So a credential logged or wrapped by
// mistake (logrus's text formatter, fmt, %#v in a test) redacts itself.
func (c Credentials) Format(f fmt.State, verb rune) {
	if verb == 'v' && (f.Flag('+') || f.Flag('#')) {
		fmt.Fprintf(f, "gitlabauth.Credentials{Token:%s, Kind:%d, Source:%q}", c.masked(), c.Kind, c.Source)
		return
	}
	_, _ = io.WriteString(f, c.String())
}

// MarshalJSON shows the token as redact.Mask (logrus's JSON formatter
// marshals field values).
func (c Credentials) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Token  string `json:"token"`
		Kind   Kind   `json:"kind"`
		Source string `json:"source"`
	}{c.masked(), c.Kind, c.Source})
}

func (c Credentials) masked() string {
	if c.Token == "" {
		return ""
	}
	return redact.Mask
}

// Scrub replaces the token with redact.Mask in text that is about to be
// shown or wrapped into an error.
func (c Credentials) Scrub(s string) string {
	if c.Token == "" {
		return s
	}
	return strings.ReplaceAll(s, c.Token, redact.Mask)
}

// ScrubErr flattens err to its scrubbed text when the text shows the
// token, and returns it unchanged (still unwrappable) otherwise.
func (c Credentials) ScrubErr(err error) error {
	if err == nil || c.Token == "" || !strings.Contains(err.Error(), c.Token) {
		return err
	}
	return errors.New(c.Scrub(err.Error()))
}
