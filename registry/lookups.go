package registry

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/pinwheel-dev/pinwheel/pkgname"
)

// Details is what the JSON API adds to a project page for one pinned
// version: the project's links and that version's known vulnerabilities.
// Callers ask for it only for pins with an update to show.
type Details struct {
	Links           map[string]string
	Vulnerabilities []Vulnerability
}

// Index is what a check asks of the package index: a Client, or a run's
// Lookups shared by many projects.
type Index interface {
	// Releases returns the project page: releases, no links, no
	// vulnerabilities.
	Releases(ctx context.Context, name string) (*Project, error)
	// Details returns the links and the vulnerabilities of version.
	Details(ctx context.Context, name, version string) (Details, error)
}

// Releases returns the releases the index lists for project name, with
// the JSON API's upload times when the simple page carries none. Links and
// Vulnerabilities are left empty: Details fills them. A project the index
// does not have is ErrNotFound.
func (c *Client) Releases(ctx context.Context, name string) (*Project, error) {
	if !pkgname.Valid(name) {
		return nil, fmt.Errorf("look up %q: not a valid project name", name)
	}
	norm := pkgname.Normalize(name)
	p, err := c.simple(ctx, norm)
	if err != nil {
		return nil, fmt.Errorf("look up %s: %w", name, err)
	}
	if c.jsonAPI != "" && !hasUploadTimes(p) {
		times, err := c.uploadTimes(ctx, norm)
		if err != nil {
			return nil, fmt.Errorf("look up %s upload times in the JSON API: %w", name, err)
		}
		applyUploadTimes(p, times)
	}
	return p, nil
}

// Details returns the project's links and the known, not withdrawn,
// vulnerabilities of version from the JSON API's release endpoint. No
// JSON API, no version, or a 404 gives empty Details and no error.
func (c *Client) Details(ctx context.Context, name, version string) (Details, error) {
	if c.jsonAPI == "" || version == "" {
		return Details{}, nil
	}
	info, err := c.releaseJSON(ctx, pkgname.Normalize(name), version)
	if err != nil {
		return Details{}, fmt.Errorf("look up %s %s in the JSON API: %w", name, version, err)
	}
	if info == nil {
		return Details{}, nil
	}
	return Details{Links: info.links, Vulnerabilities: info.vulns}, nil
}

// Lookups remembers, for one run over many projects, every answer the
// index gave: each distinct project page is requested once however many
// projects and pins share it, and a look-up already in flight is waited
// for rather than sent again (a singleflight). It is safe for concurrent
// use. It holds every page it fetched until dropped, so make one per run,
// not one per process.
type Lookups struct {
	client *Client

	mu      sync.Mutex
	pages   map[string]*call[*Project]
	details map[string]*call[Details]
}

// call is one memoised request: done closes once val and err are set.
type call[T any] struct {
	done chan struct{}
	val  T
	err  error
}

// NewLookups returns an empty memo over c.
func (c *Client) NewLookups() *Lookups {
	return &Lookups{client: c, pages: map[string]*call[*Project]{}, details: map[string]*call[Details]{}}
}

// Releases is Client.Releases, asked once per project name. Callers get
// the same *Project and must not modify it.
func (l *Lookups) Releases(ctx context.Context, name string) (*Project, error) {
	return memo(ctx, &l.mu, l.pages, pkgname.Normalize(name), func(ctx context.Context) (*Project, error) {
		return l.client.Releases(ctx, name)
	})
}

// Details is Client.Details, asked once per project name and version.
func (l *Lookups) Details(ctx context.Context, name, version string) (Details, error) {
	return memo(ctx, &l.mu, l.details, pkgname.Normalize(name)+"\x00"+version, func(ctx context.Context) (Details, error) {
		return l.client.Details(ctx, name, version)
	})
}

// memo returns the answer stored under key, or makes it with fetch. An
// answer the caller's context cut short is not kept: the next caller asks
// again.
func memo[T any](ctx context.Context, mu *sync.Mutex, calls map[string]*call[T], key string, fetch func(context.Context) (T, error)) (T, error) {
	for {
		mu.Lock()
		c, ok := calls[key]
		if !ok {
			c = &call[T]{done: make(chan struct{})}
			calls[key] = c
			mu.Unlock()
			c.val, c.err = fetch(ctx)
			if c.err != nil && ctx.Err() != nil {
				mu.Lock()
				delete(calls, key)
				mu.Unlock()
			}
			close(c.done)
			return c.val, c.err
		}
		mu.Unlock()
		select {
		case <-c.done:
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err()
		}
		if c.err != nil && ctx.Err() == nil && isCancel(c.err) {
			continue // the first caller gave up; this one still wants it
		}
		return c.val, c.err
	}
}

func isCancel(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// Concurrency is how many requests the client sends at once.
func (c *Client) Concurrency() int { return c.opts.Concurrency }

// Concurrency is the client's.
func (l *Lookups) Concurrency() int { return l.client.Concurrency() }
