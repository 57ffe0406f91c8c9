// Package prepare builds the Python virtualenv a team's CI pipeline needs
// and packs it as a tarball that later jobs unpack with `tar -xf OUT -C /`.
//
// One Prepare call: expand the package list (GitLab project paths become
// git URLs on the production branch, `<package>_pip_url` overrides replace
// URLs), resolve every git ref to a commit, hash the inputs, and either copy
// a cached tarball or run `python -m venv`, `pip install -c constraints`,
// `pip check`, fetch the data projects through the GitLab API, write
// pinwheel-manifest.json into the venv and pack it. Venvs hold absolute
// paths, so the venv is built where it will be used and the tarball stores
// those paths.
//
// The package does not read flags, and the overrides come from the Environ
// the caller passes; the steps run with this process's environment, whose
// PIP_* settings are therefore part of the hash. It does not talk to the
// package index (pip does) nor find the GitLab token (the caller passes a
// client, see gitlabauth).
package prepare

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/internal/redact"
)

// ManifestName is the file Prepare writes at the root of the venv.
const ManifestName = "pinwheel-manifest.json"

var (
	// ErrInvalidOptions marks bad input: the caller should exit with a
	// usage error.
	ErrInvalidOptions = errors.New("invalid options")
	// ErrRefNotFound is a git ref or branch that the remote doesn't have.
	ErrRefNotFound = errors.New("ref not found")
)

// Options are the inputs of one Prepare run.
type Options struct {
	Packages     []string // pip requirements and GitLab project paths
	DataProjects []string // GitLab project paths fetched as archives

	Constraints string            // constraints file passed to pip as -c; optional
	Overrides   map[string]string // --override name=URL; wins over Environ
	Environ     []string          // scanned for <package>_pip_url overrides

	GitLabURL        string         // base for project-path packages; default https://gitlab.com
	ProductionBranch string         // default "production"
	GitLab           *gitlab.Client // API client for data projects

	IndexURL    string // pip --index-url; optional
	Python      string // interpreter that creates the venv; default python3
	SoftwareDir string // venv at SoftwareDir/venv, data projects beside it
	Venv        string // venv path overriding SoftwareDir/venv
	Output      string // tarball, .tar.gz or .tar.zst; optional
	CacheDir    string // tarball cache keyed by the input hash; optional
	// Remote is a cache in GitLab's generic package registry, shared by
	// every runner; optional. With CacheDir too, the directory is asked
	// first and keeps what the remote cache gave.
	Remote *RemoteCache

	// DataSizeLimit caps each data project's archive and unpacked files;
	// default MaxDataProjectSize.
	DataSizeLimit int64

	Log io.Writer        // the steps' output, line by line; nil discards it
	Now func() time.Time // clock for the manifest; default time.Now
}

// Result describes what a Prepare run produced.
type Result struct {
	Hash     string
	CacheHit bool
	// CacheSource is "dir" or "gitlab" on a hit.
	CacheSource string
	// Remote is what the remote cache moved.
	Remote    Transfer
	Venv      string
	Output    string
	Overrides []Override
	Manifest  *Manifest // nil on a cache hit: it is inside the tarball
}

// plan is Options after validation and expansion.
type plan struct {
	opts        Options
	venv        string
	softwareDir string
	format      Format
	overrides   []Override
	reqs        []Requirement
	data        []DataProject
	constraints []byte
	pipEnv      []string // pipSettings of the environment pip runs in
	python      Interpreter
	hash        string
}

