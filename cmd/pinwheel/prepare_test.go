package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pinwheel-dev/pinwheel/gitlabsim"
	"github.com/pinwheel-dev/pinwheel/indexsim"
	"github.com/pinwheel-dev/pinwheel/prepare"
)

// runCLI runs pinwheel with args and returns stdout, stderr (ending with
// the error main would print) and the exit code main would return.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return out.String(), errOut.String(), 0
	}
	errOut.WriteString("pinwheel: " + err.Error() + "\n")
	var ee *exitError
	if asExit(err, &ee) {
		return out.String(), errOut.String(), ee.code
	}
	return out.String(), errOut.String(), 1
}

// clearPrepareEnv unsets the variables prepare reads, so the machine's CI
// settings don't leak into a test.
func clearPrepareEnv(t *testing.T) {
	clearTokenEnv(t)
	for _, k := range []string{"GITLAB_COM_PACKAGES", "DATA_PROJECTS", "SOFTWARE_DIR", "CI_PROJECT_ID", "CI_PROJECT_PATH", "CI_SERVER_URL"} {
		t.Setenv(k, "")
	}
}

func requireVenv(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds real venvs")
	}
	if err := exec.Command("python3", "-c", "import venv, ensurepip").Run(); err != nil {
		t.Skipf("python3 with venv and ensurepip not available: %v", err)
	}
}

func TestPrepareUsageErrors(t *testing.T) {
	clearPrepareEnv(t)
	dir := t.TempDir()
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"nothing to install", nil, []string{"prepare", "--software-dir", dir}, "no packages"},
		{"no software dir", map[string]string{"GITLAB_COM_PACKAGES": "requests"}, []string{"prepare"}, "software directory"},
		{"print-env without output", nil, []string{"prepare", "--packages", "requests", "--software-dir", dir, "--print-env"}, "--print-env needs --output"},
		{"override without URL", nil, []string{"prepare", "--packages", "requests", "--software-dir", dir, "--override", "requests"}, "want name=URL"},
		{"override of an unlisted package", nil, []string{"prepare", "--packages", "requests", "--software-dir", dir, "--override", "flask=https://h/f.whl"}, "not in --packages"},
		{"unknown output format", nil, []string{"prepare", "--packages", "requests", "--software-dir", dir, "--output", "venv.zip"}, ".tar.gz or .tar.zst"},
		{"data projects over a file URL", map[string]string{"DATA_PROJECTS": "cki/kpet-db"},
			[]string{"prepare", "--software-dir", dir, "--gitlab-url", "file:///srv/git"}, "http(s) --gitlab-url"},
		{"unknown remote cache", nil, []string{"prepare", "--packages", "requests", "--software-dir", dir, "--output", "v.tar.gz", "--cache", "s3"}, `the only remote cache is "gitlab"`},
		{"remote cache without a project", nil, []string{"prepare", "--packages", "requests", "--software-dir", dir, "--output", "v.tar.gz", "--cache", "gitlab"}, "needs --cache-project"},
		{"remote cache without output", map[string]string{"CI_PROJECT_ID": "7"}, []string{"prepare", "--packages", "requests", "--software-dir", dir, "--cache", "gitlab"}, "--cache gitlab needs --output"},
		{"cache project without a cache", nil, []string{"prepare", "--packages", "requests", "--software-dir", dir, "--cache-project", "g/p"}, "needs --cache gitlab"},
		{"positional argument", nil, []string{"prepare", "requests"}, "takes no arguments"},
		{"unknown flag", nil, []string{"prepare", "--bogus"}, "unknown flag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			_, stderr, code := runCLI(t, tt.args...)
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, stderr, tt.want)
			}
		})
	}
}

