package mrcmd

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct {
		name, text string
		want       Kind
		words      string
		err        error
		pkg        string
	}{
		{"version of a member", "@pinwheel ignore this version Requests", IgnoreVersion, "ignore this version Requests", nil, "Requests"},
		{"major version of a member", "@pinwheel ignore this major version zope.interface.", IgnoreMajor, "ignore this major version zope.interface.", nil, "zope.interface"},
		{"dependency of a member", "@pinwheel ignore this dependency my-pkg_2", IgnoreDependency, "ignore this dependency my-pkg_2", nil, "my-pkg_2"},
		{"not a name", "@pinwheel ignore this version <b>", Unknown, "ignore this version <b>", nil, ""},
		{"two names", "@pinwheel ignore this version a b", Unknown, "ignore this version a b", nil, ""},
		{"rebase", "@pinwheel rebase", Rebase, "rebase", nil, ""},
		{"case and blanks", "  \n@PinWheel   ReBase  ", Rebase, "ReBase", nil, ""},
		{"trailing dot", "@pinwheel recreate.", Recreate, "recreate.", nil, ""},
		{"major", "@pinwheel ignore this major", IgnoreMajor, "ignore this major", nil, ""},
		{"major version", "@pinwheel ignore this major version", IgnoreMajor, "ignore this major version", nil, ""},
		{"minor", "@pinwheel ignore this minor version!", IgnoreMinor, "ignore this minor version!", nil, ""},
		{"version", "@pinwheel ignore  this\tversion", IgnoreVersion, "ignore this version", nil, ""},
		{"dependency", "@pinwheel ignore this dependency\r\nwe vendor it", IgnoreDependency, "ignore this dependency", nil, ""},
		{"later lines are free text", "@pinwheel rebase\n@pinwheel ignore this dependency", Rebase, "rebase", nil, ""},
		{"unknown", "@pinwheel merge", Unknown, "merge", nil, ""},
		{"unknown long", "@pinwheel please do all of the things now ok", Unknown, "please do all of the things", nil, ""},
		{"ignore without what", "@pinwheel ignore", Unknown, "ignore", nil, ""},
		{"test is the test bot's", "@pinwheel test [A=1]", "", "", ErrNotCommand, ""},
		{"bare mention", "@pinwheel", "", "", ErrNotCommand, ""},
		{"other bot", "@pinwheelbot rebase", "", "", ErrNotCommand, ""},
		{"not first", "please @pinwheel rebase", "", "", ErrNotCommand, ""},
		{"second line only", "thanks\n@pinwheel rebase", "", "", ErrNotCommand, ""},
		{"empty", "", "", "", ErrNotCommand, ""},
		{"at only", "@", "", "", ErrNotCommand, ""},
		{"glued", "@pinwheel:rebase", "", "", ErrNotCommand, ""},
		{"markdown", "`@pinwheel rebase`", "", "", ErrNotCommand, ""},
		{"hostile", "@pinwheel <script>alert(1)</script> " + strings.Repeat("x ", 10000), Unknown, "<script>alert(1)</script> x x x x x", nil, ""},
		{"nul", "@pinwheel re\x00base", Unknown, "re\x00base", nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Parse(c.text, "pinwheel")
			if !errors.Is(err, c.err) {
				t.Fatalf("err = %v, want %v", err, c.err)
			}
			if got.Kind != c.want || got.Words != c.words || got.Package != c.pkg {
				t.Errorf("Parse = %+v, want %s %q %q", got, c.want, c.words, c.pkg)
			}
		})
	}
}

func TestParseNoBot(t *testing.T) {
	if _, err := Parse("@ rebase", ""); !errors.Is(err, ErrNotCommand) {
		t.Errorf("err = %v, want ErrNotCommand", err)
	}
}

func TestIgnores(t *testing.T) {
	for k, want := range map[Kind]bool{Rebase: false, Recreate: false, Unknown: false, IgnoreMajor: true, IgnoreMinor: true, IgnoreVersion: true, IgnoreDependency: true} {
		if k.Ignores() != want {
			t.Errorf("%s.Ignores() = %v", k, !want)
		}
	}
}

func TestHelpNamesEveryCommand(t *testing.T) {
	h := Help("pinwheel")
	for words := range commands {
		first := strings.Fields(words)
		if !strings.Contains(h, first[len(first)-1]) {
			t.Errorf("help does not mention %q", words)
		}
	}
}
