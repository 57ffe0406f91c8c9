package shard

import (
	"fmt"
	"hash/fnv"
	"strings"
	"testing"

	"github.com/pinwheel-dev/pinwheel/internal/golden"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in, host string
		want     Shard
		err      string // substring; "" = no error
	}{
		{in: "", want: All},
		{in: "  ", want: All},
		{in: "0/1", want: Shard{0, 1}},
		{in: "2/3", want: Shard{2, 3}},
		{in: " 1/4 ", want: Shard{1, 4}},
		{in: "1023/1024", want: Shard{1023, 1024}},
		{in: "/3", host: "pinwheel-2", want: Shard{2, 3}},
		{in: "/3", host: "pinwheel-0.pinwheel.ops.svc.cluster.local", want: Shard{0, 3}},
		{in: "/12", host: "my-fleet-pinwheel-11", want: Shard{11, 12}},
		{in: "/3", host: "pinwheel-3", err: `index 3 must be below the count 3`},
		{in: "/3", host: "pinwheel", err: `host name "pinwheel" does not end in -<ordinal>`},
		{in: "/3", host: "pinwheel-x", err: `does not end in -<ordinal>`},
		{in: "/3", host: "", err: `host name "" does not end`},
		{in: "3", err: `want K/N`},
		{in: "3/3", err: `index 3 must be below the count 3 (instances are numbered from 0)`},
		{in: "1/0", err: `count 0 must be between 1 and 1024`},
		{in: "0/1025", err: `count 1025 must be between 1 and 1024`},
		{in: "-1/3", err: `index "-1": not a decimal number`},
		{in: "+1/3", err: `index "+1": not a decimal number`},
		{in: "1/+3", err: `count "+3": not a decimal number`},
		{in: "1/3/4", err: `count "3/4": not a decimal number`},
		{in: "1 /3", err: `index "1 ": not a decimal number`},
		{in: "0/99999999999999999999", err: `not a decimal number`},
		{in: "a/b", err: `count "b"`},
	}
	for _, tt := range tests {
		t.Run(tt.in+"@"+tt.host, func(t *testing.T) {
			got, err := Parse(tt.in, tt.host)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Parse(%q, %q) = %v, %v; want error containing %q", tt.in, tt.host, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Parse(%q, %q) = %v, %v; want %v", tt.in, tt.host, got, err, tt.want)
			}
			if tt.in != "" && strings.Contains(tt.in, "/") && !strings.HasPrefix(strings.TrimSpace(tt.in), "/") && got.String() != strings.TrimSpace(tt.in) {
				t.Errorf("String() = %q, want %q", got.String(), strings.TrimSpace(tt.in))
			}
		})
	}
}

func TestResolve(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == EnvVar {
				return v
			}
			return ""
		}
	}
	tests := []struct {
		name, flag, env, host string
		want                  Shard
		err                   string
	}{
		{name: "nothing set", want: All},
		{name: "flag", flag: "1/2", want: Shard{1, 2}},
		{name: "flag wins over env", flag: "1/2", env: "0/5", want: Shard{1, 2}},
		{name: "env", env: "4/5", want: Shard{4, 5}},
		{name: "env with ordinal", env: "/5", host: "pinwheel-3", want: Shard{3, 5}},
		{name: "bad flag named", flag: "5/5", err: "--shard: shard \"5/5\""},
		{name: "bad env named", env: "x", err: "PINWHEEL_SHARD: shard \"x\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Resolve(tt.flag, env(tt.env), tt.host)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Resolve = %v, %v; want error containing %q", got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Resolve = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// TestJumpVectors checks jump against the test vectors published with
// other implementations of the paper's function.
func TestJumpVectors(t *testing.T) {
	tests := []struct {
		key     uint64
		buckets int
		want    int
	}{
		{1, 1, 0},
		{42, 57, 43},
		{0xDEAD10CC, 1, 0},
		{0xDEAD10CC, 666, 361},
		{256, 1024, 520},
	}
	for _, tt := range tests {
		if got := jump(tt.key, tt.buckets); got != tt.want {
			t.Errorf("jump(%#x, %d) = %d, want %d", tt.key, tt.buckets, got, tt.want)
		}
	}
}

// TestOwnerGolden pins Owner: a change of the function moves projects
// between running instances, so it must fail here first.
func TestOwnerGolden(t *testing.T) {
	// A few inline so a reader sees the function at work without the file.
	inline := []struct {
		id          int64
		count, want int
	}{
		{1, 1, 0},
		{1, 2, 1},
		{278964, 4, 1},
		{13083, 3, 1},
		{4213, 1024, 923},
	}
	for _, tt := range inline {
		if got := Owner(tt.id, tt.count); got != tt.want {
			t.Errorf("Owner(%d, %d) = %d, want %d", tt.id, tt.count, got, tt.want)
		}
	}
	ids := []int64{0, 1, 2, 3, 7, 10, 42, 99, 100, 1000, 4213, 13083, 278964, 1234567, 2147483647, 9007199254740993, 9223372036854775807}
	counts := []int{1, 2, 3, 4, 5, 8, 16, 100, 1024}
	var b strings.Builder
	fmt.Fprintf(&b, "# id fnv1a64(decimal id) then the owner for N = %v\n", counts)
	for _, id := range ids {
		h := fnv.New64a()
		h.Write([]byte(fmt.Sprint(id)))
		fmt.Fprintf(&b, "%d %016x", id, h.Sum64())
		for _, n := range counts {
			fmt.Fprintf(&b, " %d", Owner(id, n))
		}
		b.WriteByte('\n')
	}
	golden.Check(t, "owners.txt", []byte(b.String()))
}

func TestOwnerSpreadAndMoves(t *testing.T) {
	// GitLab ids are dense in practice: 1..N of a big instance.
	const projects = 20000
	for _, n := range []int{2, 3, 4, 7, 16} {
		counts := make([]int, n)
		moved := 0
		for id := int64(1); id <= projects; id++ {
			o := Owner(id, n)
			if o < 0 || o >= n {
				t.Fatalf("Owner(%d, %d) = %d, out of range", id, n, o)
			}
			counts[o]++
			// Growing the fleet by one moves a project only to the new
			// instance, never between old ones.
			if p := Owner(id, n+1); p != o {
				if p != n {
					t.Fatalf("Owner(%d): %d of %d became %d of %d, not the new instance", id, o, n, p, n+1)
				}
				moved++
			}
		}
		for k, c := range counts {
			if want := projects / n; c < want*9/10 || c > want*11/10 {
				t.Errorf("N=%d: instance %d owns %d of %d projects, want %d ± 10%%", n, k, c, projects, want)
			}
		}
		if want := projects / (n + 1); moved < want*8/10 || moved > want*12/10 {
			t.Errorf("N=%d→%d: %d projects moved, want about %d", n, n+1, moved, want)
		}
	}
}

func TestOwnsPartitions(t *testing.T) {
	for _, n := range []int{1, 3, 8} {
		for id := int64(1); id <= 500; id++ {
			owners := 0
			for k := 0; k < n; k++ {
				if (Shard{k, n}).Owns(id) {
					owners++
				}
			}
			if owners != 1 {
				t.Fatalf("project %d has %d owners among %d shards, want 1", id, owners, n)
			}
		}
	}
}
