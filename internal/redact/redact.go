// Package redact hides the credentials of URLs in text that is about to be
// shown: an error, a log line, a dashboard, a manifest, a tool's output. It
// owns the one mask pinwheel shows in their place. It does not strip
// credentials from URLs that are used (a parsed url.URL's User field is for
// that), and it knows nothing of tokens outside URLs (gitlabauth scrubs
// those, with the same Mask).
package redact

import (
	"regexp"
	"strings"
)

// Mask stands where a secret was: net/url's URL.Redacted mask, so the
// messages net/http writes and ours look alike.
const Mask = "xxxxx"

// scheme finds the start of every URL in a text (RFC 3986 section 3.1).
var scheme = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://`)

// URLs hides the user info of every URL in s, user name and password
// alike: a user name may be the token itself (GitLab takes a token as
// either), and which one is which is not the text's to tell. s may be one
// URL or free text; a text without user info comes back as it is.
//
// People paste tokens as they are, so a password may hold a raw "/", "?",
// "#" or "@" that RFC 3986 wants percent-encoded. Where the text cannot say
// which "@" ends the user info, the mask reaches to the last one: an
// over-masked URL in a message is better than a token.
func URLs(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	var b strings.Builder
	done := 0
	if n := schemeless(s); n > 0 {
		b.WriteString(Mask + "@")
		done = n + 1
	}
	for done < len(s) {
		loc := scheme.FindStringIndex(s[done:])
		if loc == nil {
			break
		}
		start := done + loc[1] // just after "://"
		end := start + urlEnd(s[start:])
		n := userinfoLen(s[start:end])
		b.WriteString(s[done:start])
		if n > 0 {
			b.WriteString(Mask + "@")
			done = start + n + 1 // past the "@"
		} else {
			done = start
		}
	}
	b.WriteString(s[done:])
	return b.String()
}

// urlEnd is where the URL that rest starts (after "://") ends in a text:
// at white space, a quote or an angle bracket.
func urlEnd(rest string) int {
	if i := strings.IndexAny(rest, " \t\r\n'\"`<>"); i >= 0 {
		return i
	}
	return len(rest)
}

// userinfoLen is the length of the user info that u (a URL after its
// "://") starts with, without the "@"; 0 when it has none.
func userinfoLen(u string) int {
	authEnd := len(u)
	if i := strings.IndexAny(u, "/?#"); i >= 0 {
		authEnd = i
	}
	auth := u[:authEnd]
	if at := strings.LastIndexByte(auth, '@'); at >= 0 {
		return at
	}
	if !strings.Contains(u[authEnd:], "@") || strings.HasPrefix(auth, "[") {
		return 0 // no user info, or an IPv6 host
	}
	// An "@" after the authority: a path ("p.git@main") or query
	// ("?mail=a@b") may hold one, and so may a password with a raw
	// delimiter in it. A colon that does not start a port says it is a
	// password; so, less surely, does a host without a dot (a token cut at
	// its "/", "?" or "#"), and then only an "@" before the query of the
	// path counts.
	host, port, colon := strings.Cut(auth, ":")
	password := colon && !digits(port)
	if !password && (host == "" || strings.Contains(host, ".") || host == "localhost") {
		return 0
	}
	tail := u
	if slash := strings.IndexByte(u, '/'); !password && slash >= 0 {
		if i := strings.IndexAny(u[slash:], "?#"); i >= 0 {
			tail = u[:slash+i]
		}
	}
	return max(strings.LastIndexByte(tail, '@'), 0)
}

// schemeless is the length of the user info, without its "@", of a URL
// without a scheme that s starts with ("user:token@host/simple"); 0 if s
// does not start so.
func schemeless(s string) int {
	m := schemelessRE.FindStringIndex(s)
	if m == nil {
		return 0
	}
	return m[1] - 1
}

var schemelessRE = regexp.MustCompile(`^[A-Za-z0-9._~%!$&()*+,;=-]+:[^\s/?#@'"]*@`)

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
