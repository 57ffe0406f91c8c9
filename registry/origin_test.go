package registry

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
)

func TestOrigin(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		{"https://pypi.example/simple", "https://PyPI.example:443/files", true},
		{"http://127.0.0.1:8080/simple", "http://127.0.0.1:8080/x", true},
		{"http://127.0.0.1:8080/simple", "http://127.0.0.1:8081/simple", false},
		{"https://pypi.example/simple", "http://pypi.example/simple", false},
		{"https://pypi.example/simple", "https://files.pypi.example/simple", false},
		{"http://pypi.example/simple", "http://pypi.example:80/simple", true},
	}
	for _, tt := range tests {
		a, _ := url.Parse(tt.a)
		b, _ := url.Parse(tt.b)
		if got := origin(a) == origin(b); got != tt.same {
			t.Errorf("origin(%s) == origin(%s) is %v, want %v", tt.a, tt.b, got, tt.same)
		}
	}
}

// A redirect to another port of the same host gets no credentials; one to
// another path of the index itself still does. net/http alone would send
// them to both.
func TestCredentialsStayWithTheIndexOrigin(t *testing.T) {
	var (
		mu   sync.Mutex
		seen = map[string]string{} // path -> Authorization
	)
	record := func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.Host+r.URL.Path] = r.Header.Get("Authorization")
		mu.Unlock()
	}
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record(w, r)
		http.NotFound(w, r)
	}))
	defer other.Close()
	var index *httptest.Server
	index = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record(w, r)
		switch r.URL.Path {
		case "/simple/away/":
			http.Redirect(w, r, other.URL+"/simple/away/", http.StatusFound)
		case "/simple/moved/":
			http.Redirect(w, r, index.URL+"/simple/here/", http.StatusMovedPermanently)
		default:
			http.NotFound(w, r)
		}
	}))
	defer index.Close()
	otherHost, indexHost := other.Listener.Addr().String(), index.Listener.Addr().String()
	if otherHost == indexHost {
		t.Fatal("the two servers share an address")
	}

	c, err := New(Options{IndexURL: index.URL + "/simple", JSONAPIURL: NoJSONAPI, MaxRetries: -1, Username: "u", Password: "s3cret-token"})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"away", "moved"} {
		_, _ = c.Lookup(context.Background(), name, "1.0")
	}
	mu.Lock()
	defer mu.Unlock()
	want := map[string]bool{
		indexHost + "/simple/away/":  true,
		otherHost + "/simple/away/":  false,
		indexHost + "/simple/moved/": true,
		indexHost + "/simple/here/":  true,
	}
	for path, auth := range want {
		got, ok := seen[path]
		if !ok {
			t.Errorf("%s was not requested", path)
			continue
		}
		if (got != "") != auth {
			t.Errorf("%s: Authorization %q, want sent=%v", path, got, auth)
		}
	}
}