// TestPrepareCLI runs prepare as a CI job does: inputs from the pipeline's
// variables, data projects from GitLab with the job's token, the tarball and
// the activation lines as outputs.
func TestPrepareCLI(t *testing.T) {
	requireVenv(t)
	clearPrepareEnv(t)
	idx := indexsim.New(indexsim.Options{}) // empty: the one package is already in every venv
	defer idx.Close()
	sim := gitlabsim.New(gitlabsim.Options{})
	defer sim.Close()
	_, token := sim.AddUser("ci")
	kpet := sim.CreateProject("cki/kpet-db", "main")
	sim.Commit(kpet, "production", "init", map[string]string{"index.yaml": "trees: {}\n"})

	software := filepath.Join(t.TempDir(), "software")
	t.Setenv("GITLAB_COM_PACKAGES", "pip")
	t.Setenv("DATA_PROJECTS", "cki/kpet-db")
	t.Setenv("SOFTWARE_DIR", software)
	t.Setenv("GITLAB_TOKEN", token)
	out := filepath.Join(t.TempDir(), "venv.tar.gz")

	stdout, stderr, code := runCLI(t, "prepare", "--gitlab-url", sim.URL(), "--index-url", idx.IndexURL(),
		"--output", out, "--print-env")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	venv := filepath.Join(software, "venv")
	if want := prepare.ActivationScript(out, venv); stdout != want {
		t.Errorf("--print-env printed\n%s\nwant\n%s", stdout, want)
	}
	for _, want := range []string{"[pip install] ", "[pip check] ", "[data] cki/kpet-db@", "prepare: built " + out} {
		if !strings.Contains(stderr, want) {
			t.Errorf("log lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stdout+stderr, token) {
		t.Errorf("the token shows in the output")
	}
	names := tarNames(t, out)
	for _, want := range []string{venv + "/bin/python", venv + "/" + prepare.ManifestName, software + "/kpet-db/index.yaml"} {
		if !names[strings.TrimPrefix(want, "/")] {
			t.Errorf("tarball lacks %s", want)
		}
	}
}

// TestPrepareCLIRemoteCache runs two jobs of one pipeline on two runners:
// the first builds and stores the tarball in the project's package
// registry with the job token, the second downloads it.
func TestPrepareCLIRemoteCache(t *testing.T) {
	requireVenv(t)
	clearPrepareEnv(t)
	idx := indexsim.New(indexsim.Options{})
	defer idx.Close()
	sim := gitlabsim.New(gitlabsim.Options{})
	defer sim.Close()
	proj := sim.CreateProject("group/app", "main")
	jobToken := sim.AddJobToken("ci")
	t.Setenv("CI_JOB_TOKEN", jobToken)
	t.Setenv("CI_SERVER_URL", sim.URL())
	t.Setenv("CI_PROJECT_ID", strconv.Itoa(proj.ID))
	software := filepath.Join(t.TempDir(), "software")
	args := []string{"prepare", "--packages", "pip", "--index-url", idx.IndexURL(), "--software-dir", software, "--cache", "gitlab"}

	for i, want := range []string{"prepare: built ", "prepare: from the GitLab cache "} {
		out := filepath.Join(t.TempDir(), "venv.tar.zst")
		if err := os.RemoveAll(software); err != nil {
			t.Fatal(err)
		}
		_, stderr, code := runCLI(t, append(args, "--output", out)...)
		if code != 0 || !strings.Contains(stderr, want+out) {
			t.Fatalf("run %d: exit %d, want %q in\n%s", i+1, code, want+out, stderr)
		}
		if strings.Contains(stderr, jobToken) {
			t.Errorf("run %d shows the job token", i+1)
		}
	}
	if st := sim.Stats(); st.ByEndpoint["PUT /projects/:id/packages/generic/:package_name/:package_version/:file_name"] != 1 {
		t.Errorf("uploads = %v, want 1", st.ByEndpoint)
	}
}

func TestPrepareCLIFailsWithPipsMessage(t *testing.T) {
	requireVenv(t)
	clearPrepareEnv(t)
	idx := indexsim.New(indexsim.Options{})
	defer idx.Close()
	outDir := t.TempDir()
	_, stderr, code := runCLI(t, "prepare", "--packages", "nosuchpkg==1.0", "--index-url", idx.IndexURL(),
		"--software-dir", filepath.Join(t.TempDir(), "software"), "--output", filepath.Join(outDir, "venv.tar.zst"))
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	last := stderr[strings.LastIndex(stderr, "pinwheel: "):]
	if !strings.Contains(last, "ERROR: No matching distribution found for nosuchpkg==1.0") {
		t.Errorf("error lacks pip's message:\n%s", last)
	}
	if n := strings.Count(stderr, "No matching distribution found for nosuchpkg==1.0"); n != 1 {
		t.Errorf("pip's message shows %d times, want once:\n%s", n, stderr)
	}
	if entries, _ := os.ReadDir(outDir); len(entries) != 0 {
		t.Errorf("output dir holds %v after a failure", entries)
	}
}

// tarNames lists the member names of a .tar.gz.
func tarNames(t *testing.T, path string) map[string]bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		names[h.Name] = true
	}
}
