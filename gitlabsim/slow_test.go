package gitlabsim_test

import (
	"testing"
	"time"
)

// A held project's requests wait for release, by path or id; the other
// projects' requests and the instance-wide ones go through meanwhile.
func TestHoldSlowsOneProject(t *testing.T) {
	f := setup(t)
	other := f.sim.CreateProject("pinwheel/other", "main")
	arrived, release := f.sim.Hold("pinwheel/app")
	defer release()
	done := make(chan error, 1)
	go func() {
		_, _, err := f.client.Projects.GetProject(f.proj.ID, nil) // by id: the same project
		done <- err
	}()
	<-arrived
	if _, _, err := f.client.Projects.GetProject(other.ID, nil); err != nil {
		t.Fatalf("other project while one is held: %v", err)
	}
	if _, _, err := f.client.Users.CurrentUser(); err != nil {
		t.Fatalf("GET /user while a project is held: %v", err)
	}
	select {
	case err := <-done:
		t.Fatalf("held request answered before release (err %v)", err)
	default:
	}
	release()
	if err := <-done; err != nil {
		t.Fatalf("held request after release: %v", err)
	}
	if _, _, err := f.client.Projects.GetProject("pinwheel/app", nil); err != nil {
		t.Fatalf("after release: %v", err)
	}
}

// SetProjectLatency slows one project's requests only.
func TestSetProjectLatency(t *testing.T) {
	f := setup(t)
	other := f.sim.CreateProject("pinwheel/other", "main")
	const d = 300 * time.Millisecond
	f.sim.SetProjectLatency("pinwheel/app", d)
	t0 := time.Now()
	if _, _, err := f.client.Projects.GetProject("pinwheel/app", nil); err != nil {
		t.Fatal(err)
	}
	if slow := time.Since(t0); slow < d {
		t.Errorf("slow project answered in %v, want at least %v", slow, d)
	}
	t0 = time.Now()
	if _, _, err := f.client.Projects.GetProject(other.ID, nil); err != nil {
		t.Fatal(err)
	}
	if fast := time.Since(t0); fast >= d {
		t.Errorf("other project took %v, want less than %v", fast, d)
	}
}
