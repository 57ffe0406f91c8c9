package registry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/pinwheel-dev/pinwheel/indexsim"
)

func TestLookupRetries(t *testing.T) {
	clock := newFakeClock()
	tests := []struct {
		name       string
		faults     []indexsim.Fault
		maxRetries int
		wantErr    string // "" for success
		wantSleeps []time.Duration
		maxSleeps  []time.Duration // bounds for jittered waits
		requests   int64
	}{
		{name: "500 then success", faults: []indexsim.Fault{{Count: 2, Status: 500}},
			maxSleeps: []time.Duration{500 * time.Millisecond, time.Second}, requests: 3},
		{name: "dropped connection", faults: []indexsim.Fault{{Count: 1, Drop: true}},
			maxSleeps: []time.Duration{500 * time.Millisecond}, requests: 2},
		{name: "429 Retry-After seconds", faults: []indexsim.Fault{{Count: 1, Status: 429, RetryAfter: "7"}},
			wantSleeps: []time.Duration{7 * time.Second}, requests: 2},
		{name: "503 Retry-After date", faults: []indexsim.Fault{{Count: 1, Status: 503, RetryAfter: clock.Now().Add(5 * time.Second).Format(http.TimeFormat)}},
			wantSleeps: []time.Duration{5 * time.Second}, requests: 2},
		{name: "Retry-After capped", faults: []indexsim.Fault{{Count: 1, Status: 429, RetryAfter: "3600"}},
			wantSleeps: []time.Duration{30 * time.Second}, requests: 2},
		{name: "Retry-After past int64 nanoseconds", faults: []indexsim.Fault{{Count: 1, Status: 429, RetryAfter: "9300000000"}},
			wantSleeps: []time.Duration{30 * time.Second}, requests: 2},
		{name: "gives up", faults: []indexsim.Fault{{Count: 10, Status: 503}}, maxRetries: 2,
			wantErr: "503 Service Unavailable (gave up after 3 attempts)", maxSleeps: []time.Duration{500 * time.Millisecond, time.Second}, requests: 3},
		{name: "gives up on the network", faults: []indexsim.Fault{{Count: 10, Drop: true}}, maxRetries: 1,
			wantErr: "(gave up after 2 attempts)", maxSleeps: []time.Duration{500 * time.Millisecond}, requests: 2},
		{name: "403 is not retried", faults: []indexsim.Fault{{Count: 10, Status: 403}},
			wantErr: "403 Forbidden", requests: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := newSim(t, indexsim.Options{})
			publishFixture(sim)
			for _, f := range tt.faults {
				sim.Inject(f)
			}
			c, sl := newClient(t, sim, func(o *Options) { o.MaxRetries = tt.maxRetries; o.Clock = clock.Now })
			p, err := c.Lookup(context.Background(), "zope-interface", "")
			if tt.wantErr == "" {
				if err != nil || len(p.Releases) != 5 {
					t.Fatalf("err = %v", err)
				}
			} else if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			got := sl.all()
			if tt.wantSleeps != nil && fmt.Sprint(got) != fmt.Sprint(tt.wantSleeps) {
				t.Errorf("slept %v, want %v", got, tt.wantSleeps)
			}
			if tt.maxSleeps != nil {
				if len(got) != len(tt.maxSleeps) {
					t.Fatalf("slept %v, want %d waits", got, len(tt.maxSleeps))
				}
				for i, d := range got {
					if d < 0 || d > tt.maxSleeps[i] {
						t.Errorf("wait %d = %v, want within [0, %v]", i, d, tt.maxSleeps[i])
					}
				}
			}
			if n := sim.Requests(); n != tt.requests {
				t.Errorf("requests = %d, want %d", n, tt.requests)
			}
		})
	}
}

