// Package shard splits a fleet of GitLab projects between several pinwheel
// instances, so that each project is owned by exactly one of them.
//
// A Shard is "K of N": instance K (0 <= K < N) of N. It owns a project when
// Owner of the project's numeric GitLab id is K. The id, not the path, is
// hashed: a project keeps its id when it is renamed or moved to another
// group, so it keeps its shard. Owner is a pure function of the id and N,
// documented below and pinned by golden values in the tests, so every
// version of pinwheel on every architecture agrees on who owns what; a
// change of N moves as few projects as it can (about 1/N of them when one
// instance is added).
//
// Moving a project between instances is safe because GitLab, not the state
// file, is the source of truth: the new owner finds the dashboard issue and
// the merge requests by title, label, author and branch, and never creates
// them twice.
//
// This package decides; it talks to nobody. Filter answers Owns for the
// projects as the config names them (a path costs one look-up of its id,
// through a function the caller gives it); the daemon asks it before
// running a project, and forwards a webhook for a project it does not own
// (the hook carries the id) to the owner's address from Addresses.
package shard

import (
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// EnvVar is the environment variable that carries the shard when the
// --shard flag is not given.
const EnvVar = "PINWHEEL_SHARD"

// MaxCount bounds N: far more instances than any GitLab needs, and small
// enough that a typo like "0/40000" is caught.
const MaxCount = 1024

// Shard is one instance's share of the fleet: Index K of Count N.
// The zero value is not valid; All is the only instance of a fleet of one.
type Shard struct {
	Index int
	Count int
}

// All is the shard of an instance that runs alone and owns every project.
var All = Shard{Index: 0, Count: 1}

// String returns "K/N", the form Parse reads.
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Owns reports whether the project with GitLab id projectID is this
// shard's.
func (s Shard) Owns(projectID int64) bool { return Owner(projectID, s.Count) == s.Index }

// Parse reads a shard as given to --shard or in PINWHEEL_SHARD:
//
//   - "K/N": instance K of N, 0 <= K < N <= MaxCount;
//   - "/N": instance K of N where K is the ordinal at the end of hostname,
//     as a Kubernetes StatefulSet names its pods ("pinwheel-2" is 2). A
//     fully qualified hostname is cut at its first dot.
//
// An empty s is All.
func Parse(s, hostname string) (Shard, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return All, nil
	}
	k, n, ok := strings.Cut(s, "/")
	if !ok {
		return Shard{}, fmt.Errorf("shard %q: want K/N (instance K of N, from 0) or /N (K from the host name's -<ordinal>)", s)
	}
	count, err := parseNumber(n)
	if err != nil {
		return Shard{}, fmt.Errorf("shard %q: count %q: %w", s, n, err)
	}
	if count < 1 || count > MaxCount {
		return Shard{}, fmt.Errorf("shard %q: count %d must be between 1 and %d", s, count, MaxCount)
	}
	var index int
	if k == "" {
		index, err = Ordinal(hostname)
		if err != nil {
			return Shard{}, fmt.Errorf("shard %q: %w", s, err)
		}
	} else if index, err = parseNumber(k); err != nil {
		return Shard{}, fmt.Errorf("shard %q: index %q: %w", s, k, err)
	}
	if index >= count {
		return Shard{}, fmt.Errorf("shard %q: index %d must be below the count %d (instances are numbered from 0)", s, index, count)
	}
	return Shard{Index: index, Count: count}, nil
}

// Resolve picks the shard from the --shard flag's value, else from the
// PINWHEEL_SHARD variable (read with getenv), else All; hostname serves
// the "/N" form.
func Resolve(flag string, getenv func(string) string, hostname string) (Shard, error) {
	if strings.TrimSpace(flag) != "" {
		s, err := Parse(flag, hostname)
		if err != nil {
			return Shard{}, fmt.Errorf("--shard: %w", err)
		}
		return s, nil
	}
	s, err := Parse(getenv(EnvVar), hostname)
	if err != nil {
		return Shard{}, fmt.Errorf("%s: %w", EnvVar, err)
	}
	return s, nil
}

// Ordinal returns the ordinal a StatefulSet puts at the end of its pods'
// names: 3 for "pinwheel-3" or "pinwheel-3.pinwheel.ops.svc.cluster.local".
func Ordinal(hostname string) (int, error) {
	host, _, _ := strings.Cut(hostname, ".")
	i := strings.LastIndexByte(host, '-')
	if i < 0 {
		return 0, fmt.Errorf("host name %q does not end in -<ordinal> (like a StatefulSet's pinwheel-0); give K/N", hostname)
	}
	n, err := parseNumber(host[i+1:])
	if err != nil {
		return 0, fmt.Errorf("host name %q does not end in -<ordinal> (like a StatefulSet's pinwheel-0); give K/N", hostname)
	}
	return n, nil
}

var errNotNumber = errors.New("not a decimal number")

// parseNumber reads a non-negative decimal without sign or spaces.
func parseNumber(s string) (int, error) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" || len(s) > 9 {
		return 0, errNotNumber
	}
	return strconv.Atoi(s)
}

// Owner returns the index (0 <= index < count) of the instance that owns
// the project with GitLab id projectID in a fleet of count instances. A
// count below 2 has one owner, 0.
//
// The function, which must never change (golden values in the tests hold
// it): the key is the 64-bit FNV-1a hash of the id's decimal digits
// ("4213"; strconv.FormatInt(id, 10)), and the owner is Lamping and
// Veach's jump consistent hash of that key into count buckets
// (https://arxiv.org/abs/1406.2294). Jump hashing, unlike key % count,
// moves only the projects the new instance takes when count grows by one.
func Owner(projectID int64, count int) int {
	if count < 2 {
		return 0
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(strconv.FormatInt(projectID, 10)))
	return jump(h.Sum64(), count)
}

// jump is the jump consistent hash from the paper, with the same 64-bit
// linear congruential generator and float64 arithmetic. Each step is one
// IEEE 754 division and one multiplication, rounded separately (explicit
// conversions forbid fusing them), so the result is the same everywhere.
func jump(key uint64, buckets int) int {
	var b, j int64 = -1, 0
	for j < int64(buckets) {
		b = j
		key = key*2862933555777941757 + 1
		j = int64(float64(b+1) * float64(float64(int64(1)<<31)/float64((key>>33)+1)))
	}
	return int(b)
}