func (o *Options) withDefaults() (Options, error) {
	c := *o
	if c.Python == "" {
		c.Python = "python3"
	}
	if c.GitLabURL == "" {
		c.GitLabURL = "https://gitlab.com"
	}
	if c.ProductionBranch == "" {
		c.ProductionBranch = "production"
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
	// Steps run side by side (pip check beside pip freeze and the packing,
	// the data projects beside pip install): one writer for all of them.
	c.Log = &lockedWriter{w: c.Log}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.DataSizeLimit <= 0 {
		c.DataSizeLimit = MaxDataProjectSize
	}
	if len(c.Packages) == 0 && len(c.DataProjects) == 0 {
		return c, fmt.Errorf("%w: no packages and no data projects", ErrInvalidOptions)
	}
	if c.Venv == "" && c.SoftwareDir == "" {
		return c, fmt.Errorf("%w: need a software directory or a venv path", ErrInvalidOptions)
	}
	for _, p := range c.DataProjects {
		if !IsProjectPath(p) {
			return c, fmt.Errorf("%w: data project %q is not a GitLab project path", ErrInvalidOptions, p)
		}
	}
	if len(c.DataProjects) > 0 && c.GitLab == nil {
		return c, fmt.Errorf("%w: data projects need a GitLab client", ErrInvalidOptions)
	}
	if (c.CacheDir != "" || c.Remote != nil) && c.Output == "" {
		return c, fmt.Errorf("%w: the cache stores tarballs, so it needs an output file", ErrInvalidOptions)
	}
	if c.Remote != nil && (c.Remote.GitLab == nil || c.Remote.Project == "") {
		return c, fmt.Errorf("%w: the remote cache needs a GitLab client and a project", ErrInvalidOptions)
	}
	return c, nil
}

// Prepare builds (or takes from the cache) the venv tarball described by o.
func Prepare(ctx context.Context, o Options) (*Result, error) {
	p, err := newPlan(ctx, o)
	if err != nil {
		return nil, err
	}
	res := &Result{Hash: p.hash, Venv: p.venv, Output: p.opts.Output, Overrides: p.overrides}
	for _, ov := range p.overrides {
		fmt.Fprintf(p.opts.Log, "[override] %s = %s (%s)\n", ov.Name, redact.URLs(ov.URL), ov.Source)
	}
	if p.opts.CacheDir == "" && p.opts.Remote == nil {
		res.Manifest, err = p.build(ctx)
		return res, err
	}
	var cache *Cache
	if p.opts.CacheDir != "" {
		cache = &Cache{Dir: p.opts.CacheDir}
		unlock, err := cache.lock(p.hash)
		if err != nil {
			return nil, err
		}
		defer unlock()
		hit, err := cache.Get(p.hash, p.format, p.opts.Output)
		if err != nil {
			return nil, err
		}
		if hit {
			fmt.Fprintf(p.opts.Log, "[cache] hit %s\n", p.hash)
			res.CacheHit, res.CacheSource = true, "dir"
			return res, nil
		}
		fmt.Fprintf(p.opts.Log, "[cache] miss %s\n", p.hash)
	}
	if r := p.opts.Remote; r != nil {
		// The remote cache only ever saves time: when it is down or
		// gives a bad file, the run builds.
		hit, t, err := r.Get(ctx, p.hash, p.format, p.opts.Output)
		res.Remote.Down = t.Down
		switch {
		case err != nil:
			fmt.Fprintf(p.opts.Log, "[cache] gitlab: %v; building\n", err)
		case hit:
			fmt.Fprintf(p.opts.Log, "[cache] gitlab hit %s (%d bytes)\n", r.where(p.hash, p.format), t.Down)
			res.CacheHit, res.CacheSource = true, "gitlab"
			if cache != nil {
				if err := cache.Put(p.hash, p.format, p.opts.Output); err != nil {
					return nil, err
				}
			}
			return res, nil
		default:
			fmt.Fprintf(p.opts.Log, "[cache] gitlab miss %s\n", r.where(p.hash, p.format))
		}
	}
	if res.Manifest, err = p.build(ctx); err != nil {
		return nil, err
	}
	if cache != nil {
		if err := cache.Put(p.hash, p.format, p.opts.Output); err != nil {
			return nil, err
		}
	}
	if r := p.opts.Remote; r != nil {
		t, err := r.Put(ctx, p.hash, p.format, p.opts.Output)
		res.Remote.Up = t.Up
		if err != nil {
			// The tarball is built and good; the next job builds too.
			fmt.Fprintf(p.opts.Log, "[cache] gitlab: %v\n", err)
		} else {
			fmt.Fprintf(p.opts.Log, "[cache] gitlab stored %s (%d bytes)\n", r.where(p.hash, p.format), t.Up)
		}
	}
	return res, nil
}

func newPlan(ctx context.Context, o Options) (*plan, error) {
	opts, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	p := &plan{opts: opts}
	if p.venv, err = filepath.Abs(firstNonEmpty(opts.Venv, filepath.Join(opts.SoftwareDir, "venv"))); err != nil {
		return nil, fmt.Errorf("venv path: %w", err)
	}
	if p.softwareDir, err = filepath.Abs(firstNonEmpty(opts.SoftwareDir, filepath.Dir(p.venv))); err != nil {
		return nil, fmt.Errorf("software dir: %w", err)
	}
	if opts.Output != "" {
		if p.format, err = FormatOf(opts.Output); err != nil {
			return nil, err
		}
	}
	if opts.Constraints != "" {
		if p.constraints, err = os.ReadFile(opts.Constraints); err != nil {
			return nil, fmt.Errorf("%w: read constraints: %w", ErrInvalidOptions, err)
		}
	}
	ovs, err := resolveOverrides(opts.Environ, opts.Overrides)
	if err != nil {
		return nil, err
	}
	if p.reqs, p.overrides, err = requirements(&opts, ovs); err != nil {
		return nil, err
	}
	if p.python, err = probeInterpreter(ctx, opts.Log, opts.Python); err != nil {
		return nil, err
	}
	if err := resolveRequirements(ctx, opts.Log, p.reqs); err != nil {
		return nil, err
	}
	if p.data, err = resolveDataProjects(ctx, opts.GitLab, opts.DataProjects, opts.ProductionBranch, p.softwareDir); err != nil {
		return nil, err
	}
	seen := map[string]string{p.venv: "the venv"}
	for _, d := range p.data {
		if other, ok := seen[d.Dir]; ok {
			return nil, fmt.Errorf("%w: data project %s would unpack at %s, the place of %s", ErrInvalidOptions, d.Path, d.Dir, other)
		}
		seen[d.Dir] = "data project " + d.Path
	}
	// The steps run with this process's environment (plus pipEnv).
	p.pipEnv = pipSettings(os.Environ())
	p.hash = p.inputHash()
	return p, nil
}

// lockedWriter serializes writes, so a caller's plain buffer or terminal
// gets whole lines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
