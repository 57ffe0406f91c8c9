package gitlabauth

import "regexp"

// userinfo matches the user info of every URL in a text: a CI job token or
// an access token pasted into an index, git or remote URL
// (https://gitlab-ci-token:TOKEN@host/, https://TOKEN@host/).
// See https://www.rfc-editor.org/rfc/rfc3986#section-3.2.1.
var userinfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)([^/\s@:'"]*)(:[^/\s@'"]*)?@`)

// RedactURL hides the secret in the user info of every URL in s: the
// password of user:password, or the whole user info when it is a single
// word (which for GitLab is a token). s may be one URL or free text such as
// a tool's output; anything else is left as it is.
func RedactURL(s string) string {
	return userinfo.ReplaceAllStringFunc(s, func(m string) string {
		sub := userinfo.FindStringSubmatch(m)
		if sub[3] != "" {
			return sub[1] + sub[2] + ":xxxxx@"
		}
		return sub[1] + "xxxxx@"
	})
}
