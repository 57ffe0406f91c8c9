package app

import (
	"net/http"
	"runtime"
	"testing"
	"time"
)

// The daemon's transport keeps go-cleanhttp's pooled settings.
func TestPooledTransport(t *testing.T) {
	tr := pooledTransport()
	if tr == http.DefaultTransport.(*http.Transport) || tr == pooledTransport() {
		t.Fatal("the transport is shared")
	}
	if tr.MaxIdleConnsPerHost != runtime.GOMAXPROCS(0)+1 || tr.MaxIdleConns != 100 ||
		tr.IdleConnTimeout != 90*time.Second || tr.TLSHandshakeTimeout != 10*time.Second ||
		tr.ExpectContinueTimeout != time.Second || !tr.ForceAttemptHTTP2 || tr.Proxy == nil || tr.DialContext == nil {
		t.Errorf("transport = %+v", tr)
	}
}
