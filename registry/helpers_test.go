package registry

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/indexsim"
)

// memCache is an in-memory Cache for tests.
type memCache struct {
	mu   sync.Mutex
	m    map[string][]byte
	puts int
}

func newMemCache() *memCache { return &memCache{m: map[string][]byte{}} }

func (c *memCache) Get(key string) ([]byte, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[key]
	return v, ok, nil
}

func (c *memCache) Put(key string, value []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key] = append([]byte(nil), value...)
	c.puts++
	return nil
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// sleeps records the waits a client asks for without waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

func newSim(t testing.TB, opts indexsim.Options) *indexsim.Server {
	t.Helper()
	s := indexsim.New(opts)
	t.Cleanup(s.Close)
	return s
}

// newClient builds a client for sim that never really sleeps.
func newClient(t testing.TB, sim *indexsim.Server, edit func(*Options)) (*Client, *sleeps) {
	t.Helper()
	sl := &sleeps{}
	opts := Options{IndexURL: sim.IndexURL(), Sleep: sl.Sleep}
	if edit != nil {
		edit(&opts)
	}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c, sl
}

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// publishFixture gives sim a project with the cases the client must read:
// a name needing normalisation, Requires-Python with "<" and ">", a yanked
// release with and without a reason, a prerelease and per-file upload times.
func publishFixture(sim *indexsim.Server) {
	sim.AddRelease("Zope.Interface", "1.0",
		indexsim.File{Filename: "zope.interface-1.0.tar.gz", Content: []byte("sdist 1.0"), UploadTime: t0},
		indexsim.File{Filename: "zope_interface-1.0-py3-none-any.whl", Content: []byte("wheel 1.0"), UploadTime: t0.Add(time.Minute)},
	)
	sim.AddRelease("Zope.Interface", "1.1",
		indexsim.File{Filename: "zope_interface-1.1.tar.gz", Content: []byte("sdist 1.1"), RequiresPython: ">=3.8, <4", UploadTime: t0.Add(24 * time.Hour)},
		indexsim.File{Filename: "zope_interface-1.1-1-cp312-cp312-manylinux_2_17_x86_64.whl", Content: []byte("wheel 1.1"), RequiresPython: ">=3.8, <4", UploadTime: t0.Add(25 * time.Hour)},
	)
	sim.AddRelease("Zope.Interface", "2.0rc1",
		indexsim.File{Filename: "zope_interface-2.0rc1.tar.gz", UploadTime: t0.Add(48 * time.Hour)})
	sim.AddRelease("Zope.Interface", "2.0",
		indexsim.File{Filename: "zope_interface-2.0.tar.gz", UploadTime: t0.Add(72 * time.Hour)},
		indexsim.File{Filename: "zope_interface-2.0-py3-none-any.whl", UploadTime: t0.Add(72 * time.Hour)})
	sim.Yank("Zope.Interface", "2.0", `broken "import" <on> 3.12`)
	sim.AddRelease("Zope.Interface", "2.1",
		indexsim.File{Filename: "zope_interface-2.1.tar.gz", Yanked: true, UploadTime: t0.Add(96 * time.Hour)},
		indexsim.File{Filename: "zope_interface-2.1-py3-none-any.whl", UploadTime: t0.Add(96 * time.Hour)})
}

// gate is an indexsim Sleep that holds the first n delayed requests until
// all n are in flight, then lets every request through: a test that
// needs requests to overlap gets the overlap without relying on real time.
type gate struct {
	n       int
	mu      sync.Mutex
	waiting int
	open    chan struct{}
}

func newGate(n int) *gate { return &gate{n: n, open: make(chan struct{})} }

func (g *gate) Sleep(ctx context.Context, _ time.Duration) error {
	g.mu.Lock()
	g.waiting++
	if g.waiting == g.n {
		close(g.open)
	}
	g.mu.Unlock()
	select {
	case <-g.open:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
