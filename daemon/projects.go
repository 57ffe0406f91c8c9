package daemon

import (
	"context"
	"fmt"
	"slices"

	"github.com/sirupsen/logrus"
)

// SetProjects changes the projects the loop runs, as discovery finds them
// (package discover): a new one gets a worker, which runs it at once and
// then on the schedule; one that left loses its worker after the run in
// flight, if any, and is never run again; the others go on untouched. It
// returns the projects added and removed. After the loop began to stop it
// changes nothing and returns ErrStopped.
func (l *Loop) SetProjects(names []string) (added, removed []string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.state == StateStopping || l.state == StateStopped {
		return nil, nil, fmt.Errorf("set projects: %w", ErrStopped)
	}
	want := map[string]bool{}
	for _, n := range names {
		if n == "" {
			return nil, nil, fmt.Errorf("set projects: empty project name")
		}
		want[n] = true
	}
	var order []*project
	for _, p := range l.order {
		if want[p.name] {
			order = append(order, p)
			continue
		}
		close(p.quit)
		delete(l.projects, p.name)
		removed = append(removed, p.name)
	}
	for _, n := range names {
		if _, ok := l.projects[n]; ok {
			continue
		}
		p := newProject(n)
		l.projects[n] = p
		order = append(order, p)
		added = append(added, n)
		if l.state == StateRunning {
			stop, runCtx := l.stopCtx, l.runCtx
			l.workers.Go(func() { l.work(stop, runCtx, p) })
		}
	}
	l.order = order
	if len(added)+len(removed) > 0 {
		l.log.WithFields(logrus.Fields{"added": added, "removed": removed}).Info("projects changed")
	}
	return added, removed, nil
}

// Refresh calls find on the loop's schedule (at every cron time, from the
// next one on) and gives SetProjects what it returns, until ctx ends or
// the loop stops. A find that fails leaves the projects as they are.
func (l *Loop) Refresh(ctx context.Context, find func(context.Context) ([]string, error)) {
	var fired = l.clock.Now()
	for {
		now := l.clock.Now()
		next := l.sched.Next(later(now, fired))
		if next.IsZero() {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-l.clock.After(next.Sub(now)):
		}
		fired = next
		names, err := find(ctx)
		if err != nil {
			l.log.WithError(err).Warn("finding the projects failed; they stay as they were")
			continue
		}
		if _, _, err := l.SetProjects(slices.Clone(names)); err != nil {
			return
		}
	}
}
