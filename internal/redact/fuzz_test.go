package redact

import (
	"strings"
	"testing"
)

// FuzzURLsHidePasswords: whatever a pasted password holds (short of
// white space and quotes, which end a URL in text), it does not survive.
func FuzzURLsHidePasswords(f *testing.F) {
	for _, seed := range []string{"s3cret", "pa/ss", "p?ss", "p#ss", "p@ss", "a:b", "%40x", "123/x"} {
		f.Add("before ", seed, "/g/p.git@main after")
	}
	f.Fuzz(func(t *testing.T, before, pw, after string) {
		got := URLs(before) // never panics
		_ = got
		if len(pw) < 4 || strings.ContainsAny(pw, " \t\r\n'\"`<>") || strings.Contains(before+after+"user@gitlab.example", pw) {
			return
		}
		in := before + " https://user:" + pw + "@gitlab.example" + after
		if out := URLs(in); strings.Contains(out, pw) {
			t.Errorf("URLs(%q) = %q keeps the password", in, out)
		}
	})
}
