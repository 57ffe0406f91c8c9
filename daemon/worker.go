package daemon

import (
	"context"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/pinwheel-dev/pinwheel/metrics"
)

// project is one configured project and its worker's state.
type project struct {
	name string
	// kick wakes the worker after Trigger; one queued wake-up is enough
	// because Pending carries the request itself.
	kick chan struct{}
	// quit is closed when the project leaves the loop (SetProjects).
	quit chan struct{}

	mu     sync.Mutex
	status ProjectStatus
}

func newProject(name string) *project {
	return &project{name: name, kick: make(chan struct{}, 1), quit: make(chan struct{})}
}

func (p *project) snapshot() ProjectStatus {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.status
	s.Project = p.name
	return s
}

func (p *project) pending() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status.Pending
}

// work is a project's worker: the goroutine that runs it, one run at a
// time. (A project that leaves and comes back gets a new worker while the
// old one's run may still be in flight; the RunFunc serialises those.)
func (l *Loop) work(stop, runCtx context.Context, p *project) {
	l.runOnce(stop, runCtx, p, "start")
	var fired time.Time // the scheduled time of the last tick that fired
	tick, due := l.arm(p, fired)
	var debounce <-chan time.Time
	for {
		var reason string
		select {
		case <-stop.Done():
			return
		case <-p.quit:
			return
		case <-p.kick:
			if debounce == nil {
				debounce = l.clock.After(l.debounce)
			}
			continue
		case <-debounce:
			debounce = nil
			if !p.pending() { // a scheduled run took the trigger along
				continue
			}
			reason = "trigger"
		case <-tick:
			reason, fired = "schedule", due
		}
		l.runOnce(stop, runCtx, p, reason)
		// Re-arming drops a tick that passed during the run.
		tick, due = l.arm(p, fired)
		if debounce == nil && p.pending() {
			debounce = l.clock.After(l.debounce)
		}
	}
}

// arm returns a channel that fires at the project's next scheduled time
// after both now and fired (the tick that fired last), and that time; nil
// if the schedule never fires again. Counting from fired too keeps a
// timer that fires while the wall clock reads a little before its tick
// (the clock was stepped back, or slewed, during the wait: timers run on
// the monotonic clock) from scheduling that same tick again.
func (l *Loop) arm(p *project, fired time.Time) (<-chan time.Time, time.Time) {
	now := l.clock.Now()
	next := l.sched.Next(later(now, fired))
	p.mu.Lock()
	p.status.NextRun = next
	p.mu.Unlock()
	if next.IsZero() {
		return nil, next
	}
	return l.clock.After(next.Sub(now)), next
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// runOnce runs p once, unless the daemon stops while it waits for a slot.
func (l *Loop) runOnce(stop, runCtx context.Context, p *project, reason string) {
	select {
	case l.sem <- struct{}{}:
	case <-stop.Done():
		return
	case <-p.quit:
		return
	}
	defer func() { <-l.sem }()
	if stop.Err() != nil {
		return
	}
	select {
	case <-p.quit: // left the loop while it waited for a slot
		return
	default:
	}

	log := l.log.WithFields(logrus.Fields{"project": p.name, "reason": reason})
	start := l.clock.Now()
	p.mu.Lock()
	p.status.Running = true
	p.status.Pending = false // this run covers every trigger so far
	p.mu.Unlock()
	log.Debug("run started")

	res, err := l.run(runCtx, p.name)

	end := l.clock.Now()
	p.mu.Lock()
	p.status.Running = false
	p.status.Runs++
	p.status.LastRun = end
	p.status.LastErr = err
	if err == nil {
		p.status.LastSuccess = end
	}
	p.mu.Unlock()

	l.metrics.ObserveRun(metrics.Run{
		Project:      p.name,
		Duration:     end.Sub(start),
		Finished:     end,
		UpdatesFound: res.UpdatesFound,
		MRsOpened:    res.MRsOpened,
		MRsUpdated:   res.MRsUpdated,
		Err:          err,
	})
	log = log.WithFields(logrus.Fields{
		"duration":      end.Sub(start).Round(time.Millisecond).String(),
		"updates_found": res.UpdatesFound,
		"mrs_opened":    res.MRsOpened,
		"mrs_updated":   res.MRsUpdated,
	})
	if err != nil {
		log.WithError(err).Error("run failed")
		return
	}
	log.Info("run finished")
}
