package prepare

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/pinwheel-dev/pinwheel/internal/redact"
)

var commitRE = regexp.MustCompile(`^[0-9a-f]{40}$`)

// resolveGitRef asks the remote which commit ref names, the way pip will
// see it: a branch, then a tag (peeled to its commit), or HEAD for "".
func resolveGitRef(ctx context.Context, log io.Writer, repo, ref string) (string, error) {
	if commitRE.MatchString(ref) {
		return ref, nil
	}
	if ref == "" {
		ref = "HEAD"
	}
	out, err := step{
		name:    "git ls-remote",
		args:    []string{"git", "ls-remote", "--", repo, ref, "refs/tags/" + ref + "^{}"},
		env:     []string{"GIT_TERMINAL_PROMPT=0"},
		capture: true,
	}.run(ctx, log)
	if err != nil {
		return "", fmt.Errorf("resolve %s@%s: %w", redact.URLs(repo), ref, err)
	}
	found := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		sha, name, ok := strings.Cut(strings.TrimSpace(line), "\t")
		if ok {
			found[name] = sha
		}
	}
	for _, name := range []string{ref, "refs/heads/" + ref, "refs/tags/" + ref + "^{}", "refs/tags/" + ref} {
		if sha, ok := found[name]; ok {
			return sha, nil
		}
	}
	return "", fmt.Errorf("resolve %s@%s: %w", redact.URLs(repo), ref, ErrRefNotFound)
}

// resolveRequirements pins every git URL to its current commit.
func resolveRequirements(ctx context.Context, log io.Writer, reqs []Requirement) error {
	for i := range reqs {
		repo, ref, ok := splitGitURL(reqs[i].URL)
		if !ok {
			continue
		}
		sha, err := resolveGitRef(ctx, log, repo, ref)
		if err != nil {
			return fmt.Errorf("package %s: %w", redact.URLs(reqs[i].Entry), err)
		}
		reqs[i].Commit = sha
	}
	return nil
}

// Interpreter describes the Python that builds the venv; its version and
// platform decide which wheels pip picks, so they are part of the hash.
type Interpreter struct {
	Version string `json:"version"`
	// Platform is platform.platform(): it names the kernel release too, so
	// it is recorded in the manifest but kept out of the hash (see key).
	Platform   string `json:"platform"`
	Tag        string `json:"tag"`  // implementation and sysconfig platform, as in wheel tags
	Libc       string `json:"libc"` // e.g. "glibc-2.36": which manylinux wheels fit
	Executable string `json:"executable"`
	// PipWheel and SetuptoolsWheel are the wheels ensurepip would install,
	// when the interpreter bundles them (Debian's python3 does not).
	PipWheel        string `json:"pip_wheel,omitempty"`
	SetuptoolsWheel string `json:"setuptools_wheel,omitempty"`
	// Pip is the version of the interpreter's own pip, "" if it has none.
	Pip string `json:"pip,omitempty"`
}

const probeScript = `import glob, json, os, platform, sys, sysconfig
try:
    import ensurepip
    bundled = os.path.join(os.path.dirname(ensurepip.__file__), "_bundled")
except ImportError:
    bundled = "/nonexistent"
def wheel(name):
    found = sorted(glob.glob(os.path.join(bundled, name + "-*-py3-none-any.whl")))
    return found[-1] if found else ""
try:
    import pip
    host_pip = pip.__version__
except ImportError:
    host_pip = ""
print(json.dumps({"pip": host_pip, "version": platform.python_version(), "platform": platform.platform(),
  "tag": sys.implementation.name + "-" + sysconfig.get_platform(), "executable": sys.executable,
  "libc": "-".join(platform.libc_ver()).strip("-"),
  "pip_wheel": wheel("pip"), "setuptools_wheel": wheel("setuptools")}))`

// key is the part of the interpreter that decides what pip installs: the
// same Python on runners with other kernels shares cache entries.
func (in Interpreter) key() Interpreter {
	in.Platform = ""
	return in
}

func probeInterpreter(ctx context.Context, log io.Writer, python string) (Interpreter, error) {
	out, err := step{name: "python", args: []string{python, "-c", probeScript}, capture: true}.run(ctx, log)
	if err != nil {
		return Interpreter{}, fmt.Errorf("probe interpreter %s: %w", python, err)
	}
	var in Interpreter
	if err := json.Unmarshal(out, &in); err != nil {
		return Interpreter{}, fmt.Errorf("probe interpreter %s: %w", python, err)
	}
	return in, nil
}
