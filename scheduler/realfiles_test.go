package scheduler_test

import (
	"strings"
	"testing"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/indexsim"
)

// sphinxRelease publishes a sphinx version with its Requires-Python.
func (e *env) sphinxRelease(version, requires string) {
	e.idx.AddRelease("sphinx", version, indexsim.File{
		Filename: "sphinx-" + version + "-py3-none-any.whl", RequiresPython: requires, UploadTime: released,
	})
}

// The case: sphinx pinned per Python in two files. One branch
// moves each line to the newest release its marker's Pythons run, both
// files change, the YAML follows the first file, and the MR lists every
// line.
func TestPerMarkerLinesAcrossFiles(t *testing.T) {
	e := newEnv(t, unlimited+"    constraints: [constraints.txt, constraints-py39.txt]\n")
	e.clock.Set(saturday)
	e.sphinxRelease("7.4.7", ">=3.9")
	e.sphinxRelease("8.1.3", ">=3.10")
	e.sphinxRelease("8.2.3", ">=3.10")
	e.sphinxRelease("9.0.4", ">=3.11")
	e.sphinxRelease("9.1.0", ">=3.11")
	e.gl.Commit(e.proj, "main", "sphinx", map[string]string{
		"constraints.txt": "sphinx===8.1.3 ; python_version == \"3.10\"\n" +
			"sphinx===9.0.4 ; python_version >= \"3.11\"\n",
		"constraints-py39.txt": "-c constraints.txt\nsphinx==7.4.7 ; python_version == \"3.9\"\nsix==1.16.0\n",
	})
	e.mustRun()

	mr := e.mrFor("pinwheel/sphinx-8.x")
	if mr.Title != "Update sphinx to 8.2.3" {
		t.Errorf("title %q", mr.Title)
	}
	first, _ := e.gl.File(e.proj, "pinwheel/sphinx-8.x", "constraints.txt")
	if want := "sphinx===8.2.3 ; python_version == \"3.10\"\nsphinx===9.1.0 ; python_version >= \"3.11\"\n"; string(first) != want {
		t.Errorf("constraints.txt on the branch:\n%s\nwant\n%s", first, want)
	}
	second, _ := e.gl.File(e.proj, "pinwheel/sphinx-8.x", "constraints-py39.txt")
	if !strings.Contains(string(second), "sphinx==7.4.7 ;") {
		t.Errorf("the 3.9 line moved:\n%s", second)
	}
	yml, _ := e.gl.File(e.proj, "pinwheel/sphinx-8.x", "pipeline/constraints.yml")
	if !strings.Contains(string(yml), `sphinx: "8.2.3"`) {
		t.Errorf("YAML not from the first file:\n%s", yml)
	}
	for _, want := range []string{"| `constraints.txt` | 1 |", "`9.1.0`", "| `constraints-py39.txt` | 2 | `python_version == \"3.9\"` | `7.4.7` | unchanged |"} {
		if !strings.Contains(mr.Description, want) {
			t.Errorf("MR description lacks %q:\n%s", want, mr.Description)
		}
	}
	// six is only in the second file: its MR changes that file alone.
	six := e.mrFor(brSix)
	if !strings.Contains(six.Description, "`constraints-py39.txt`") || strings.Contains(six.Description, "- `constraints.txt`") {
		t.Errorf("six's MR files:\n%s", six.Description)
	}
	body := e.dashboard().Description
	for _, want := range []string{"constraints-py39.txt (2)", "`-c` `constraints.txt`"} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q:\n%s", want, body)
		}
	}
}

// Bad data from the index costs that package: the run goes on, the other
// updates are made and the dashboard says what failed.
func TestBadIndexDataFailsOnePackage(t *testing.T) {
	e := newEnv(t, unlimited)
	e.clock.Set(saturday)
	// A file name with a blank in the version field: the version reads
	// as "2.32.9", the file name is not one pip could fetch.
	e.idx.AddRelease("requests", "2.32.9", indexsim.File{Filename: "requests-2.32.9 .tar.gz", UploadTime: released})
	rep := e.mustRun()
	if _, ok := e.openMRs()[brRequests]; ok {
		t.Errorf("an MR was opened from bad data")
	}
	if _, ok := e.openMRs()[brSix]; !ok || rep.MRsOpened == 0 {
		t.Errorf("the other updates were not made: %+v", rep)
	}
	if body := e.dashboard().Description; !strings.Contains(body, "bad data from the index") {
		t.Errorf("dashboard does not list the bad data:\n%s", body)
	}
}

// A package the config ignores is never asked for, and the dashboard lists
// it as ignored.
func TestIgnoredPackageNeverLeavesTheMachine(t *testing.T) {
	e := newEnv(t, "")
	e.gl.Commit(e.proj, "main", "private", map[string]string{
		"constraints.txt": initialConstraints + "acme-billing==4.1\nacme-secrets==1.0  # pinwheel: ignore\n",
	})
	e.cfg.Packages = append(e.cfg.Packages, config.PackageRule{Name: "ACME_Billing", Ignore: true})
	e.mustRun()
	for _, r := range e.idx.Log() {
		if strings.Contains(r.Path, "acme") {
			t.Errorf("the index was asked for %s", r.Path)
		}
	}
	body := e.dashboard().Description
	for _, want := range []string{"`acme-billing` | `4.1` | ignored", "`acme-secrets` | `1.0` | ignored"} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "look-up failed") {
		t.Errorf("an ignored package was looked up:\n%s", body)
	}
}

// A constraints file that is binary, or past the size cap, is refused with
// a clear error on the dashboard; nothing is looked up or changed.
func TestRefusedConstraintsFiles(t *testing.T) {
	for _, tt := range []struct {
		name, content, want string
	}{
		{"binary", "requests==2.31.0\n\x00\x01\x02ELF", "not a text file"},
		{"too large", strings.Repeat("# padding\n", 1<<20+10), "file too large"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, "")
			e.gl.Commit(e.proj, "main", "oops", map[string]string{"constraints.txt": tt.content})
			e.mustRun()
			body := e.dashboard().Description
			if !strings.Contains(body, tt.want) {
				t.Errorf("dashboard lacks %q:\n%s", tt.want, body)
			}
			if n := e.idx.RequestsOf(indexsim.KindSimpleProject); n != 0 {
				t.Errorf("%d look-ups of a refused file", n)
			}
		})
	}
}

// A version the index spells oddly is written in normal form everywhere.
func TestVersionsAreWrittenInNormalForm(t *testing.T) {
	e := newEnv(t, unlimited)
	e.clock.Set(saturday)
	e.idx.AddRelease("six", "V1.18.0", indexsim.File{Filename: "six-V1.18.0.tar.gz", UploadTime: released})
	e.mustRun()
	mr := e.mrFor(brSix)
	if mr.Title != "Update six to 1.18.0" {
		t.Errorf("title %q", mr.Title)
	}
	data, _ := e.gl.File(e.proj, brSix, "constraints.txt")
	yml, _ := e.gl.File(e.proj, brSix, "pipeline/constraints.yml")
	if !strings.Contains(string(data), "six==1.18.0 ;") || !strings.Contains(string(yml), `six: "1.18.0"`) {
		t.Errorf("file or YAML not in normal form:\n%s\n%s", data, yml)
	}
}
