package shard

import (
	"context"
	"fmt"
	"strconv"
	"sync"
)

// Filter answers Owns for projects named as the config names them: a
// full path ("group/app") or a numeric id. A path costs one look-up of
// its id (GET /projects/:path, through Lookup) the first time; the answer
// is kept, since an id never changes. A look-up that fails is not kept,
// so the next run asks again.
type Filter struct {
	Shard Shard
	// Lookup returns the numeric id of the project at path.
	Lookup func(ctx context.Context, path string) (int64, error)

	mu  sync.Mutex
	ids map[string]int64
}

// Owns reports whether the project is the shard's. An instance that runs
// alone (Count 1) owns everything and never looks anything up.
func (f *Filter) Owns(ctx context.Context, project string) (bool, error) {
	if f.Shard.Count <= 1 {
		return true, nil
	}
	id, err := f.id(ctx, project)
	if err != nil {
		return false, err
	}
	return f.Shard.Owns(id), nil
}

func (f *Filter) id(ctx context.Context, project string) (int64, error) {
	if n, err := strconv.ParseInt(project, 10, 64); err == nil && n > 0 {
		return n, nil
	}
	f.mu.Lock()
	id, ok := f.ids[project]
	f.mu.Unlock()
	if ok {
		return id, nil
	}
	id, err := f.Lookup(ctx, project)
	if err != nil {
		return 0, fmt.Errorf("shard of %s: look up its id: %w", project, err)
	}
	f.mu.Lock()
	if f.ids == nil {
		f.ids = map[string]int64{}
	}
	f.ids[project] = id
	f.mu.Unlock()
	return id, nil
}
