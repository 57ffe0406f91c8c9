package check

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pinwheel-dev/pinwheel/constraints"
	"github.com/pinwheel-dev/pinwheel/indexsim"
	"github.com/pinwheel-dev/pinwheel/plan"
	"github.com/pinwheel-dev/pinwheel/registry"
)

func addSphinx(sim *indexsim.Server) {
	for _, r := range []struct{ v, requires string }{
		{"8.1.3", ">=3.10"}, {"8.2.3", ">=3.10"}, {"9.0.4", ">=3.11"}, {"9.1.0", ">=3.11"},
	} {
		sim.AddRelease("sphinx", r.v, indexsim.File{Filename: "sphinx-" + r.v + "-py3-none-any.whl", RequiresPython: r.requires, UploadTime: now.AddDate(0, 0, -30)})
	}
}

// Each line is its own pin: the 3.10 line stops at the newest release
// that still runs on 3.10, the 3.11+ line moves on, and the rows say so.
func TestRunEvaluatesEachLine(t *testing.T) {
	sim := newIndex(t)
	addSphinx(sim)
	f := constraints.Parse([]byte("sphinx==8.1.3 ; python_version == \"3.10\"\nsphinx==9.0.4 ; python_version >= \"3.11\"\n"))
	rep := Run(context.Background(), newClient(t, sim), f, Options{Now: now})
	var got []string
	for _, r := range rep.Rows() {
		got = append(got, fmt.Sprintf("%d:%s->%s", r.Line, r.Current, r.Latest))
	}
	if want := "1:8.1.3->8.2.3 2:9.0.4->9.1.0"; strings.Join(got, " ") != want {
		t.Errorf("rows %v, want %s", got, want)
	}
	if n := sim.RequestsOf(indexsim.KindSimpleProject); n != 1 {
		t.Errorf("%d project page requests, want 1", n)
	}
}

// A package pinned in two files at two versions is fetched once; each
// line keeps its own version's vulnerabilities.
func TestRunFilesFetchesEachProjectPageOnce(t *testing.T) {
	sim := newIndex(t)
	a := constraints.ParseFile("a.txt", []byte("requests==2.31.0 ; python_version < \"3.9\"\nrequests==2.32.3 ; python_version >= \"3.9\"\nsix==1.16.0\n"))
	b := constraints.ParseFile("b.txt", []byte("requests==2.32.3\nsix==1.16.0\n"))
	reps := RunFiles(context.Background(), newClient(t, sim), []*constraints.File{a, b}, Options{Now: now})
	if len(reps) != 2 || len(reps[0].Results) != 3 || len(reps[1].Results) != 2 {
		t.Fatalf("reports %+v", reps)
	}
	if n := sim.RequestsOf(indexsim.KindSimpleProject); n != 2 {
		t.Errorf("%d project page requests, want 2 (requests and six, once each)", n)
	}
	for _, tt := range []struct {
		res   Result
		fixes int
	}{{reps[0].Results[0], 0}, {reps[0].Results[1], 1}, {reps[1].Results[0], 1}} {
		if tt.res.Err != nil {
			t.Fatalf("line %d: %v", tt.res.Pin.Line, tt.res.Err)
		}
		if got := len(tt.res.Fixes(tt.res.Plan.Offered()[0])); got != tt.fixes {
			t.Errorf("%s line %d: %d fixes, want %d", tt.res.Pin.Version, tt.res.Pin.Line, got, tt.fixes)
		}
	}
}

// Ignored packages are private by intent: their names never reach the
// index.
func TestIgnoredPackagesAreNeverSentToTheIndex(t *testing.T) {
	sim := newIndex(t)
	f := constraints.Parse([]byte("requests==2.32.3\ninternal-billing==4.1\nsecret-sauce==1.0 # pinwheel: ignore\n"))
	rep := Run(context.Background(), newClient(t, sim), f, Options{
		Now: now, Rules: map[string]plan.Rule{"internal-billing": {Ignore: true}},
	})
	for _, r := range sim.Log() {
		if strings.Contains(r.Path, "internal-billing") || strings.Contains(r.Path, "secret-sauce") {
			t.Errorf("the index was asked for %s", r.Path)
		}
	}
	for _, res := range rep.Results[1:] {
		if !res.Ignored() || res.Err != nil {
			t.Errorf("%s: ignored %v, err %v; want ignored without error", res.Pin.Name, res.Ignored(), res.Err)
		}
	}
	if rep.Results[0].Err != nil || len(rep.Results[0].Plan.Updates) == 0 {
		t.Errorf("requests: %+v", rep.Results[0])
	}
}

// hostileIndex serves PEP 691 pages as written for each project.
func hostileIndex(t *testing.T, files map[string]string) *registry.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.Trim(strings.TrimPrefix(r.URL.Path, "/simple/"), "/")
		body, ok := files[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.pypi.simple.v1+json")
		fmt.Fprintf(w, `{"meta":{"api-version":"1.1"},"name":%q,"versions":["1.0","2.0"],"files":[%s]}`, name, body)
	}))
	t.Cleanup(srv.Close)
	c, err := registry.New(registry.Options{IndexURL: srv.URL + "/simple", JSONAPIURL: registry.NoJSONAPI, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestBadIndexDataFailsThatPinOnly(t *testing.T) {
	good := strings.Repeat("a", 64)
	file := func(name, v, sha string) string {
		return fmt.Sprintf(`{"filename":%q,"url":"/f/%s","hashes":{"sha256":%q}}`, name, v, sha)
	}
	c := hostileIndex(t, map[string]string{
		"good":    file("good-1.0.tar.gz", "1", good) + "," + file("good-2.0.tar.gz", "2", good),
		"badhash": file("badhash-1.0.tar.gz", "1", good) + "," + file("badhash-2.0.tar.gz", "2", "not-hex;rm -rf"),
		"blank":   file("blank-1.0.tar.gz", "1", good) + "," + file("blank-2.0 .tar.gz", "2", good) + "," + file("blank-2.0.tar.gz", "2", good),
		"long":    file("long-1.0.tar.gz", "1", good) + "," + file("long-2.0-py3-none-"+strings.Repeat("x", 300)+".whl", "2", good) + "," + file("long-2.0.tar.gz", "2", good),
	})
	f := constraints.Parse([]byte("good==1.0\nbadhash==1.0\nblank==1.0\nlong==1.0\n"))
	rep := Run(context.Background(), c, f, Options{Now: now})
	if res := rep.Results[0]; res.Err != nil || len(res.Plan.Updates) != 1 {
		t.Errorf("good: %v, %d updates; want one update", res.Err, len(res.Plan.Updates))
	}
	for _, res := range rep.Results[1:] {
		if !errors.Is(res.Err, ErrBadIndexData) {
			t.Errorf("%s: err %v, want ErrBadIndexData", res.Pin.Name, res.Err)
		}
	}
}
