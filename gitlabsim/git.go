package gitlabsim

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"
)

// Commit is one node of a project's commit graph. Its ID is the SHA-1 of
// its content (tree, parents, author, times, message), so identical
// content gives the same ID, as in git.
type Commit struct {
	ID          string
	Parents     []string
	AuthorName  string
	AuthorEmail string
	Message     string
	AuthoredAt  time.Time
	CommittedAt time.Time

	tree tree
	seq  int // creation order; git log order when the clock stands still
}

// Title is the message's first line.
func (c Commit) Title() string { t, _, _ := strings.Cut(c.Message, "\n"); return t }

// Files returns a copy of the commit's full tree.
func (c Commit) Files() map[string][]byte {
	out := make(map[string][]byte, len(c.tree))
	for p, e := range c.tree {
		out[p] = slices.Clone(e.data)
	}
	return out
}

// entry is one file; entries are never mutated once in a tree.
type entry struct {
	data []byte
	exec bool
}

func (e entry) mode() string {
	if e.exec {
		return "100755"
	}
	return "100644"
}

// tree maps a file path to its content; trees are copied, never mutated,
// once a commit holds them.
type tree map[string]entry

// blobID is git's object id for the content.
func blobID(data []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(data))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

func (t tree) id() string {
	h := sha1.New()
	for _, p := range slices.Sorted(maps.Keys(t)) {
		fmt.Fprintf(h, "%s %s\x00%s\n", t[p].mode(), p, blobID(t[p].data))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func sameEntry(a, b entry, okA, okB bool) bool {
	if okA != okB {
		return false
	}
	return !okA || (a.exec == b.exec && string(a.data) == string(b.data))
}

// repo is a project's repository.
type repo struct {
	commits  map[string]*Commit
	branches map[string]string // name -> head sha
	seq      int
}

func newRepo() *repo {
	return &repo{commits: map[string]*Commit{}, branches: map[string]string{}}
}

func (r *repo) empty() bool { return len(r.commits) == 0 }

// write stores a new commit and returns it.
func (r *repo) write(parents []string, t tree, author *User, message string, at time.Time) *Commit {
	h := sha1.New()
	fmt.Fprintf(h, "tree %s\n", t.id())
	for _, p := range parents {
		fmt.Fprintf(h, "parent %s\n", p)
	}
	sig := fmt.Sprintf("%s <%s> %d +0000", author.Name, author.Email, at.Unix())
	fmt.Fprintf(h, "author %s\ncommitter %s\n\n%s", sig, sig, message)
	id := hex.EncodeToString(h.Sum(nil))
	if c, ok := r.commits[id]; ok {
		return c
	}
	r.seq++
	c := &Commit{
		ID: id, Parents: parents,
		AuthorName: author.Name, AuthorEmail: author.Email,
		Message: message, AuthoredAt: at, CommittedAt: at,
		tree: t, seq: r.seq,
	}
	r.commits[id] = c
	return c
}

// resolve finds the commit a ref names: a branch, "HEAD" (the default
// branch), a full SHA or an unambiguous prefix of at least 7 characters.
func (r *repo) resolve(ref, defaultBranch string) *Commit {
	if ref == "HEAD" {
		ref = defaultBranch
	}
	ref = strings.TrimPrefix(ref, "refs/heads/")
	if sha, ok := r.branches[ref]; ok {
		return r.commits[sha]
	}
	if c, ok := r.commits[ref]; ok {
		return c
	}
	if len(ref) < 7 || len(ref) >= 40 {
		return nil
	}
	var found *Commit
	for id, c := range r.commits {
		if strings.HasPrefix(id, ref) {
			if found != nil {
				return nil
			}
			found = c
		}
	}
	return found
}

// ancestors returns sha and everything reachable from it.
func (r *repo) ancestors(sha string) map[string]bool {
	seen := map[string]bool{}
	stack := []string{sha}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[id] {
			continue
		}
		seen[id] = true
		stack = append(stack, r.commits[id].Parents...)
	}
	return seen
}

func (r *repo) isAncestor(a, b string) bool { return r.ancestors(b)[a] }

// mergeBase is a best common ancestor, as git merge-base picks: one that
// is no ancestor of another common ancestor. The newest common ancestor is
// always such a one, since a commit's descendants are created after it.
func (r *repo) mergeBase(a, b string) *Commit {
	inA := r.ancestors(a)
	var best *Commit
	for id := range r.ancestors(b) {
		if c := r.commits[id]; inA[id] && (best == nil || c.seq > best.seq) {
			best = c
		}
	}
	return best
}

// log lists head and its ancestors newest first.
func (r *repo) log(head string) []*Commit {
	var out []*Commit
	for id := range r.ancestors(head) {
		out = append(out, r.commits[id])
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq > out[j].seq })
	return out
}

// between lists the commits reachable from to but not from from, oldest
// first (git log --reverse from..to).
func (r *repo) between(from, to string) []*Commit {
	exclude := r.ancestors(from)
	var out []*Commit
	for _, c := range r.log(to) {
		if !exclude[c.ID] {
			out = append(out, c)
		}
	}
	slices.Reverse(out)
	return out
}

// lastCommitFor is the newest commit at or below head that changed path,
// following git's history simplification: at a merge, follow a parent in
// which the file is unchanged.
func (r *repo) lastCommitFor(head, path string) *Commit {
	c := r.commits[head]
	for c != nil {
		e, ok := c.tree[path]
		if len(c.Parents) == 0 {
			if ok {
				return c
			}
			return nil
		}
		var same *Commit
		for _, pid := range c.Parents {
			p := r.commits[pid]
			pe, pok := p.tree[path]
			if sameEntry(e, pe, ok, pok) {
				same = p
				break
			}
		}
		if same == nil {
			return c
		}
		c = same
	}
	return nil
}

// merge3 merges theirs into ours against base, file by file. A path that
// both sides changed differently is a conflict; GitLab's merge is finer
// (line-level), which only makes this stricter.
func merge3(base, ours, theirs tree) (tree, []string) {
	out := tree{}
	var conflicts []string
	paths := map[string]bool{}
	for _, t := range []tree{base, ours, theirs} {
		for p := range t {
			paths[p] = true
		}
	}
	for p := range paths {
		b, okB := base[p]
		o, okO := ours[p]
		t, okT := theirs[p]
		switch {
		case sameEntry(o, t, okO, okT):
			if okO {
				out[p] = o
			}
		case sameEntry(b, o, okB, okO):
			if okT {
				out[p] = t
			}
		case sameEntry(b, t, okB, okT):
			if okO {
				out[p] = o
			}
		default:
			conflicts = append(conflicts, p)
		}
	}
	slices.Sort(conflicts)
	return out, conflicts
}
