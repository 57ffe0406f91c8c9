package pep440

import (
	"errors"
	"testing"
)

// TestSpecifiersContains walks the examples of the version specifiers spec
// (https://packaging.python.org/en/latest/specifications/version-specifiers/#version-specifiers)
// and the corner cases of its exclusive and prefix rules.
func TestSpecifiersContains(t *testing.T) {
	tests := []struct {
		spec, version string
		want          bool
	}{
		// Compatible release.
		{"~=2.2", "2.2", true},
		{"~=2.2", "2.9", true},
		{"~=2.2", "3.0", false},
		{"~=2.2", "2.1", false},
		{"~=1.4.5", "1.4.9", true},
		{"~=1.4.5", "1.5.0", false},
		{"~=2.2.post3", "2.2.post4", true},
		{"~=2.2.post3", "2.3", true},
		{"~=2.2.post3", "2.2", false},
		{"~=1.4.5a4", "1.4.5", true},
		{"~=1.4.5a4", "1.5", false},
		{"~=2.2.0", "2.2.9", true},
		{"~=2.2.0", "2.3", false},
		{"~=1.4.5.0", "1.4.5.9", true},
		{"~=1.4.5.0", "1.4.6", false},
		{"~=1!2.2", "1!2.5", true},
		{"~=1!2.2", "2.5", false},
		// Version matching, padding and local labels.
		{"==1.1", "1.1.post1", false},
		{"==1.1.post1", "1.1.post1", true},
		{"==1.1.*", "1.1.post1", true},
		{"==1.1", "1.1.0", true},
		{"==1.1.0", "1.1", true},
		{"==1.1", "1.1+local", true},
		{"==1.1+local", "1.1", false},
		{"==1.1+local", "1.1+LOCAL", true},
		{"==1.1.*", "1.10", false},
		{"==1.1.*", "1.1.9+x", true},
		{"==1.1.0.*", "1.1", true},
		{"==1.*", "1!1.0", false},
		{"==1!1.*", "1!1.0", true},
		{"==1.0a1.*", "1.0a1.post1", true},
		{"==1.0a1.*", "1.0.0a1", false},
		{"==1.0.post1.*", "1.0.post1.dev2", true},
		{"==1.0.post1.*", "1.0.post2", false},
		{"!=1.1.*", "1.1.5", false},
		{"!=1.1.*", "1.2", true},
		{"!=1.1", "1.1+local", false},
		// Inclusive ordered comparison ignores local labels.
		{"<=1.0", "1.0+local", true},
		{">=1.0", "1.0+local", true},
		// Exclusive ordered comparison.
		{">1.7", "1.7.1", true},
		{">1.7", "1.7.0.post1", false},
		{">1.7", "1.7+local", false},
		{">1.7.post2", "1.7.1", true},
		{">1.7.post2", "1.7.0.post3", true},
		{">1.7.post2", "1.7.0", false},
		{"<1.7", "1.6.9", true},
		{"<1.7", "1.7.0rc1", false},
		{"<1.7rc2", "1.7rc1", true},
		{"<1.7", "1.6+local", true},
		// Arbitrary equality compares normalised text, case-insensitively.
		{"===1.0", "1.0", true},
		{"===1.0", "1.0.0", false},
		{"===1.0+ABC", "1.0+abc", true},
		// Sets are conjunctions.
		{">=3.8, !=3.9.*", "3.8", true},
		{">=3.8, !=3.9.*", "3.9.1", false},
		{">=3.8, !=3.9.*", "3.10", true},
		{">=3.8, !=3.9.*", "3.7", false},
		{"", "1.0", true},
		{" , ", "0.1", true},
	}
	for _, tt := range tests {
		specs, err := ParseSpecifiers(tt.spec)
		if err != nil {
			t.Errorf("ParseSpecifiers(%q): %v", tt.spec, err)
			continue
		}
		if got := specs.Contains(MustParse(tt.version), WithPrereleases(true)); got != tt.want {
			t.Errorf("%q contains %s = %v, want %v", tt.spec, tt.version, got, tt.want)
		}
	}
}

