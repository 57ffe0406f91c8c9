package stop_test

import (
	"context"
	"testing"

	"github.com/pinwheel-dev/pinwheel/internal/stop"
)

func TestSignal(t *testing.T) {
	closed := make(chan struct{})
	close(closed)
	for _, tc := range []struct {
		name      string
		ctx       context.Context
		wantFires bool
		wantNil   bool
	}{
		{"outside a daemon", context.Background(), false, true},
		{"running", stop.With(context.Background(), make(chan struct{})), false, false},
		{"stopping", stop.With(context.Background(), closed), true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch := stop.Signal(tc.ctx)
			if (ch == nil) != tc.wantNil {
				t.Errorf("Signal is nil: %v, want %v", ch == nil, tc.wantNil)
			}
			fired := false
			select {
			case <-ch:
				fired = true
			default:
			}
			if fired != tc.wantFires {
				t.Errorf("fired: %v, want %v", fired, tc.wantFires)
			}
		})
	}
}
