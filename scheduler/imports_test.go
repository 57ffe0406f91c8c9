package scheduler_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The scheduler is the per-project run; the daemon decides when runs
// happen and calls it. Neither the scheduler nor what it imports may
// import the daemon (the stop signal comes in through package internal/stop).
func TestSchedulerDoesNotImportDaemon(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/pinwheel-dev/pinwheel/scheduler").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list listed too little: %q", deps)
	}
	for _, forbidden := range []string{"github.com/pinwheel-dev/pinwheel/daemon", "github.com/pinwheel-dev/pinwheel/cmd/pinwheel"} {
		for _, d := range deps {
			if d == forbidden {
				t.Errorf("scheduler depends on %s", forbidden)
			}
		}
	}
}
