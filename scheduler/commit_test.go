package scheduler_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
)

func fileSHA(filename string) string {
	sum := sha256.Sum256([]byte("indexsim synthesised " + filename + "\n"))
	return hex.EncodeToString(sum[:])
}

// Each update branch is one commit on the target head that changes only
// its pin's line(s) in the constraints file, and the YAML copy.
func TestCommitContent(t *testing.T) {
	e := openAll(t)
	mainHead, _ := e.gl.Branch(e.proj, "main")

	tests := []struct {
		branch, name, to string
		pins             int
	}{
		{brRequests, "requests", "2.32.4", 1},
		{brUrllib3, "urllib3", "2.2.3", 1},
		{brIdna, "idna", "3.10", 1},
		{brCertifi, "certifi", "2024.8.30", 1},
		{brSix, "six", "1.17.0", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			head, ok := e.gl.Branch(e.proj, tc.branch)
			if !ok {
				t.Fatalf("no branch %s", tc.branch)
			}
			commits := e.gl.Commits(e.proj, head)
			if len(commits) < 2 || commits[0].Parents[0] != mainHead || len(commits[0].Parents) != 1 {
				t.Fatalf("branch is not one commit on main")
			}
			changes := e.gl.CommitDiff(e.proj, head)
			if len(changes) != 2 || changes[0].NewPath != "constraints.txt" || changes[1].NewPath != "pipeline/constraints.yml" {
				t.Fatalf("changes: %+v", changes)
			}
			oldLines := strings.Split(string(changes[0].Old), "\n")
			newLines := strings.Split(string(changes[0].New), "\n")
			if got := strings.Count(string(changes[0].New), tc.name+"=="+tc.to); got != tc.pins {
				t.Errorf("%d pins at %s, want %d:\n%s", got, tc.to, tc.pins, changes[0].New)
			}
			if a, b := others(oldLines, tc.name), others(newLines, tc.name); strings.Join(a, "\n") != strings.Join(b, "\n") {
				t.Errorf("other lines changed:\n%s\n---\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
			}
			yaml := string(changes[1].New)
			if !strings.Contains(yaml, tc.name+`: "`+tc.to+`"`) || !changes[1].NewFile {
				t.Errorf("yaml:\n%s", yaml)
			}
			if tc.name != "requests" && !strings.Contains(yaml, `requests: "2.31.0"`) {
				t.Errorf("yaml changed another pin:\n%s", yaml)
			}
		})
	}

	// The hashed pin carries the new release's hashes and not the old one.
	head, _ := e.gl.Branch(e.proj, brUrllib3)
	data, _ := e.gl.File(e.proj, head, "constraints.txt")
	for _, f := range []string{"urllib3-2.2.3.tar.gz", "urllib3-2.2.3-py3-none-any.whl"} {
		if !strings.Contains(string(data), "--hash=sha256:"+fileSHA(f)) {
			t.Errorf("no hash of %s:\n%s", f, data)
		}
	}
	if strings.Contains(string(data), oldHash) {
		t.Errorf("old hash kept:\n%s", data)
	}
	// The MR says so, and names the digests a reviewer can check.
	desc := e.mrFor(brUrllib3).Description
	for _, f := range []string{"urllib3-2.2.3.tar.gz", "urllib3-2.2.3-py3-none-any.whl"} {
		if !strings.Contains(desc, "`sha256:"+fileSHA(f)+"`") {
			t.Errorf("the MR description lacks the hash of %s:\n%s", f, desc)
		}
	}
	// six is pinned on two lines (markers): the MR lists both.
	if six := e.mrFor(brSix).Description; !strings.Contains(six, "pinned on several lines") {
		t.Errorf("six's MR does not say both lines move:\n%s", six)
	}
}

// others drops the lines of the named pin and its hash continuations.
func others(lines []string, name string) []string {
	var out []string
	for _, l := range lines {
		if strings.HasPrefix(l, name+"==") || strings.HasPrefix(strings.TrimSpace(l), "--hash=") {
			continue
		}
		out = append(out, l)
	}
	return out
}

// The target moves between the run's read of the constraints file and its
// commit, changing another pin. The update commit still sits on the head
// it was computed from, so it never reverts the other change (which
// auto-merge would then merge).
func TestTargetMovesDuringTheBuild(t *testing.T) {
	e := newEnv(t, unlimited+"    automerge: [minor, patch, major]\n")
	e.clock.Set(saturday)
	read, _ := e.gl.Branch(e.proj, "main")
	moved := false
	e.hook = func(r *http.Request) error {
		if !moved && r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/repository/commits") {
			moved = true
			data, _ := e.gl.File(e.proj, "main", "constraints.txt")
			e.gl.Commit(e.proj, "main", "Bump idna by hand", map[string]string{
				"constraints.txt": strings.Replace(string(data), "idna==3.4", "idna==3.7", 1),
			})
		}
		return nil
	}
	e.mustRun()
	e.hook = nil
	head, _ := e.gl.Branch(e.proj, brRequests)
	if c := e.gl.Commits(e.proj, head)[0]; len(c.Parents) != 1 || c.Parents[0] != read {
		t.Fatalf("the update commit is not on the head the run read")
	}
	for _, ch := range e.gl.CommitDiff(e.proj, head) {
		if strings.Contains(string(ch.Old), "idna") && !strings.Contains(string(ch.Old), "idna==3.4") {
			t.Errorf("the update commit reverts the target's change to idna:\n%s", ch.New)
		}
	}
	if data, _ := e.gl.File(e.proj, "main", "constraints.txt"); !strings.Contains(string(data), "idna==3.7") {
		t.Errorf("main lost the hand-made idna bump:\n%s", data)
	}
}
