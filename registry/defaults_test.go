package registry

import (
	"context"
	"strings"
	"testing"

	"github.com/pinwheel-dev/pinwheel/indexsim"
)

func TestJSONAPIFor(t *testing.T) {
	tests := []struct{ index, want string }{
		{"https://pypi.org/simple", "https://pypi.org/pypi"},
		{"https://pypi.org/simple/", "https://pypi.org/pypi"},
		{"https://mirror.example/pypi-mirror/simple//", "https://mirror.example/pypi-mirror/pypi"},
		{"https://devpi.example/root/pypi/+simple/", ""},
		{"https://simple.example/", ""},
		{"https://example/simpleton", ""},
	}
	for _, tt := range tests {
		if got := JSONAPIFor(tt.index); got != tt.want {
			t.Errorf("JSONAPIFor(%q) = %q, want %q", tt.index, got, tt.want)
		}
	}
}

func TestZeroMaxRetriesIsDefaultRetries(t *testing.T) {
	sim := newSim(t, indexsim.Options{})
	publishFixture(sim)
	sim.Inject(indexsim.Fault{Count: 100, Status: 503})
	c, sl := newClient(t, sim, nil)
	_, err := c.Lookup(context.Background(), "zope-interface", "")
	if err == nil || !strings.Contains(err.Error(), "gave up after 5 attempts") {
		t.Fatalf("err = %v, want gave up after %d attempts", err, DefaultRetries+1)
	}
	if got := len(sl.all()); got != DefaultRetries {
		t.Errorf("slept %d times, want %d", got, DefaultRetries)
	}
}
