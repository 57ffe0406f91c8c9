package prepare

import (
	"testing"

	"github.com/pinwheel-dev/pinwheel/indexsim"
	"github.com/pinwheel-dev/pinwheel/internal/testwheel"
)

// wheel is a tiny pure-Python wheel (see testwheel): one module whose
// __version__ is the release version, with its dependencies in
// Requires-Dist.
type wheel struct {
	name, version string
	requires      []string
}

// newIndex serves the given wheels from the index simulator.
func newIndex(t testing.TB, wheels ...wheel) *indexsim.Server {
	t.Helper()
	s := indexsim.New(indexsim.Options{})
	t.Cleanup(s.Close)
	for _, w := range wheels {
		if err := testwheel.Serve(s, testwheel.Wheel{Name: w.name, Version: w.version, Requires: w.requires}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}
