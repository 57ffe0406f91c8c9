package pep440

import (
	"errors"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func TestParseNormalises(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1.0", "1.0"},
		{"1!2.0", "1!2.0"},
		{"0!1.0", "1.0"},
		{"v1.0", "1.0"},
		{"V1.0", "1.0"},
		{"  1.0\n", "1.0"},
		{"01.002.0003", "1.2.3"},
		// Pre-release spellings: https://packaging.python.org/en/latest/specifications/version-specifiers/#pre-release-spelling
		{"1.0a", "1.0a0"},
		{"1.0a1", "1.0a1"},
		{"1.0.a1", "1.0a1"},
		{"1.0-a1", "1.0a1"},
		{"1.0_a_1", "1.0a1"},
		{"1.0alpha1", "1.0a1"},
		{"1.0ALPHA1", "1.0a1"},
		{"1.0beta2", "1.0b2"},
		{"1.0c1", "1.0rc1"},
		{"1.0pre1", "1.0rc1"},
		{"1.0preview1", "1.0rc1"},
		{"1.0RC1", "1.0rc1"},
		{"1.0a.", "1.0a0"},
		{"1.0-beta-", "1.0b0"},
		// Post-releases, including the implicit "-N" form.
		{"1.0.post1", "1.0.post1"},
		{"1.0post1", "1.0.post1"},
		{"1.0-post1", "1.0.post1"},
		{"1.0.post", "1.0.post0"},
		{"1.0.rev1", "1.0.post1"},
		{"1.0r1", "1.0.post1"},
		{"1.0-1", "1.0.post1"},
		// Dev releases.
		{"1.0.dev", "1.0.dev0"},
		{"1.0dev1", "1.0.dev1"},
		{"1.0-dev1", "1.0.dev1"},
		{"1.0_dev_1", "1.0.dev1"},
		// Local versions.
		{"1.0+ubuntu.1", "1.0+ubuntu.1"},
		{"1.0+ubuntu-1", "1.0+ubuntu.1"},
		{"1.0+Ubuntu_01", "1.0+ubuntu.1"},
		// Everything at once.
		{"v1!2.3.4-RC_5.REV.6_DEV-7+Abc-8", "1!2.3.4rc5.post6.dev7+abc.8"},
		{"1.0a1-1", "1.0a1.post1"},
	}
	for _, tt := range tests {
		v, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got := v.String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, in := range []string{
		"", " ", "1.0-", "1.0.", ".1", "1..0", "1.0+", "1.0+local+", "1.0+lo cal",
		"1.0a1a2", "1.0.post1.post2", "1.0.dev1.dev2", "1.0.dev1a1", "a1",
		"1!", "!1.0", "1.0.x", "1.0*", "1.0 .dev1", "vv1.0",
		"1.0+ü", "1.٠", "99999999999999999999999.0",
	} {
		_, err := Parse(in)
		if err == nil {
			t.Errorf("Parse(%q) succeeded, want an error", in)
			continue
		}
		if !errors.Is(err, ErrInvalidVersion) {
			t.Errorf("Parse(%q) error %v does not wrap ErrInvalidVersion", in, err)
		}
		if !strings.Contains(err.Error(), `"`+in+`"`) {
			t.Errorf("Parse(%q) error %q does not name the input", in, err)
		}
	}
}

// TestCompareSpecOrder checks the ordering example of PEP 440
// (https://peps.python.org/pep-0440/#summary-of-permitted-suffixes-and-relative-ordering)
// plus the epoch, local and trailing-zero rules.
func TestCompareSpecOrder(t *testing.T) {
	ordered := []string{
		"1.dev0", "1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12",
		"1.0b1.dev456", "1.0b2", "1.0b2.post345.dev456", "1.0b2.post345",
		"1.0rc1.dev456", "1.0rc1", "1.0", "1.0+abc.5", "1.0+abc.7", "1.0+5",
		"1.0.post456.dev34", "1.0.post456", "1.0.15", "1.1.dev1", "1.9", "1.10",
		"2.0", "1!0.1",
	}
	for i := range ordered {
		for j := range ordered {
			a, b := MustParse(ordered[i]), MustParse(ordered[j])
			want := cmpInt(i, j)
			if got := a.Compare(b); got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", a, b, got, want)
			}
		}
	}
	shuffled := append([]string(nil), ordered...)
	sort.Sort(sort.Reverse(sort.StringSlice(shuffled)))
	sort.SliceStable(shuffled, func(i, j int) bool { return MustParse(shuffled[i]).Compare(MustParse(shuffled[j])) < 0 })
	if !reflect.DeepEqual(shuffled, ordered) {
		t.Errorf("sorted = %v, want %v", shuffled, ordered)
	}
}

