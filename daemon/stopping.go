package daemon

import "context"

type stoppingKey struct{}

// Stopping returns a channel that is closed when the daemon begins to stop,
// for a run to check between steps:
//
//	select {
//	case <-daemon.Stopping(ctx):
//		return report, nil // stop at a safe point; the rest waits for the next run
//	default:
//	}
//
// The run's ctx itself stays live for LoopConfig.Grace after the stop, so
// a write in progress can finish. Outside a daemon run the channel is nil,
// which never fires.
func Stopping(ctx context.Context) <-chan struct{} {
	ch, _ := ctx.Value(stoppingKey{}).(<-chan struct{})
	return ch
}

// WithStopping returns ctx carrying ch as its Stopping channel. The loop
// sets it on every run; tests of a RunFunc use it to stop one.
func WithStopping(ctx context.Context, ch <-chan struct{}) context.Context {
	return context.WithValue(ctx, stoppingKey{}, ch)
}
