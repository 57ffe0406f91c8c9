package prepare

import (
	"slices"
	"testing"
)

func TestInputHash(t *testing.T) {
	base := func() *plan {
		return &plan{
			venv: "/builds/software/venv", softwareDir: "/builds/software", format: Zstd,
			python: Interpreter{Version: "3.11.7", Platform: "Linux-6.1.0-18-amd64-x86_64-with-glibc2.36",
				Tag: "cpython-linux-x86_64", Libc: "glibc-2.36", Executable: "/usr/bin/python3"},
			reqs: []Requirement{{Entry: "requests", Name: "requests"}},
		}
	}
	want := base().inputHash()
	tests := []struct {
		name string
		edit func(*plan)
		same bool
	}{
		{"another kernel on the runner", func(p *plan) { p.python.Platform = "Linux-6.8.0-1-amd64-x86_64-with-glibc2.36" }, true},
		{"another Python", func(p *plan) { p.python.Version = "3.12.1" }, false},
		{"another libc", func(p *plan) { p.python.Libc = "glibc-2.28" }, false},
		{"another architecture", func(p *plan) { p.python.Tag = "cpython-linux-aarch64" }, false},
		{"PIP_INDEX_URL set", func(p *plan) { p.pipEnv = []string{"PIP_INDEX_URL=https://mirror/simple"} }, false},
		{"a git package moved", func(p *plan) { p.reqs[0].Commit = "0123456789abcdef0123456789abcdef01234567" }, false},
		{"another venv path", func(p *plan) { p.venv = "/opt/venv" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := base()
			tt.edit(p)
			if got := p.inputHash(); (got == want) != tt.same {
				t.Errorf("hash changed = %v, want %v", got != want, !tt.same)
			}
		})
	}
}

func TestPipSettings(t *testing.T) {
	environ := []string{
		"PIP_INDEX_URL=https://tok@mirror/simple", "PIP_FIND_LINKS=/opt/wheels", "PATH=/bin",
		"PIP_DEFAULT_TIMEOUT=180", "PIP_CACHE_DIR=/cache", "PIP_PRE=1", "pip_index_url=lower",
	}
	want := []string{"PIP_FIND_LINKS=/opt/wheels", "PIP_INDEX_URL=https://tok@mirror/simple", "PIP_PRE=1"}
	if got := pipSettings(environ); !slices.Equal(got, want) {
		t.Errorf("pipSettings = %q, want %q", got, want)
	}
}

func TestDirectReference(t *testing.T) {
	tests := []struct {
		entry, name, url string
	}{
		{"requests==2.0", "requests", ""},
		{"requests", "requests", ""},
		{"https://example.com/x-1.0.whl", "", ""},
		{"git+https://gitlab.com/g/p.git@main", "", "git+https://gitlab.com/g/p.git@main"},
		{"git+https://gitlab.com/g/p.git@main#egg=cki-lib", "cki-lib", "git+https://gitlab.com/g/p.git@main#egg=cki-lib"},
		{"cki-lib @ git+https://gitlab.com/g/p.git@main", "cki-lib", "git+https://gitlab.com/g/p.git@main"},
		{"x @ https://example.com/x-1.0.whl", "x", "https://example.com/x-1.0.whl"},
		{"x @ https://example.com/x-1.0.whl ; python_version>'3'", "x", ""},
	}
	for _, tt := range tests {
		name, u := directReference(tt.entry)
		if name != tt.name || u != tt.url {
			t.Errorf("directReference(%q) = %q, %q; want %q, %q", tt.entry, name, u, tt.name, tt.url)
		}
	}
}