func TestLookupStopsWhenCancelled(t *testing.T) {
	sim := newSim(t, indexsim.Options{})
	publishFixture(sim)
	sim.FailNext(5, 500)
	ctx, cancel := context.WithCancel(context.Background())
	c, _ := newClient(t, sim, func(o *Options) {
		o.Sleep = func(ctx context.Context, _ time.Duration) error { cancel(); return ctx.Err() }
	})
	if _, err := c.Lookup(ctx, "zope-interface", ""); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := sim.Requests(); n != 1 {
		t.Errorf("requests = %d, want 1", n)
	}
}

func TestLookupCapsResponses(t *testing.T) {
	sim := newSim(t, indexsim.Options{})
	publishFixture(sim)
	c, _ := newClient(t, sim, func(o *Options) { o.MaxResponseBytes = 200 })
	_, err := c.Lookup(context.Background(), "zope-interface", "")
	if !errors.Is(err, ErrResponseTooLarge) {
		t.Fatalf("err = %v, want ErrResponseTooLarge", err)
	}
	if n := sim.Requests(); n != 1 {
		t.Errorf("requests = %d, want 1 (no retry)", n)
	}
}

func TestLookupBoundsConcurrency(t *testing.T) {
	sim := newSim(t, indexsim.Options{Sleep: newGate(3).Sleep}) // the first 3 requests wait for each other
	for i := range 20 {
		sim.AddRelease(fmt.Sprintf("proj%d", i), "1.0")
	}
	sim.SetLatency(time.Millisecond)
	c, _ := newClient(t, sim, func(o *Options) { o.Concurrency = 3 })
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Lookup(context.Background(), fmt.Sprintf("proj%d", i), "1.0")
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := sim.Requests(); n != 40 {
		t.Errorf("requests = %d, want 40", n)
	}
	if peak := sim.MaxInFlight(); peak != 3 {
		t.Errorf("peak in flight = %d, want the limit, 3", peak)
	}
}

func TestCredentialsAreSentAndNeverShown(t *testing.T) {
	const user, pass = "alice", "s3cret-Pa55"
	sim := newSim(t, indexsim.Options{})
	publishFixture(sim)
	sim.RequireAuth(user, pass)
	var logs bytes.Buffer
	logger := logrus.New()
	logger.SetOutput(&logs)
	logger.SetLevel(logrus.DebugLevel)
	withUserinfo := strings.Replace(sim.IndexURL(), "http://", "http://"+user+":"+pass+"@", 1)
	tests := []struct {
		name    string
		edit    func(*Options)
		wantErr bool
	}{
		{"options", func(o *Options) { o.Username, o.Password = user, pass }, false},
		{"userinfo in the index URL", func(o *Options) { o.IndexURL = withUserinfo }, false},
		{"wrong password", func(o *Options) { o.Username, o.Password = user, pass+"x" }, true},
		{"none", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newClient(t, sim, func(o *Options) {
				o.Logger = logrus.NewEntry(logger)
				if tt.edit != nil {
					tt.edit(o)
				}
			})
			_, err := c.Lookup(context.Background(), "zope-interface", "1.0")
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), "401") {
				t.Errorf("err = %v, want a 401", err)
			}
			if err != nil && strings.Contains(err.Error(), pass) {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
	// Errors that carry a URL (here: the server is gone) must not show
	// the userinfo either, and retries are logged without it.
	c, _ := newClient(t, sim, func(o *Options) {
		o.IndexURL = withUserinfo
		o.Logger = logrus.NewEntry(logger)
		o.MaxRetries = 1
	})
	sim.Close()
	_, err := c.Lookup(context.Background(), "zope-interface", "")
	if err == nil {
		t.Fatal("lookup against a closed server succeeded")
	}
	for what, text := range map[string]string{"error": err.Error(), "log": logs.String()} {
		if strings.Contains(text, pass) || strings.Contains(text, user+":") || strings.Contains(text, user+"@") {
			t.Errorf("%s shows credentials: %s", what, text)
		}
	}
	if !strings.Contains(logs.String(), "retrying") {
		t.Errorf("no retry was logged: %s", logs.String())
	}
}
