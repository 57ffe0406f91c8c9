package daemon_test

import (
	"sync"
	"testing"
	"time"
)

// fakeClock is a daemon.Clock whose time moves only by Advance. Tests
// wait for the loop to arm a timer (waitTimers) instead of sleeping.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
	changed chan struct{} // closed and replaced when a timer is armed
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock(now time.Time) *fakeClock {
	return &fakeClock{now: now, changed: make(chan struct{})}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, waiter{at: c.now.Add(d), ch: ch})
	close(c.changed)
	c.changed = make(chan struct{})
	return ch
}

// Advance moves time on by d and fires the timers due, returning how many.
func (c *fakeClock) Advance(d time.Duration) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	fired := 0
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if w.at.After(c.now) {
			kept = append(kept, w)
			continue
		}
		w.ch <- c.now
		fired++
	}
	c.waiters = kept
	return fired
}

// AdvanceTo moves time on to t.
func (c *fakeClock) AdvanceTo(t time.Time) int { return c.Advance(t.Sub(c.Now())) }

// timers counts the armed timers due at at.
func (c *fakeClock) timers(at time.Time) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, w := range c.waiters {
		if w.at.Equal(at) {
			n++
		}
	}
	return n
}

// waitTimers blocks until at least n timers due at at are armed. The
// real-time limit only guards against a hung test; it never paces one.
func (c *fakeClock) waitTimers(t *testing.T, at time.Time, n int) {
	t.Helper()
	limit := time.After(10 * time.Second)
	for {
		c.mu.Lock()
		changed := c.changed
		c.mu.Unlock()
		if c.timers(at) >= n {
			return
		}
		select {
		case <-changed:
		case <-limit:
			t.Fatalf("no %d timers armed for %s; have %d", n, at.Format(time.TimeOnly), c.timers(at))
		}
	}
}

// StepBack moves the wall clock back by d without firing anything, as an
// NTP step does; armed timers keep their due times.
func (c *fakeClock) StepBack(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(-d)
}

// waitArmed blocks until a timer is armed and returns the earliest due
// time.
func (c *fakeClock) waitArmed(t *testing.T) time.Time {
	t.Helper()
	limit := time.After(10 * time.Second)
	for {
		c.mu.Lock()
		changed := c.changed
		var first time.Time
		for _, w := range c.waiters {
			if first.IsZero() || w.at.Before(first) {
				first = w.at
			}
		}
		c.mu.Unlock()
		if !first.IsZero() {
			return first
		}
		select {
		case <-changed:
		case <-limit:
			t.Fatal("no timer armed")
		}
	}
}
