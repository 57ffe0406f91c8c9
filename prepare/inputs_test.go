package prepare

import (
	"errors"
	"testing"
)

func TestIsProjectPath(t *testing.T) {
	tests := []struct {
		entry string
		want  bool
	}{
		{"cki-project/cki-lib", true},
		{"group/sub/name", true},
		{"group/name.py", true},
		{"requests", false},
		{"requests==2.32.3", false},
		{"pkg @ https://example.com/pkg.whl", false},
		{"git+https://gitlab.com/group/name.git@main", false},
		{"https://example.com/a/b.tar.gz", false},
		{"/abs/path", false},
		{"group/", false},
		{"./local/dir", false},
	}
	for _, tt := range tests {
		if got := IsProjectPath(tt.entry); got != tt.want {
			t.Errorf("IsProjectPath(%q) = %v, want %v", tt.entry, got, tt.want)
		}
	}
}

func TestSplitGitURL(t *testing.T) {
	tests := []struct {
		in, repo, ref string
		ok            bool
	}{
		{"git+https://gitlab.com/g/p.git@production", "https://gitlab.com/g/p.git", "production", true},
		{"git+https://gitlab.com/g/p.git", "https://gitlab.com/g/p.git", "", true},
		{"git+https://u:tok@gitlab.com/g/p.git@v1.2#egg=p", "https://u:tok@gitlab.com/g/p.git", "v1.2", true},
		{"git+https://u@gitlab.com/g/p.git", "https://u@gitlab.com/g/p.git", "", true},
		{"git+file:///srv/git/g/p.git@feature/x", "file:///srv/git/g/p.git", "feature/x", true},
		{"https://example.com/p.whl", "", "", false},
	}
	for _, tt := range tests {
		repo, ref, ok := splitGitURL(tt.in)
		if repo != tt.repo || ref != tt.ref || ok != tt.ok {
			t.Errorf("splitGitURL(%q) = %q, %q, %v; want %q, %q, %v", tt.in, repo, ref, ok, tt.repo, tt.ref, tt.ok)
		}
	}
}

func TestRequirementPip(t *testing.T) {
	sha := "0123456789abcdef0123456789abcdef01234567"
	tests := []struct {
		req  Requirement
		want string
	}{
		{Requirement{Entry: "requests==2.0", Name: "requests"}, "requests==2.0"},
		{Requirement{Entry: "g/cki-lib", Name: "cki-lib", URL: "git+https://gitlab.com/g/cki-lib.git@production", Commit: sha},
			"cki-lib @ git+https://gitlab.com/g/cki-lib.git@" + sha},
		{Requirement{Entry: "g/p", Name: "p", URL: "git+file:///srv/g/p.git@production", Commit: sha},
			"git+file:///srv/g/p.git@" + sha + "#egg=p"},
		{Requirement{Entry: "x", Name: "x", URL: "https://example.com/x-1.0.tar.gz"}, "x @ https://example.com/x-1.0.tar.gz"},
	}
	for _, tt := range tests {
		if got := tt.req.Pip(); got != tt.want {
			t.Errorf("%+v.Pip() = %q, want %q", tt.req, got, tt.want)
		}
	}
}

func TestRequirementsOverrides(t *testing.T) {
	o := &Options{
		Packages:         []string{"cki-project/cki-lib", "Requests==2.0", "https://example.com/x.whl"},
		GitLabURL:        "https://gitlab.example.com/",
		ProductionBranch: "production",
	}
	tests := []struct {
		name    string
		environ []string
		flags   map[string]string
		want    []string // URL per package
		applied int
		wantErr error
	}{
		{
			name: "no overrides",
			want: []string{"git+https://gitlab.example.com/cki-project/cki-lib.git@production", "", ""},
		},
		{
			name:    "env, any case, dash as underscore",
			environ: []string{"CKI_LIB_pip_url=git+https://h/cki-lib.git@mine", "requests_PIP_URL=https://h/r.whl", "unrelated_pip_url=x", "PATH=/bin"},
			want:    []string{"git+https://h/cki-lib.git@mine", "https://h/r.whl", ""},
			applied: 2,
		},
		{
			name:    "flag wins over env",
			environ: []string{"cki_lib_pip_url=git+https://h/cki-lib.git@mine"},
			flags:   map[string]string{"cki-lib": "git+https://h/cki-lib.git@theirs"},
			want:    []string{"git+https://h/cki-lib.git@theirs", "", ""},
			applied: 1,
		},
		{
			name:    "flag for a package not listed",
			flags:   map[string]string{"nope": "https://h/n.whl"},
			wantErr: ErrInvalidOptions,
		},
		{
			name:    "flag with a bad name",
			flags:   map[string]string{"not a name": "https://h/n.whl"},
			wantErr: ErrInvalidOptions,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ovs, err := resolveOverrides(tt.environ, tt.flags)
			var reqs []Requirement
			var applied []Override
			if err == nil {
				reqs, applied, err = requirements(o, ovs)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				return
			}
			for i, r := range reqs {
				if r.URL != tt.want[i] {
					t.Errorf("package %s URL = %q, want %q", r.Entry, r.URL, tt.want[i])
				}
			}
			if len(applied) != tt.applied {
				t.Errorf("applied overrides = %+v, want %d", applied, tt.applied)
			}
		})
	}
}

func TestActivationScript(t *testing.T) {
	got := ActivationScript("venv.tar.zst", "/builds/my dir/venv")
	want := "tar -xf venv.tar.zst -C /\n" +
		"export VIRTUAL_ENV='/builds/my dir/venv'\n" +
		"export PATH='/builds/my dir/venv/bin':\"$PATH\"\n"
	if got != want {
		t.Errorf("ActivationScript =\n%s\nwant\n%s", got, want)
	}
}

func TestFormatOf(t *testing.T) {
	for name, want := range map[string]Format{"a.tar.gz": Gzip, "a.tgz": Gzip, "b.tar.zst": Zstd} {
		if got, err := FormatOf(name); got != want || err != nil {
			t.Errorf("FormatOf(%q) = %q, %v", name, got, err)
		}
	}
	if _, err := FormatOf("a.zip"); !errors.Is(err, ErrInvalidOptions) {
		t.Errorf("FormatOf(a.zip) err = %v, want ErrInvalidOptions", err)
	}
}

func TestPrepareRejectsBadOptions(t *testing.T) {
	ok := Options{Packages: []string{"requests"}, SoftwareDir: t.TempDir()}
	tests := []struct {
		name string
		edit func(*Options)
	}{
		{"nothing to install", func(o *Options) { o.Packages = nil }},
		{"no place for the venv", func(o *Options) { o.SoftwareDir = "" }},
		{"unknown output format", func(o *Options) { o.Output = "venv.zip" }},
		{"cache without output", func(o *Options) { o.CacheDir = t.TempDir() }},
		{"override of an unlisted package", func(o *Options) { o.Overrides = map[string]string{"flask": "https://h/f.whl"} }},
		{"data project that is no project path", func(o *Options) { o.DataProjects = []string{"kpet-db"} }},
		{"data projects without a GitLab client", func(o *Options) { o.DataProjects = []string{"cki/kpet-db"} }},
		{"missing constraints file", func(o *Options) { o.Constraints = "/nonexistent/constraints.txt" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ok
			tt.edit(&o)
			if _, err := Prepare(t.Context(), o); !errors.Is(err, ErrInvalidOptions) {
				t.Errorf("err = %v, want ErrInvalidOptions", err)
			}
		})
	}
}
