package deploy

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/internal/golden"
)

func (f *fixture) rollback(req RollbackRequest) (Result, error) {
	f.t.Helper()
	f.advance(time.Hour)
	req.Project, req.Remote = projectPath, f.remoteArg
	return f.d.Rollback(context.Background(), req)
}

func TestRollbackPicksEarlierDeployment(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a, b, c := f.remote.commit("one"), f.remote.commit("two"), f.remote.commit("three")
	for _, sha := range []string{a, b, c, c} {
		f.mustDeploy(sha)
	}
	// Deployments that did not succeed are never targets: this one is left
	// "running" (its branch moved under it and the status update failed).
	f.sim.FailNext(1, 500, "PUT /projects/:id/deployments/:deployment_id")
	d := f.remote.commit("four")
	f.d.beforePush = func(context.Context) error { f.remote.setBranch("production", b); return nil }
	if _, err := f.deploy(d); err == nil {
		t.Fatal("deploy with a moved branch succeeded")
	}
	f.d.beforePush = nil
	f.remote.setBranch("production", c)

	steps := []struct {
		name string
		req  RollbackRequest
		want string // production afterwards
	}{
		// versions, newest first: c b a
		{name: "steps 2 from c", req: RollbackRequest{Steps: 2}, want: a},
		// a c b a
		{name: "to b", req: RollbackRequest{To: b[:9]}, want: b},
		// b a c b a
		{name: "default goes one back", req: RollbackRequest{}, want: a},
		// a b a c b a
		{name: "steps 3", req: RollbackRequest{Steps: 3}, want: c},
	}
	for _, s := range steps {
		before := f.remote.head("production")
		res, err := f.rollback(s.req)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if res.From != before || res.To != s.want {
			t.Errorf("%s: %s → %s, want %s → %s", s.name, short(res.From), short(res.To), short(before), short(s.want))
		}
		if got := f.remote.head("production"); got != s.want {
			t.Errorf("%s: production = %s, want %s", s.name, short(got), short(s.want))
		}
		deps := f.sim.Deployments(f.project)
		if last := deps[len(deps)-1]; last.SHA != s.want || last.Status != "success" {
			t.Errorf("%s: last deployment %s:%s, want %s:success", s.name, short(last.SHA), last.Status, short(s.want))
		}
	}
	f.assertNoToken()
}

func TestRollbackRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a, b := f.remote.commit("one"), f.remote.commit("two")
	f.mustDeploy(a)
	f.mustDeploy(b)
	never := f.remote.commit("never deployed")
	before := f.deployments()

	tests := []struct {
		name    string
		req     RollbackRequest
		wantErr error
	}{
		{name: "to a commit never deployed", req: RollbackRequest{To: never}, wantErr: ErrNoTarget},
		{name: "to the current commit", req: RollbackRequest{To: b}, wantErr: ErrNoTarget},
		{name: "too many steps", req: RollbackRequest{Steps: 2}, wantErr: ErrNoTarget},
		{name: "other environment has none", req: RollbackRequest{Environment: "staging"}, wantErr: ErrNoTarget},
		{name: "to is not a commit id", req: RollbackRequest{To: "production"}, wantErr: ErrInvalidRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.rollback(tt.req)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got := f.remote.head("production"); got != b {
				t.Errorf("production moved to %s", short(got))
			}
			if got := f.deployments(); !equalLists(got, before) {
				t.Errorf("deployments = %v, want %v", got, before)
			}
		})
	}
}

func TestHistoryList(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a, b, c := f.remote.commit("one"), f.remote.commit("two"), f.remote.commit("three")
	f.mustDeploy(a)
	f.mustDeploy(b)
	f.d.beforePush = func(context.Context) error { f.remote.setBranch("production", a); return nil }
	if _, err := f.deploy(c); err == nil {
		t.Fatal("deploy with a moved branch succeeded")
	}
	f.d.beforePush = nil
	f.mustDeploy(c)
	if _, err := f.rollback(RollbackRequest{}); err != nil {
		t.Fatal(err)
	}
	// Another environment's deployments stay out of the list.
	f.advance(time.Hour)
	if _, err := f.d.Deploy(context.Background(), Request{Project: projectPath, SHA: c, Branch: "staging",
		Environment: "staging", Remote: f.remoteArg}); err != nil {
		t.Fatal(err)
	}

	deps, err := f.d.History(context.Background(), projectPath, "production", HistoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := WriteHistory(&out, deps); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "list.golden", out.Bytes())

	limited, err := f.d.History(context.Background(), projectPath, "production", HistoryOptions{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(limited) != 2 || limited[0].ID != deps[0].ID || limited[1].ID != deps[1].ID {
		t.Errorf("limit 2 gave %d deployments, want the newest two of %d", len(limited), len(deps))
	}
	f.assertNoToken(out.String())
}

// A hotfix pushed straight to production and rolled back is on no branch
// any more; rolling forward to it is still a rollback to a deployed commit.
func TestRollbackToCommitOnNoBranch(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := f.remote.commit("one")
	f.mustDeploy(a)
	hotfix := f.remote.commit("hotfix")
	f.remote.setBranch("main", a)
	f.remote.setBranch("production", hotfix)
	f.mustDeploy(hotfix)
	if _, err := f.rollback(RollbackRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.deploy(hotfix); !errors.Is(err, ErrUnknownCommit) {
		t.Fatalf("deploy of the hotfix on no branch: err = %v, want ErrUnknownCommit", err)
	}
	res, err := f.rollback(RollbackRequest{To: hotfix})
	if err != nil {
		t.Fatalf("rollback --to the hotfix: %v", err)
	}
	if res.To != hotfix || f.remote.head("production") != hotfix {
		t.Errorf("rolled to %s, production %s; want %s", short(res.To), short(f.remote.head("production")), short(hotfix))
	}
}
