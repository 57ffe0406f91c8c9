package registry

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/pinwheel-dev/pinwheel/pkgname"
)

// Details is what the JSON API adds to a project page for one pinned
// version: the project's links and that version's known vulnerabilities.
// Callers ask for it only for pins with an update to show.
type Details struct {
	Links           map[string]string
	Vulnerabilities []Vulnerability
	// Missing is why the JSON API gave nothing for the version (an error
	// matching ErrNotFound or ErrNotJSON), nil when it answered. Links
	// and Vulnerabilities are then empty because they are unknown: the
	// version's vulnerabilities are missing, not none.
	Missing error
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
	p, _, err := c.releases(ctx, name)
	return p, err
}

// releases is Releases, and whether the project page is the one the cache
// held. An unchanged page lists the same files, so their upload times are
// taken from the cached JSON API answer without a request (detailsTrust).
func (c *Client) releases(ctx context.Context, name string) (*Project, bool, error) {
	if !pkgname.Valid(name) {
		return nil, false, fmt.Errorf("look up %q: not a valid project name", name)
	}
	norm := pkgname.Normalize(name)
	p, unchanged, err := c.simple(ctx, norm)
	if err != nil {
		return nil, false, fmt.Errorf("look up %s: %w", name, err)
	}
	if c.jsonAPI != "" && !hasUploadTimes(p) {
		times, err := c.uploadTimes(ctx, norm, trustIf(unchanged))
		if err != nil {
			return nil, false, fmt.Errorf("look up %s upload times in the JSON API: %w", name, err)
		}
		applyUploadTimes(p, times)
	}
	return p, unchanged, nil
}

// detailsTrust is how long a JSON API answer stored in the cache is used
// without a request while the project's page is unchanged. A release's
// files, upload times and links change only with the page (a new file, a
// yank, a new release all change it), but PyPI adds vulnerabilities to a
// release's JSON without touching its page, so the stored answer is
// revalidated once a day: a new advisory shows at most a day late. It is
// RestampAfter so that the 304 that renews the trust also restamps the
// entry (see trusted); nothing new is stored, so the state file does not
// grow.
const detailsTrust = RestampAfter

func trustIf(pageUnchanged bool) time.Duration {
	if pageUnchanged {
		return detailsTrust
	}
	return 0
}

// Details returns the project's links and the known, not withdrawn,
// vulnerabilities of version from the JSON API's release endpoint. No
// JSON API or no version gives empty Details; a 404 or an answer that is
// not JSON gives Details with Missing set; neither is an error.
func (c *Client) Details(ctx context.Context, name, version string) (Details, error) {
	return c.details(ctx, name, version, 0)
}

// details is Details; trust is get's.
func (c *Client) details(ctx context.Context, name, version string, trust time.Duration) (Details, error) {
	if c.jsonAPI == "" || version == "" {
		return Details{}, nil
	}
	info, err := c.releaseJSON(ctx, pkgname.Normalize(name), version, trust)
	if noJSONAnswer(err) {
		return Details{Missing: err}, nil
	}
	if err != nil {
		return Details{}, fmt.Errorf("look up %s %s in the JSON API: %w", name, version, err)
	}
	return Details{Links: info.links, Vulnerabilities: info.vulns}, nil
}

// Lookups remembers, for one run over many projects, every answer the
// index gave: each distinct project page is requested once however many
// projects and pins share it, and a look-up already in flight is waited
// for rather than sent again (a singleflight). It is safe for concurrent
// use. It holds every page it fetched until dropped, so make one per run,
// not one per process.
//
// Details of a project whose page this memo found unchanged (the cache's
// copy, fresh or confirmed by a 304) come from the cached JSON API answer
// without a request when that answer is less than a day old
// (detailsTrust): a run with nothing new asks the index only for pages.
type Lookups struct {
	client *Client

	mu      sync.Mutex
	pages   map[string]*call[pageAnswer]
	details map[string]*call[Details]
}

// pageAnswer is a memoised project page and whether it was the cached one.
type pageAnswer struct {
	project   *Project
	unchanged bool
}

// call is one memoised request: done closes once val and err are set.
type call[T any] struct {
	done chan struct{}
	val  T
	err  error
}

// NewLookups returns an empty memo over c.
func (c *Client) NewLookups() *Lookups {
	return &Lookups{client: c, pages: map[string]*call[pageAnswer]{}, details: map[string]*call[Details]{}}
}

// Releases is Client.Releases, asked once per project name. Callers get
// the same *Project and must not modify it.
func (l *Lookups) Releases(ctx context.Context, name string) (*Project, error) {
	pg, err := memo(ctx, &l.mu, l.pages, pkgname.Normalize(name), func(ctx context.Context) (pageAnswer, error) {
		p, unchanged, err := l.client.releases(ctx, name)
		return pageAnswer{project: p, unchanged: unchanged}, err
	})
	return pg.project, err
}

// Details is Client.Details, asked once per project name and version, and
// answered from the cache when this memo found the project's page
// unchanged (see Lookups).
func (l *Lookups) Details(ctx context.Context, name, version string) (Details, error) {
	norm := pkgname.Normalize(name)
	return memo(ctx, &l.mu, l.details, norm+"\x00"+version, func(ctx context.Context) (Details, error) {
		return l.client.details(ctx, name, version, trustIf(l.pageUnchanged(norm)))
	})
}

// pageUnchanged reports whether this memo has the project's page and it
// was the cached one; a page not asked for, or still in flight, is not
// known to be unchanged.
func (l *Lookups) pageUnchanged(norm string) bool {
	l.mu.Lock()
	c, ok := l.pages[norm]
	l.mu.Unlock()
	if !ok {
		return false
	}
	select {
	case <-c.done:
		return c.err == nil && c.val.unchanged
	default:
		return false
	}
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
