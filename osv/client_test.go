package osv_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/indexsim"
	"github.com/pinwheel-dev/pinwheel/osv"
	"github.com/pinwheel-dev/pinwheel/state"
)

var _ osv.Cache = (*state.OSVCache)(nil)

var day = time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)

// sleeps records the client's waits between retries instead of waiting.
type sleeps struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func newSim(t *testing.T) *indexsim.Server {
	t.Helper()
	sim := indexsim.New(indexsim.Options{})
	t.Cleanup(sim.Close)
	sim.AddOSVVuln(indexsim.OSVVuln{
		ID: "PYSEC-2024-10", Package: "Django", Aliases: []string{"CVE-2024-10", "GHSA-aaaa-bbbb-cccc"},
		Summary: "SQL injection", Modified: day,
		Ranges: [][]indexsim.OSVEvent{{{Introduced: "4.0"}, {Fixed: "4.2.1"}}, {{Introduced: "5.0"}, {Fixed: "5.0.3"}}},
		CVSSV3: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", DatabaseSeverity: "CRITICAL",
	})
	sim.AddOSVVuln(indexsim.OSVVuln{
		ID: "GHSA-dddd-eeee-ffff", Package: "django", Summary: "DoS", Modified: day,
		Ranges:   [][]indexsim.OSVEvent{{{Introduced: "0"}, {LastAffected: "4.2.0"}}},
		Versions: []string{"4.1", "4.2.0"},
	})
	return sim
}

func newClient(t *testing.T, sim *indexsim.Server, opts osv.Options) *osv.Client {
	t.Helper()
	opts.URL = sim.OSVURL()
	if opts.Sleep == nil {
		opts.Sleep = (&sleeps{}).sleep
	}
	c, err := osv.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ids(as []osv.Advisory) string {
	var out []string
	for _, a := range as {
		out = append(out, a.ID)
	}
	return strings.Join(out, ",")
}

func TestCheckOneBatchThenRecords(t *testing.T) {
	sim := newSim(t)
	c := newClient(t, sim, osv.Options{})
	pins := []osv.Pin{{"Django", "4.1"}, {"requests", "2.31.0"}, {"django", "4.1"}, {"Django", "5.0.3"}}
	rep, err := c.Check(context.Background(), pins)
	if err != nil {
		t.Fatal(err)
	}
	if want := (osv.Stats{QueryBatchCalls: 1, RecordFetches: 2}); rep.Stats != want {
		t.Errorf("Stats = %+v, want %+v", rep.Stats, want)
	}
	for i, want := range []string{"GHSA-dddd-eeee-ffff,PYSEC-2024-10", "", "GHSA-dddd-eeee-ffff,PYSEC-2024-10", ""} {
		r := rep.Results[i]
		if r.Pin != pins[i] || ids(r.Advisories) != want || len(r.Errors) != 0 {
			t.Errorf("pin %d: %+v: advisories %q, errors %v; want %q", i, r.Pin, ids(r.Advisories), r.Errors, want)
		}
	}
	batches := sim.OSVBatches()
	want := []indexsim.OSVQuery{{Ecosystem: "PyPI", Name: "django", Version: "4.1"}, {Ecosystem: "PyPI", Name: "requests", Version: "2.31.0"}, {Ecosystem: "PyPI", Name: "django", Version: "5.0.3"}}
	if len(batches) != 1 || !reflect.DeepEqual(batches[0], want) {
		t.Errorf("querybatch queries = %+v, want one batch %+v", batches, want)
	}
	a := rep.Results[0].Advisories[1]
	wantA := osv.Advisory{
		ID: "PYSEC-2024-10", Aliases: []string{"CVE-2024-10", "GHSA-aaaa-bbbb-cccc"}, Summary: "SQL injection",
		Modified: day, Published: day,
		Severity:         []osv.Severity{{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}},
		DatabaseSeverity: "CRITICAL",
		Affected: []osv.Affected{{Ranges: []osv.Range{
			{Events: []osv.Event{{Introduced: "4.0"}, {Fixed: "4.2.1"}}},
			{Events: []osv.Event{{Introduced: "5.0"}, {Fixed: "5.0.3"}}},
		}}},
	}
	if !reflect.DeepEqual(a, wantA) {
		t.Errorf("advisory = %+v\nwant        %+v", a, wantA)
	}
	if got := rep.Results[0].Advisories[0].Affected[0]; !reflect.DeepEqual(got.Versions, []string{"4.1", "4.2.0"}) ||
		!reflect.DeepEqual(got.Ranges, []osv.Range{{Events: []osv.Event{{Introduced: "0"}, {LastAffected: "4.2.0"}}}}) {
		t.Errorf("GHSA affected = %+v", got)
	}
}

func TestCheckReusesRecordsWhileModifiedIsUnchanged(t *testing.T) {
	sim := newSim(t)
	db, err := state.Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c := newClient(t, sim, osv.Options{Cache: db.OSVCache()})
	pins := []osv.Pin{{"django", "4.1"}}
	run := func() osv.Stats {
		t.Helper()
		rep, err := c.Check(context.Background(), pins)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Results[0].Advisories) != 2 || len(rep.Results[0].Errors) != 0 {
			t.Fatalf("result = %+v", rep.Results[0])
		}
		return rep.Stats
	}
	if st := run(); st != (osv.Stats{QueryBatchCalls: 1, RecordFetches: 2}) {
		t.Errorf("cold: %+v", st)
	}
	if st := run(); st != (osv.Stats{QueryBatchCalls: 1, CacheHits: 2}) {
		t.Errorf("warm: %+v", st)
	}
	sim.AddOSVVuln(indexsim.OSVVuln{ID: "PYSEC-2024-10", Package: "django", Summary: "SQL injection (revised)",
		Modified: day.Add(time.Hour), Versions: []string{"4.1"}})
	if st := run(); st != (osv.Stats{QueryBatchCalls: 1, RecordFetches: 1, CacheHits: 1}) {
		t.Errorf("after a modification: %+v", st)
	}
	rep, _ := c.Check(context.Background(), pins)
	if got := rep.Results[0].Advisories[1].Summary; got != "SQL injection (revised)" {
		t.Errorf("summary from the cache = %q, want the revised record", got)
	}
}