func TestEqual(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"1.0", "1.0.0", true},
		{"1.0", "1", true},
		{"0!1.0", "1.0", true},
		{"1.0+ABC", "1.0+abc", true},
		{"1.0+1", "1.0+01", true},
		{"1.0", "1.0+local", false},
		{"1.0.post0", "1.0", false},
		{"1.0a0", "1.0a", true},
		{"1.0+abc", "1.0+abc.0", false},
	}
	for _, tt := range tests {
		if got := MustParse(tt.a).Equal(MustParse(tt.b)); got != tt.want {
			t.Errorf("Equal(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestAccessors(t *testing.T) {
	tests := []struct {
		in             string
		epoch          int
		release        []int
		pre, dev, post bool
		local, public  string
		base           string
	}{
		{"1.2.3", 0, []int{1, 2, 3}, false, false, false, "", "1.2.3", "1.2.3"},
		{"2!1.0rc1+x.1", 2, []int{1, 0}, true, false, false, "x.1", "2!1.0rc1", "2!1.0"},
		{"1.0.dev1", 0, []int{1, 0}, true, true, false, "", "1.0.dev1", "1.0"},
		{"1.0.post2.dev1", 0, []int{1, 0}, true, true, true, "", "1.0.post2.dev1", "1.0"},
		{"1.0.post2", 0, []int{1, 0}, false, false, true, "", "1.0.post2", "1.0"},
	}
	for _, tt := range tests {
		v := MustParse(tt.in)
		if v.Epoch() != tt.epoch || !reflect.DeepEqual(v.Release(), tt.release) ||
			v.IsPrerelease() != tt.pre || v.IsDevrelease() != tt.dev || v.IsPostrelease() != tt.post ||
			v.Local() != tt.local || v.Public().String() != tt.public || v.BaseVersion().String() != tt.base {
			t.Errorf("%s: epoch %d release %v pre %v dev %v post %v local %q public %s base %s",
				tt.in, v.Epoch(), v.Release(), v.IsPrerelease(), v.IsDevrelease(), v.IsPostrelease(),
				v.Local(), v.Public(), v.BaseVersion())
		}
	}
	v := MustParse("1.2")
	v.Release()[0] = 9
	if v.String() != "1.2" {
		t.Errorf("Release() exposes the version's storage: %s", v)
	}
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustParse(bad) did not panic")
		}
	}()
	MustParse("not a version")
}

func TestClassify(t *testing.T) {
	tests := []struct {
		from, to string
		want     UpdateType
	}{
		{"1.2.3", "2.0.0", Major},
		{"1.2.3", "1.3.0", Minor},
		{"1.2.3", "1.2.4", Patch},
		{"1.2.3.4", "1.2.3.5", Patch},
		{"1.2", "1.2.1", Patch},
		{"1.2.0", "1.3", Minor},
		{"0.9", "1.0", Major},
		{"1.0", "1!1.0", Major},
		{"1!1.0", "1!1.1", Minor},
		{"1.0rc1", "1.0", Patch},
		{"1.0", "1.0.post1", Patch},
		{"1.0", "1.0.0+local", Patch},
		{"2.0", "1.0", Major},
	}
	for _, tt := range tests {
		if got := Classify(MustParse(tt.from), MustParse(tt.to)); got != tt.want {
			t.Errorf("Classify(%s, %s) = %s, want %s", tt.from, tt.to, got, tt.want)
		}
	}
}
