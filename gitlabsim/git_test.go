package gitlabsim

import (
	"testing"
	"time"
)

func TestGraph(t *testing.T) {
	r := newRepo()
	u := &User{Name: "t", Email: "t@example.com"}
	at := time.Unix(0, 0)
	root := r.write(nil, tree{"f": {data: []byte("1")}, "g": {data: []byte("g")}}, u, "root", at)
	side := r.write([]string{root.ID}, tree{"f": {data: []byte("1")}, "g": {data: []byte("g2")}}, u, "side", at)
	main := r.write([]string{root.ID}, tree{"f": {data: []byte("2")}, "g": {data: []byte("g")}}, u, "main", at)
	merged, conflicts := merge3(root.tree, main.tree, side.tree)
	if len(conflicts) != 0 || string(merged["f"].data) != "2" || string(merged["g"].data) != "g2" {
		t.Fatalf("merge3 = %v %v", merged, conflicts)
	}
	m := r.write([]string{main.ID, side.ID}, merged, u, "merge", at)
	side2 := r.write([]string{side.ID}, tree{"f": {data: []byte("1")}, "g": {data: []byte("g3")}}, u, "side2", at)

	if got := r.mergeBase(m.ID, side2.ID); got != side {
		t.Fatalf("merge base after merge = %v, want side", got.Message)
	}
	if !r.isAncestor(root.ID, m.ID) || r.isAncestor(side2.ID, m.ID) {
		t.Fatal("ancestry wrong")
	}
	// f last changed on main; g came in through the merge from side.
	if got := r.lastCommitFor(m.ID, "f"); got != main {
		t.Fatalf("last commit for f = %s", got.Message)
	}
	if got := r.lastCommitFor(m.ID, "g"); got != side {
		t.Fatalf("last commit for g = %s", got.Message)
	}
	if got := r.between(root.ID, m.ID); len(got) != 3 || got[2] != m {
		t.Fatalf("between = %d commits", len(got))
	}
	_, conflicts = merge3(side.tree, m.tree, side2.tree)
	if len(conflicts) != 0 {
		t.Fatalf("unexpected conflicts %v", conflicts)
	}
	_, conflicts = merge3(root.tree, main.tree, tree{"f": {data: []byte("3")}})
	if len(conflicts) != 1 || conflicts[0] != "f" {
		t.Fatalf("conflicts = %v, want [f]", conflicts)
	}
}

func TestCommitIDIsContentAddressed(t *testing.T) {
	r := newRepo()
	u := &User{Name: "t", Email: "t@example.com"}
	at := time.Unix(100, 0)
	a := r.write(nil, tree{"f": {data: []byte("x")}}, u, "m", at)
	b := r.write(nil, tree{"f": {data: []byte("x")}}, u, "m", at)
	c := r.write(nil, tree{"f": {data: []byte("y")}}, u, "m", at)
	if a.ID != b.ID || a.ID == c.ID || len(a.ID) != 40 {
		t.Fatalf("ids %s %s %s", a.ID, b.ID, c.ID)
	}
	if blobID([]byte("hello\n")) != "ce013625030ba8dba906f756967f9e9ca394464a" {
		t.Fatal("blob id differs from git hash-object")
	}
}
