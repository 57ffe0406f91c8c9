package check

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/constraints"
	"github.com/pinwheel-dev/pinwheel/indexsim"
	"github.com/pinwheel-dev/pinwheel/pep440"
	"github.com/pinwheel-dev/pinwheel/plan"
	"github.com/pinwheel-dev/pinwheel/registry"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func newIndex(t *testing.T) *indexsim.Server {
	t.Helper()
	sim := indexsim.New(indexsim.Options{Clock: func() time.Time { return now }})
	t.Cleanup(sim.Close)
	day := func(n int) time.Time { return now.AddDate(0, 0, -n) }
	for _, r := range []struct {
		project, version string
		age              int
	}{
		{"requests", "2.31.0", 400}, {"requests", "2.32.3", 100}, {"requests", "2.32.4", 30}, {"requests", "3.0.0", 1},
		{"Django", "4.2.0", 300}, {"Django", "4.2.9", 20}, {"Django", "5.0", 10},
		{"six", "1.16.0", 900},
	} {
		sim.AddRelease(r.project, r.version, indexsim.File{
			Filename:   r.project + "-" + r.version + "-py3-none-any.whl",
			UploadTime: day(r.age),
		})
	}
	sim.AddVulnerability("requests", "2.32.3", indexsim.Vulnerability{
		ID: "GHSA-test-0001", Summary: "leaks credentials", FixedIn: []string{"2.32.4"},
	})
	sim.AddVulnerability("requests", "2.32.3", indexsim.Vulnerability{
		ID: "GHSA-test-0002", Summary: "only fixed in 3", FixedIn: []string{"3.0.0"},
	})
	return sim
}

func newClient(t *testing.T, sim *indexsim.Server) *registry.Client {
	t.Helper()
	c, err := registry.New(registry.Options{
		IndexURL: sim.IndexURL(),
		Sleep:    func(context.Context, time.Duration) error { return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRun(t *testing.T) {
	sim := newIndex(t)
	f := constraints.ParseFile("constraints.txt", []byte(
		"requests==2.32.3\n"+
			"Django==4.2.0 ; python_version >= '3.10'\n"+
			"django==4.2.0 ; python_version < '3.10'\n"+
			"six==1.16.0\n"+
			"missing-project==1.0\n"+
			"left-alone==0.1  # pinwheel: ignore\n"+
			"ranged>=1,<2\n"))

	rep := Run(context.Background(), newClient(t, sim), f, Options{
		Rules: map[string]plan.Rule{"django": {Allowed: pep440.MustParseSpecifiers("<5")}},
		Now:   now,
	})

	if len(rep.Results) != 6 {
		t.Fatalf("got %d results, want one per pin (6)", len(rep.Results))
	}
	type want struct {
		name    string
		to      []string
		err     bool
		ignored bool
	}
	wants := []want{
		{name: "requests", to: []string{"2.32.4", "3.0.0"}},
		{name: "Django", to: []string{"4.2.9"}},
		{name: "django", to: []string{"4.2.9"}},
		{name: "six"},
		{name: "missing-project", err: true},
		{name: "left-alone", ignored: true},
	}
	for i, w := range wants {
		res := rep.Results[i]
		if res.Pin.Name != w.name {
			t.Errorf("result %d is %s, want %s", i, res.Pin.Name, w.name)
		}
		if (res.Err != nil) != w.err {
			t.Errorf("%s: err = %v, want error %v", w.name, res.Err, w.err)
		}
		if res.Ignored() != w.ignored {
			t.Errorf("%s: ignored = %v, want %v", w.name, res.Ignored(), w.ignored)
		}
		var got []string
		for _, u := range res.Plan.Offered() {
			got = append(got, u.To)
		}
		if len(got) != len(w.to) || (len(got) > 0 && got[0] != w.to[0]) || (len(got) > 1 && got[1] != w.to[1]) {
			t.Errorf("%s: offered %v, want %v", w.name, got, w.to)
		}
	}
	if !errors.Is(rep.Results[4].Err, registry.ErrNotFound) {
		t.Errorf("missing project: err = %v, want registry.ErrNotFound", rep.Results[4].Err)
	}
	if !rep.Failed() {
		t.Error("Failed() = false with a failed look-up")
	}

	// The two django pins share one look-up.
	if n := sim.RequestsOf(indexsim.KindSimpleProject); n != 4 {
		t.Errorf("simple API requests = %d, want 4 (requests, django once, six, missing-project)", n)
	}

	req := rep.Results[0]
	offered := req.Plan.Offered()
	if fixes := req.Fixes(offered[0]); len(fixes) != 1 || fixes[0].ID != "GHSA-test-0001" {
		t.Errorf("2.32.4 fixes %v, want only GHSA-test-0001", fixes)
	}
	if fixes := req.Fixes(offered[1]); len(fixes) != 2 {
		t.Errorf("3.0.0 fixes %d vulnerabilities, want 2", len(fixes))
	}
}

func TestRunProgress(t *testing.T) {
	sim := newIndex(t)
	f := constraints.Parse([]byte("requests==2.32.3\nsix==1.16.0\nsix==1.16.0\n"))
	var calls []int
	Run(context.Background(), newClient(t, sim), f, Options{
		Now:      now,
		Progress: func(done, total int) { calls = append(calls, done*10+total) },
	})
	if len(calls) != 2 || calls[1] != 22 {
		t.Errorf("progress calls = %v, want two calls ending at 2 of 2", calls)
	}
}

// TestRunRecoversFromAPanic: a panic inside one look-up (here a nil client)
// costs that pin, with an error saying so, never the process; progress
// still reaches the total.
func TestRunRecoversFromAPanic(t *testing.T) {
	f := constraints.ParseFile("constraints.txt", []byte("requests==2.32.3\nsix==1.16.0\nlocal==1.0  # pinwheel: ignore\n"))
	var last int
	rep := Run(context.Background(), nil, f, Options{Progress: func(done, _ int) { last = done }})
	if len(rep.Results) != 3 {
		t.Fatalf("%d results, want 3", len(rep.Results))
	}
	for _, res := range rep.Results[:2] {
		if res.Err == nil || !strings.Contains(res.Err.Error(), "internal error") {
			t.Errorf("%s: err %v, want an internal error", res.Pin.Name, res.Err)
		}
	}
	if rep.Results[2].Err != nil || !rep.Results[2].Ignored() {
		t.Errorf("ignored pin: %+v", rep.Results[2])
	}
	if last != 2 || !rep.Failed() {
		t.Errorf("progress reached %d, failed %v; want 2, true", last, rep.Failed())
	}
}
