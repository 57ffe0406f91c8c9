package prepare

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// backendPy is an in-tree PEP 517 backend: pip builds the project with no
// downloads (there is no network to fetch setuptools from).
// See https://peps.python.org/pep-0517/#in-tree-build-backends.
const backendPy = `import base64, hashlib, os, zipfile

NAME = %q
VERSION = %q
MODULE = NAME.replace("-", "_")
# HIDDEN_REQUIRES go into the wheel but not into the metadata pip resolves
# with, so a test can produce a venv that pip check rejects.
HIDDEN_REQUIRES = %s


def get_requires_for_build_wheel(config_settings=None):
    return []


def _metadata(requires):
    lines = ["Metadata-Version: 2.1", "Name: " + NAME, "Version: " + VERSION]
    lines += ["Requires-Dist: " + r for r in requires]
    return ("\n".join(lines) + "\n").encode()


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    dist_info = "%%s-%%s.dist-info" %% (MODULE, VERSION)
    os.makedirs(os.path.join(metadata_directory, dist_info))
    with open(os.path.join(metadata_directory, dist_info, "METADATA"), "wb") as f:
        f.write(_metadata([]))
    return dist_info


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    dist_info = "%%s-%%s.dist-info" %% (MODULE, VERSION)
    files = {}
    for root, _, names in os.walk(MODULE):
        for n in names:
            if n.endswith(".py"):
                p = os.path.join(root, n)
                with open(p, "rb") as f:
                    files[p.replace(os.sep, "/")] = f.read()
    files[dist_info + "/METADATA"] = _metadata(HIDDEN_REQUIRES)
    files[dist_info + "/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = []
    for p, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append("%%s,sha256=%%s,%%d" %% (p, digest, len(data)))
    record.append(dist_info + "/RECORD,,")
    files[dist_info + "/RECORD"] = ("\n".join(record) + "\n").encode()
    name = "%%s-%%s-py3-none-any.whl" %% (MODULE, VERSION)
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as z:
        for p, data in files.items():
            z.writestr(p, data)
    return name
`

// gitProject creates the bare repository <base>/<path>.git whose branch
// holds a pure-Python project at version, and returns the commit.
func gitProject(t testing.TB, base, path, branch, name, version string, hiddenRequires ...string) string {
	t.Helper()
	bare := filepath.Join(base, path+".git")
	if _, err := os.Stat(bare); err != nil {
		runGit(t, "", "init", "-q", "--bare", bare)
	}
	work := t.TempDir()
	module := strings.ReplaceAll(name, "-", "_")
	files := map[string]string{
		"pyproject.toml":        "[build-system]\nrequires = []\nbuild-backend = \"backend\"\nbackend-path = [\".\"]\n",
		"backend.py":            fmt.Sprintf(backendPy, name, version, pyList(hiddenRequires)),
		module + "/__init__.py": fmt.Sprintf("__version__ = %q\n", version),
	}
	runGit(t, work, "init", "-q", "-b", branch)
	for p, body := range files {
		if err := os.MkdirAll(filepath.Join(work, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(work, p), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	runGit(t, work, "add", ".")
	runGit(t, work, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "version "+version)
	runGit(t, work, "push", "-q", "--force", bare, branch+":"+branch)
	// Like a GitLab repository, the bare repository's HEAD names a branch
	// that exists; pip's clone needs one.
	if _, err := exec.Command("git", "--git-dir", bare, "rev-parse", "-q", "--verify", "HEAD").Output(); err != nil {
		runGit(t, "", "--git-dir", bare, "symbolic-ref", "HEAD", "refs/heads/"+branch)
	}
	return strings.TrimSpace(runGit(t, work, "rev-parse", "HEAD"))
}

func runGit(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}
