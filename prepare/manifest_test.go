package prepare

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/internal/golden"
)

func TestManifestGolden(t *testing.T) {
	sha := "0123456789abcdef0123456789abcdef01234567"
	p := &plan{
		opts: Options{
			Packages:     []string{"cki-project/cki-lib", "requests"},
			DataProjects: []string{"cki-project/kpet-db"},
			Constraints:  "constraints.txt",
			IndexURL:     "https://user:s3cret@pypi.example.com/simple",
			Now:          func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) },
		},
		venv:        "/builds/software/venv",
		softwareDir: "/builds/software",
		format:      Zstd,
		constraints: []byte("requests==2.32.3\n"),
		python:      Interpreter{Version: "3.11.7", Platform: "Linux-6.1-x86_64-with-glibc2.36", Tag: "cpython-linux-x86_64", Libc: "glibc-2.36", Executable: "/usr/bin/python3"},
		reqs: []Requirement{
			{Entry: "cki-project/cki-lib", Name: "cki-lib", URL: "git+https://gitlab-ci-token:tok@gitlab.com/cki-project/cki-lib.git@my-branch", Override: "env cki_lib_pip_url", Commit: sha},
			{Entry: "requests", Name: "requests"},
		},
		overrides: []Override{{Name: "cki_lib", URL: "git+https://gitlab-ci-token:tok@gitlab.com/cki-project/cki-lib.git@my-branch", Source: "env cki_lib_pip_url"}},
		data:      []DataProject{{Path: "cki-project/kpet-db", Commit: sha, Dir: "/builds/software/kpet-db"}},
	}
	p.hash = p.inputHash()
	m := p.manifest([]string{"cki-lib @ git+https://gitlab.com/cki-project/cki-lib.git@" + sha, "requests==2.32.3"})
	m.Pinwheel = "test"
	got, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(got, []byte("s3cret")) || bytes.Contains(got, []byte(":tok@")) {
		t.Errorf("manifest leaks a secret:\n%s", got)
	}
	golden.Check(t, "manifest.json", append(got, '\n'))
}

func TestActivationScriptGolden(t *testing.T) {
	golden.Check(t, "print-env.sh", []byte(ActivationScript("venv-fedora.tar.zst", "/builds/software/venv")))
}
