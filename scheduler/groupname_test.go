package scheduler_test

import (
	"strings"
	"testing"

	"github.com/pinwheel-dev/pinwheel/gitlabsim"
)

// brLasso is the branch of the package group-lasso: it starts like a
// group's branch (pinwheel/group-) but ends like a package's.
const brLasso = "pinwheel/group-lasso-1.x"

// lassoEnv is a grouped project that also pins the package group-lasso,
// after a run that opened its merge request.
func lassoEnv(t *testing.T) *env {
	t.Helper()
	e := groupEnv(t)
	e.editMain(t, "# pins\n", "# pins\ngroup-lasso==1.0.0\n")
	e.release("group-lasso", "1.0.0", released.AddDate(0, -6, 0))
	e.release("group-lasso", "1.1.0", released)
	e.mustRun()
	if mr, ok := e.openMRs()[brLasso]; !ok || mr.Title != "Update group-lasso to 1.1.0" {
		t.Fatalf("no MR of its own for group-lasso: %v", keys(e.openMRs()))
	}
	return e
}

// The package group-lasso is a package, not a group: its merge request
// is closed as obsolete like any package's, and "ignore this version"
// on it works.
func TestPackageNamedLikeGroup(t *testing.T) {
	t.Run("obsolete", func(t *testing.T) {
		e := lassoEnv(t)
		iid := e.mrFor(brLasso).IID
		e.editMain(t, "group-lasso==1.0.0", "group-lasso==1.1.0")
		e.step(t, "pinned by hand")
		st, _, notes := e.mrByIID(t, iid)
		if st != "closed" || len(notes) != 1 || !strings.Contains(notes[0], "already pins group-lasso 1.1.0") {
			t.Errorf("MR !%d: %s, notes %q", iid, st, notes)
		}
	})
	t.Run("ignore this version", func(t *testing.T) {
		e := lassoEnv(t)
		iid := e.mrFor(brLasso).IID
		e.comment(e.person("dev", gitlabsim.DeveloperAccess), iid, "@pinwheel ignore this version")
		e.step(t, "ignore")
		e.wantIgnored(t, iid, "ignore/group-lasso/version/1.1.0")
		if mr, ok := e.openMRs()[brLasso]; ok {
			t.Errorf("ignored version offered again: %q", mr.Title)
		}
	})
}
