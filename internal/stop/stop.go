// Package stop is the one home of the daemon's stop signal: a channel,
// carried in a run's context, that is closed when the daemon begins to
// stop. Package daemon sets it on every run (With); package scheduler
// reads it between two updates (Signal) and stops at a safe point. The
// run's context itself stays live for the daemon's grace period, so a
// write in progress finishes. Neither side imports the other.
package stop

import "context"

type key struct{}

// With returns ctx carrying ch as its stop signal.
func With(ctx context.Context, ch <-chan struct{}) context.Context {
	return context.WithValue(ctx, key{}, ch)
}

// Signal returns ctx's stop signal, for a run to check between steps:
//
//	select {
//	case <-stop.Signal(ctx):
//		return ErrStopping // a safe point; the rest waits for the next run
//	default:
//	}
//
// Outside a daemon run it is nil, which never fires.
func Signal(ctx context.Context) <-chan struct{} {
	ch, _ := ctx.Value(key{}).(<-chan struct{})
	return ch
}