func TestSpecifiersPrereleaseRule(t *testing.T) {
	tests := []struct {
		spec, version string
		opts          []ContainsOption
		want          bool
	}{
		{"", "1.0a1", nil, false},
		{"", "1.0a1", []ContainsOption{WithPrereleases(true)}, true},
		{"", "1.0.dev1", nil, false},
		{"", "1.0.post1", nil, true},
		{">=1.0", "2.0b1", nil, false},
		{">=1.0b1", "2.0b1", nil, true}, // the set names a pre-release
		{">=1.0b1", "2.0b1", []ContainsOption{WithPrereleases(false)}, false},
		{"==2.0.dev1", "2.0.dev1", nil, true},
		{"==2.0b1.*", "2.0b1", nil, true},
		{">=1.0, <3.0a1", "2.0b1", nil, false}, // "<" does not let pre-releases in
		{"!=1.0rc1", "2.0rc1", nil, false},
		{"<3", "3.0a1", []ContainsOption{WithPrereleases(true)}, false},
		{"<3", "2.9a1", []ContainsOption{WithPrereleases(true)}, true},
	}
	for _, tt := range tests {
		specs := MustParseSpecifiers(tt.spec)
		if got := specs.Contains(MustParse(tt.version), tt.opts...); got != tt.want {
			t.Errorf("%q contains %s (%d options) = %v, want %v", tt.spec, tt.version, len(tt.opts), got, tt.want)
		}
	}
}

func TestContainsString(t *testing.T) {
	tests := []struct {
		spec, version string
		want          bool
	}{
		{"===foobar", "FooBar", true},
		{"===foobar", "foobaz", false},
		{"===foobar, ===FOOBAR", "foobar", true},
		{"===foobar, >=1", "foobar", false},
		{"", "foobar", false},
		{">=1", "1.5", true},
		{"===1.0", " 1.0 ", true},
	}
	for _, tt := range tests {
		if got := MustParseSpecifiers(tt.spec).ContainsString(tt.version); got != tt.want {
			t.Errorf("%q ContainsString(%q) = %v, want %v", tt.spec, tt.version, got, tt.want)
		}
	}
}

func TestParseSpecifiersRejects(t *testing.T) {
	for _, in := range []string{
		"1.0", "=1.0", "=>1.0", "~=1", "~=1.0.*", "~=1.0+local", ">=1.0+local", "<1.0.*",
		"==1.0.dev1.*", "==1.0+local.*", "== 1.0 .*", "==1.0, >=x", "===", "=== a b", "==",
		">= 1.0 2.0",
	} {
		_, err := ParseSpecifiers(in)
		if err == nil {
			t.Errorf("ParseSpecifiers(%q) succeeded, want an error", in)
			continue
		}
		if !errors.Is(err, ErrInvalidSpecifier) {
			t.Errorf("ParseSpecifiers(%q) error %v does not wrap ErrInvalidSpecifier", in, err)
		}
	}
}

func TestSpecifiersString(t *testing.T) {
	tests := []struct{ in, want string }{
		{">=3.8, !=3.9.*", ">=3.8,!=3.9.*"},
		{"~= 2.2.0", "~=2.2.0"},
		{"==V1.0-1", "==1.0.post1"},
		{"==1.0+Local", "==1.0+local"},
		{"=== Foo-Bar", "===Foo-Bar"},
		{"<3,", "<3"},
		{"", ""},
	}
	for _, tt := range tests {
		specs := MustParseSpecifiers(tt.in)
		got := specs.String()
		if got != tt.want {
			t.Errorf("ParseSpecifiers(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
		again := MustParseSpecifiers(got)
		if again.String() != got || len(again) != len(specs) {
			t.Errorf("String() %q does not round-trip: %q", got, again)
		}
	}
	s := MustParseSpecifiers(">=1.0b1")[0]
	if s.Operator() != OpGreaterEqual || s.Version().String() != "1.0b1" {
		t.Errorf("accessors: %s %s", s.Operator(), s.Version())
	}
}
