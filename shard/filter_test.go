package shard_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/gitlabsim"
	"github.com/pinwheel-dev/pinwheel/shard"
)

// TestFilter looks projects up in the GitLab simulator through client-go,
// as the daemon does, and counts the look-ups.
func TestFilter(t *testing.T) {
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	sim := gitlabsim.New(gitlabsim.Options{Clock: func() time.Time { return now }})
	t.Cleanup(sim.Close)
	_, token := sim.AddUser("pinwheel")
	var projects []*gitlabsim.Project
	for _, path := range []string{"a/one", "a/two", "b/three", "b/four", "c/five", "c/six"} {
		projects = append(projects, sim.CreateProject(path, "main"))
	}
	gl, err := gitlab.NewClient(token, gitlab.WithBaseURL(sim.URL()+"/api/v4"),
		gitlab.WithCustomBackoff(func(_, _ time.Duration, _ int, _ *http.Response) time.Duration { return 0 }))
	if err != nil {
		t.Fatal(err)
	}
	lookups := 0
	lookup := func(ctx context.Context, path string) (int64, error) {
		lookups++
		p, _, err := gl.Projects.GetProject(path, nil, gitlab.WithContext(ctx))
		if err != nil {
			return 0, err
		}
		return int64(p.ID), nil
	}
	ctx := context.Background()

	t.Run("alone owns all without asking", func(t *testing.T) {
		lookups = 0
		f := &shard.Filter{Shard: shard.All, Lookup: lookup}
		for _, p := range append([]string{"no/such"}, "a/one") {
			if ok, err := f.Owns(ctx, p); !ok || err != nil {
				t.Errorf("Owns(%s) = %v, %v; want true", p, ok, err)
			}
		}
		if lookups != 0 {
			t.Errorf("%d look-ups, want 0", lookups)
		}
	})

	t.Run("partition by id, each path looked up once", func(t *testing.T) {
		lookups = 0
		filters := []*shard.Filter{{Shard: shard.Shard{Index: 0, Count: 2}, Lookup: lookup}, {Shard: shard.Shard{Index: 1, Count: 2}, Lookup: lookup}}
		for round := range 2 {
			for _, p := range projects {
				owners := 0
				for _, f := range filters {
					ok, err := f.Owns(ctx, p.Path)
					if err != nil {
						t.Fatal(err)
					}
					if ok {
						owners++
						if want := shard.Owner(int64(p.ID), 2); f.Shard.Index != want {
							t.Errorf("%s (id %d) owned by %d, want %d", p.Path, p.ID, f.Shard.Index, want)
						}
					}
				}
				if owners != 1 {
					t.Errorf("round %d: %s has %d owners, want 1", round, p.Path, owners)
				}
			}
		}
		if want := 2 * len(projects); lookups != want {
			t.Errorf("%d look-ups over two rounds, want %d (once per path per instance)", lookups, want)
		}
	})

	t.Run("numeric ids need no look-up", func(t *testing.T) {
		lookups = 0
		f := &shard.Filter{Shard: shard.Shard{Index: 1, Count: 3}, Lookup: lookup}
		id := projects[2].ID
		ok, err := f.Owns(ctx, strconv.Itoa(id))
		if err != nil || ok != (shard.Owner(int64(id), 3) == 1) || lookups != 0 {
			t.Errorf("Owns(%d) = %v, %v with %d look-ups", id, ok, err, lookups)
		}
	})

	t.Run("a failed look-up is an error and asked again", func(t *testing.T) {
		lookups = 0
		f := &shard.Filter{Shard: shard.Shard{Index: 0, Count: 2}, Lookup: lookup}
		for range 2 {
			ok, err := f.Owns(ctx, "gone/project")
			if ok || err == nil || !strings.Contains(err.Error(), "shard of gone/project: look up its id:") {
				t.Errorf("Owns(gone/project) = %v, %v; want a wrapped 404", ok, err)
			}
		}
		if lookups != 2 {
			t.Errorf("%d look-ups, want 2 (failures are not kept)", lookups)
		}
	})
}
