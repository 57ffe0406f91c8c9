package state

import "time"

// WithLockTimeout sets how long Open waits for the file's lock; tests
// shorten it.
func WithLockTimeout(d time.Duration) Option {
	return func(o *options) { o.lockTimeout = d }
}
