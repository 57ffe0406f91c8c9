package glob

import (
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		yes, no []string
	}{
		{"django-*", []string{"django-", "django-rest"}, []string{"django", "flask-django-x"}},
		{"?ab", []string{"xab"}, []string{"ab", "xxab"}},
		{"[ab]*", []string{"a", "boto"}, []string{"c", ""}},
		{"[!a-]*", []string{"boto", "z"}, []string{"attrs", "-x"}},
		{"[^a-c]x", []string{"dx"}, []string{"ax", "cx"}},
		{"[a-c0-9]", []string{"b", "7"}, []string{"d", "-"}},
		{"[]a]", []string{"]", "a"}, []string{"b"}},
		{"a.b+c(d)", []string{"a.b+c(d)"}, []string{"aXb+c(d)", "a.bbc(d)"}},
		{`a\*`, []string{`a\b`}, []string{"a*"}},
		{"platform/legacy-*", []string{"platform/legacy-app"}, []string{"platform/legacy-old/app", "platform/web"}},
		{"a[!b]c", []string{"axc"}, []string{"a/c", "abc"}},
		{"é?", []string{"éx"}, []string{"é"}},
	} {
		p, err := Compile(tc.pattern)
		if err != nil {
			t.Errorf("Compile(%q): %v", tc.pattern, err)
			continue
		}
		for _, s := range tc.yes {
			if !p.Match(s) {
				t.Errorf("%q does not match %q, want it to", tc.pattern, s)
			}
		}
		for _, s := range tc.no {
			if p.Match(s) {
				t.Errorf("%q matches %q, want it not to", tc.pattern, s)
			}
		}
	}
}

func TestCompileRefuses(t *testing.T) {
	for _, tc := range []struct{ pattern, want string }{
		{"", "empty pattern"},
		{"[z-a]*", "range z-a in \"[z-a\" is empty (reversed; write a-z)"},
		{"[ab", "no closing ]"},
		{"[!", "no closing ]"},
		{"[]", "no closing ]"},
		{"x[a-]", ""}, // a trailing - is a member: not refused
		{"[+-0]", "matches a slash"},
		{"[/]", "matches a slash"},
	} {
		_, err := Compile(tc.pattern)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("Compile(%q): %v, want no error", tc.pattern, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("Compile(%q): %v, want an error with %q", tc.pattern, err, tc.want)
		}
	}
}
