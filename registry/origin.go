package registry

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// origin is a URL's scheme, host and port (RFC 6454), the port made
// explicit: "https://pypi.example" and "https://pypi.example:443" are one
// origin, "http://127.0.0.1:8080" and "http://127.0.0.1:8081" two.
func origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "http":
			port = "80"
		case "https":
			port = "443"
		}
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// withoutForeignAuth returns a copy of hc whose redirects carry no
// Authorization header to an origin other than index. net/http keeps the
// header on a redirect to the same host name whatever the port or scheme
// (and to its subdomains), so a redirect from the index to another port of
// its host, or from https to http, would otherwise hand the index's
// credentials over.
func withoutForeignAuth(hc *http.Client, index string) *http.Client {
	out := *hc
	next := hc.CheckRedirect
	out.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if origin(req.URL) != index {
			req.Header.Del("Authorization")
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &out
}
