package prepare

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
)

// build creates the venv, installs, checks, fetches data projects, writes
// the manifest and packs the tarball.
func (p *plan) build(ctx context.Context) (*Manifest, error) {
	o := &p.opts
	roots := []string{p.venv}
	for _, d := range p.data {
		roots = append(roots, d.Dir)
	}
	unlock, err := lockTrees(roots)
	if err != nil {
		return nil, err
	}
	defer unlock()
	// The data projects are downloads, the venv is CPU work: overlap them.
	dataCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	dataErr := make(chan error, 1)
	go func() { dataErr <- fetchDataProjects(dataCtx, o.GitLab, o.Log, p.data, o.DataSizeLimit) }()
	if err := p.install(ctx); err != nil {
		cancel()
		<-dataErr
		return nil, err
	}
	if err := <-dataErr; err != nil {
		return nil, err
	}
	if o.Output == "" {
		freeze, err := p.checkAndFreeze(ctx)
		if err != nil {
			return nil, err
		}
		m := p.manifest(freeze)
		_, err = m.write(filepath.Join(p.venv, ManifestName))
		return m, err
	}
	// pip check and pip freeze only read the venv, so packing runs beside
	// them; the manifest, which needs the freeze, is the last member.
	type checked struct {
		freeze []string
		err    error
	}
	checkC := make(chan checked, 1)
	go func() {
		freeze, err := p.checkAndFreeze(ctx)
		checkC <- checked{freeze, err}
	}()
	fmt.Fprintf(o.Log, "[pack] %s\n", o.Output)
	var (
		m        *Manifest
		stepErr  error
		received bool
	)
	err = pack(o.Output, p.format, roots, func() ([]File, error) {
		c := <-checkC
		received = true
		if c.err != nil {
			stepErr = c.err
			return nil, c.err
		}
		m = p.manifest(c.freeze)
		path := filepath.Join(p.venv, ManifestName)
		b, err := m.write(path)
		if err != nil {
			stepErr = err
			return nil, err
		}
		return []File{{Path: path, Content: b, Mode: 0o644, ModTime: m.Created}}, nil
	})
	if stepErr != nil {
		return nil, stepErr
	}
	if err != nil {
		if !received {
			<-checkC // the walk failed first; don't leave pip running
		}
		return nil, err
	}
	return m, nil
}

var pipEnv = []string{"PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_NO_INPUT=1", "GIT_TERMINAL_PROMPT=0"}

// readOnlyEnv keeps Python from writing bytecode while the venv is packed.
var readOnlyEnv = append([]string{"PYTHONDONTWRITEBYTECODE=1"}, pipEnv...)

// install creates the venv and installs the packages with the constraints.
func (p *plan) install(ctx context.Context) error {
	o := &p.opts
	py := filepath.Join(p.venv, "bin", "python")
	if err := p.createVenv(ctx); err != nil {
		return err
	}
	if len(p.reqs) > 0 {
		args := []string{py, "-m", "pip", "install"}
		if o.IndexURL != "" {
			args = append(args, "--index-url", o.IndexURL)
		}
		if o.Constraints != "" {
			args = append(args, "-c", o.Constraints)
		}
		for _, r := range p.reqs {
			args = append(args, r.Pip())
		}
		if _, err := (step{name: "pip install", args: args, env: pipEnv}).run(ctx, o.Log); err != nil {
			return fmt.Errorf("install packages: %w", err)
		}
	}
	return nil
}

// checkAndFreeze runs pip check and returns pip freeze's lines.
func (p *plan) checkAndFreeze(ctx context.Context) ([]string, error) {
	o := &p.opts
	py := filepath.Join(p.venv, "bin", "python")
	// pip check and pip freeze only read the venv: run them side by side.
	type out struct {
		b   []byte
		err error
	}
	freezeC := make(chan out, 1)
	go func() {
		b, err := step{name: "pip freeze", args: []string{py, "-m", "pip", "freeze", "--all"}, env: readOnlyEnv, capture: true}.run(ctx, o.Log)
		freezeC <- out{b, err}
	}()
	_, checkErr := step{name: "pip check", args: []string{py, "-m", "pip", "check"}, env: readOnlyEnv}.run(ctx, o.Log)
	fr := <-freezeC
	if checkErr != nil {
		return nil, fmt.Errorf("check installed packages: %w", checkErr)
	}
	if fr.err != nil {
		return nil, fmt.Errorf("list installed packages: %w", fr.err)
	}
	return strings.Split(strings.TrimSpace(string(fr.b)), "\n"), nil
}

// createVenv makes the venv with the pip and setuptools that ensurepip
// would install. When the interpreter bundles their wheels and has a pip
// that can install into another environment (--python, pip 22.3+), that pip
// installs them: ensurepip instead runs pip from the wheel through
// zipimport, compiling all of pip in memory first, which costs seconds.
func (p *plan) createVenv(ctx context.Context) error {
	o := &p.opts
	w := p.python
	if w.PipWheel == "" || w.SetuptoolsWheel == "" || !pipHasPythonOption(w.Pip) {
		if _, err := (step{name: "venv", args: []string{o.Python, "-m", "venv", "--clear", p.venv}}).run(ctx, o.Log); err != nil {
			return fmt.Errorf("create venv %s: %w", p.venv, err)
		}
		return nil
	}
	if _, err := (step{name: "venv", args: []string{o.Python, "-m", "venv", "--clear", "--without-pip", p.venv}}).run(ctx, o.Log); err != nil {
		return fmt.Errorf("create venv %s: %w", p.venv, err)
	}
	// The same flags ensurepip passes: only the bundled wheels, nothing
	// from an index, find-links or constraints.
	// See https://pip.pypa.io/en/stable/cli/pip/#cmdoption-python.
	args := []string{o.Python, "-m", "pip", "--python", filepath.Join(p.venv, "bin", "python"),
		"install", "--no-index", "--no-deps", "--no-cache-dir", "--isolated", w.PipWheel, w.SetuptoolsWheel}
	if _, err := (step{name: "venv", args: args, env: pipEnv}).run(ctx, o.Log); err != nil {
		return fmt.Errorf("install pip into %s: %w", p.venv, err)
	}
	return nil
}

// pipHasPythonOption reports whether pip version v has --python (22.3+).
func pipHasPythonOption(v string) bool {
	var major, minor int
	if _, err := fmt.Sscanf(v, "%d.%d", &major, &minor); err != nil {
		return false
	}
	return major > 22 || major == 22 && minor >= 3
}
