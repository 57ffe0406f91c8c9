package app

import (
	"net/http"
	"runtime"
)

// pooledTransport is the daemon's transport to GitLab: net/http's default
// settings (proxy from the environment, 30s dial and keep-alive, 100 idle
// connections for 90s, HTTP/2), on a transport of its own so nothing else
// in the process shares or changes it, keeping GOMAXPROCS+1 idle
// connections per host as the hashicorp/go-cleanhttp pooled transport did.
func pooledTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = runtime.GOMAXPROCS(0) + 1
	return t
}