// A record reused from the cache is stored again once a day, so that
// pruning the cache by age keeps the records still in use.
func TestCheckRestampsReusedRecords(t *testing.T) {
	now := day
	clock := func() time.Time { return now }
	sim := newSim(t)
	db, err := state.Open(filepath.Join(t.TempDir(), "state.db"), state.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c := newClient(t, sim, osv.Options{Cache: db.OSVCache(), Clock: clock})
	pins := []osv.Pin{{"django", "4.1"}}
	steps := []struct {
		name    string
		advance time.Duration
		want    osv.Stats
		stored  time.Time // of PYSEC-2024-10 afterwards
	}{
		{"cold", 0, osv.Stats{QueryBatchCalls: 1, RecordFetches: 2}, day},
		{"an hour on", time.Hour, osv.Stats{QueryBatchCalls: 1, CacheHits: 2}, day},
		{"a day on", osv.RestampAfter, osv.Stats{QueryBatchCalls: 1, CacheHits: 2, Restamps: 2}, day.Add(time.Hour + osv.RestampAfter)},
		{"an hour later", time.Hour, osv.Stats{QueryBatchCalls: 1, CacheHits: 2}, day.Add(time.Hour + osv.RestampAfter)},
	}
	for _, s := range steps {
		now = now.Add(s.advance)
		rep, err := c.Check(context.Background(), pins)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Stats != s.want {
			t.Errorf("%s: %+v, want %+v", s.name, rep.Stats, s.want)
		}
		rec, ok, err := db.OSVCache().Get("PYSEC-2024-10")
		if err != nil || !ok || !rec.Stored.Equal(s.stored) {
			t.Errorf("%s: stored %v (%v, %v), want %v", s.name, rec.Stored, ok, err, s.stored)
		}
	}
}

func TestCheckFollowsPageTokensPerQuery(t *testing.T) {
	sim := indexsim.New(indexsim.Options{})
	t.Cleanup(sim.Close)
	for i := range 5 {
		sim.AddOSVVuln(indexsim.OSVVuln{ID: fmt.Sprintf("PYSEC-2024-%d", i), Package: "a", Versions: []string{"1.0"}})
	}
	sim.AddOSVVuln(indexsim.OSVVuln{ID: "PYSEC-2024-9", Package: "b", Versions: []string{"1.0"}})
	sim.SetOSVPageSize(2)
	c := newClient(t, sim, osv.Options{})
	rep, err := c.Check(context.Background(), []osv.Pin{{"a", "1.0"}, {"b", "1.0"}, {"c", "1.0"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(rep.Results[0].Advisories); got != "PYSEC-2024-0,PYSEC-2024-1,PYSEC-2024-2,PYSEC-2024-3,PYSEC-2024-4" {
		t.Errorf("a: %s", got)
	}
	if got := ids(rep.Results[1].Advisories); got != "PYSEC-2024-9" {
		t.Errorf("b: %s", got)
	}
	var sizes []string
	for _, b := range sim.OSVBatches() {
		var qs []string
		for _, q := range b {
			qs = append(qs, fmt.Sprintf("%s/token=%v", q.Name, q.PageToken != ""))
		}
		sizes = append(sizes, strings.Join(qs, " "))
	}
	want := []string{"a/token=false b/token=false c/token=false", "a/token=true", "a/token=true"}
	if !reflect.DeepEqual(sizes, want) {
		t.Errorf("batches = %q, want %q (only the paged query is sent again)", sizes, want)
	}
	if rep.Stats.QueryBatchCalls != 3 {
		t.Errorf("QueryBatchCalls = %d, want 3", rep.Stats.QueryBatchCalls)
	}
}

func TestCheckChunksBatches(t *testing.T) {
	sim := newSim(t)
	c := newClient(t, sim, osv.Options{BatchSize: 2})
	var pins []osv.Pin
	for i := range 5 {
		pins = append(pins, osv.Pin{Name: fmt.Sprintf("p%d", i), Version: "1"})
	}
	rep, err := c.Check(context.Background(), pins)
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for _, b := range sim.OSVBatches() {
		sizes = append(sizes, len(b))
	}
	if !reflect.DeepEqual(sizes, []int{2, 2, 1}) || rep.Stats.QueryBatchCalls != 3 {
		t.Errorf("batch sizes = %v (%d calls), want [2 2 1]", sizes, rep.Stats.QueryBatchCalls)
	}
}

func TestCheckRetries(t *testing.T) {
	tests := []struct {
		name      string
		fault     indexsim.Fault
		retries   int
		wantErr   string
		wantCalls int64
		wantWait  time.Duration
	}{
		{name: "503 twice", fault: indexsim.Fault{Count: 2, PathPrefix: "/v1/querybatch", Status: 503}, wantCalls: 3},
		{name: "429 with Retry-After", fault: indexsim.Fault{Count: 1, PathPrefix: "/v1/querybatch", Status: 429, RetryAfter: "7"}, wantCalls: 2, wantWait: 7 * time.Second},
		{name: "dropped connection", fault: indexsim.Fault{Count: 1, PathPrefix: "/v1/querybatch", Drop: true}, wantCalls: 2},
		{name: "gives up", fault: indexsim.Fault{Count: 10, PathPrefix: "/v1/querybatch", Status: 502}, retries: 2,
			wantErr: "query OSV for 1 packages: POST " + "%URL%/v1/querybatch: 502 Bad Gateway", wantCalls: 3},
		{name: "500 on a record fails that advisory", fault: indexsim.Fault{Count: 10, PathPrefix: "/v1/vulns/PYSEC", Status: 500}, retries: 1, wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := newSim(t)
			sim.Inject(tt.fault)
			sl := &sleeps{}
			c := newClient(t, sim, osv.Options{MaxRetries: tt.retries, Sleep: sl.sleep, MaxRetryWait: time.Minute})
			rep, err := c.Check(context.Background(), []osv.Pin{{"django", "4.1"}})
			sim.Idle()
			if tt.wantErr != "" {
				want := strings.ReplaceAll(tt.wantErr, "%URL%", sim.OSVURL())
				if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "gave up after 3 attempts") {
					t.Fatalf("err = %v, want %q after 3 attempts", err, want)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if n := sim.RequestsOf(indexsim.KindOSVQueryBatch); n != tt.wantCalls {
				t.Errorf("querybatch requests = %d, want %d", n, tt.wantCalls)
			}
			if tt.wantWait != 0 && (len(sl.waits) != 1 || sl.waits[0] != tt.wantWait) {
				t.Errorf("waits = %v, want [%v]", sl.waits, tt.wantWait)
			}
			if strings.HasPrefix(tt.name, "500 on a record") {
				r := rep.Results[0]
				if ids(r.Advisories) != "GHSA-dddd-eeee-ffff" || len(r.Errors) != 1 ||
					!strings.Contains(r.Errors[0].Error(), "advisory PYSEC-2024-10: GET "+sim.OSVURL()+"/v1/vulns/PYSEC-2024-10: 500 Internal Server Error") {
					t.Errorf("result = %s, %v", ids(r.Advisories), r.Errors)
				}
				if n := sim.RequestsOf(indexsim.KindOSVVuln); n != 3 {
					t.Errorf("vuln requests = %d, want 3 (2 for the failing one, 1 for the other)", n)
				}
			}
		})
	}
}

func TestCheckBadRequestIsNotRetried(t *testing.T) {
	sim := newSim(t)
	c := newClient(t, sim, osv.Options{BatchSize: 2000}) // more than OSV takes
	pins := make([]osv.Pin, 1001)
	for i := range pins {
		pins[i] = osv.Pin{Name: fmt.Sprintf("p%d", i), Version: "1"}
	}
	_, err := c.Check(context.Background(), pins)
	var se *osv.StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusBadRequest || se.Message != "Too many queries." {
		t.Fatalf("err = %v, want a 400 StatusError with OSV's message", err)
	}
	if n := sim.RequestsOf(indexsim.KindOSVQueryBatch); n != 1 {
		t.Errorf("requests = %d, want 1", n)
	}
}

func TestCheckTimeoutAndCancel(t *testing.T) {
	// The server holds each request until the test ends. (It does not see
	// the client hang up: net/http notices that only once the handler has
	// read the request body.)
	release := make(chan struct{})
	sim := indexsim.New(indexsim.Options{Sleep: func(context.Context, time.Duration) error {
		<-release
		return errors.New("released")
	}})
	t.Cleanup(sim.Close)
	t.Cleanup(func() { close(release) }) // runs before Close
	sim.SetLatency(time.Hour)
	c := newClient(t, sim, osv.Options{Timeout: 20 * time.Millisecond, MaxRetries: -1})
	_, err := c.Check(context.Background(), []osv.Pin{{"django", "4.1"}})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "/v1/querybatch") {
		t.Errorf("timeout: err = %v, want a deadline naming the URL", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Check(ctx, []osv.Pin{{"django", "4.1"}}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
}

func TestCheckBadPinsFailAlone(t *testing.T) {
	sim := newSim(t)
	c := newClient(t, sim, osv.Options{})
	rep, err := c.Check(context.Background(), []osv.Pin{{"django", ""}, {"", "1.0"}, {"django", "4.1"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results[0].Errors) != 1 || !strings.Contains(rep.Results[0].Errors[0].Error(), "django: no version") {
		t.Errorf("no version: %v", rep.Results[0].Errors)
	}
	if len(rep.Results[1].Errors) != 1 {
		t.Errorf("no name: %v", rep.Results[1].Errors)
	}
	if len(rep.Results[2].Advisories) != 2 {
		t.Errorf("good pin: %+v", rep.Results[2])
	}
	if b := sim.OSVBatches(); len(b) != 1 || len(b[0]) != 1 {
		t.Errorf("batches = %+v, want only the good pin sent", b)
	}
}

func TestNewRefusesBadURL(t *testing.T) {
	if _, err := osv.New(osv.Options{URL: "ftp://osv"}); err == nil {
		t.Error("New accepted an ftp URL")
	}
}

func TestCheckCallsPerRun(t *testing.T) {
	for _, tt := range []struct{ pins, calls int }{{0, 0}, {1, 1}, {1000, 1}, {1001, 2}, {2500, 3}} {
		sim := newSim(t)
		c := newClient(t, sim, osv.Options{})
		pins := make([]osv.Pin, tt.pins)
		for i := range pins {
			pins[i] = osv.Pin{Name: fmt.Sprintf("p%d", i), Version: "1.0"}
		}
		rep, err := c.Check(context.Background(), pins)
		if err != nil {
			t.Fatal(err)
		}
		sim.Idle()
		if n := sim.RequestsOf(indexsim.KindOSVQueryBatch); n != int64(tt.calls) || rep.Stats.QueryBatchCalls != tt.calls {
			t.Errorf("%d pins: %d querybatch requests (Stats %d), want %d", tt.pins, n, rep.Stats.QueryBatchCalls, tt.calls)
		}
	}
}
