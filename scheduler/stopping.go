package scheduler

import "context"

type stoppingKey struct{}

// WithStopping returns ctx carrying ch, a channel closed when the caller
// (the daemon) begins to stop. A run checks it between updates and stops
// at a safe point with ErrStopping; ctx itself stays live, so a write in
// progress finishes. The daemon's wiring passes daemon.Stopping(ctx) on;
// scheduler does not import daemon.
func WithStopping(ctx context.Context, ch <-chan struct{}) context.Context {
	return context.WithValue(ctx, stoppingKey{}, ch)
}

// stopping is ctx's stop channel; nil (never fires) outside a daemon.
func stopping(ctx context.Context) <-chan struct{} {
	ch, _ := ctx.Value(stoppingKey{}).(<-chan struct{})
	return ch
}
