package pep440

import "testing"

// FuzzParse checks that the normal form of any version parses back to an
// equal version with the same normal form, and that specifiers round-trip.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"1.0", "v1!2.3.4-RC_5.REV.6_DEV-7+Abc-8", "1.0a.", "1.0-1", " 1.0 ", "1.0+ubuntu-01", "0!0", "1.0.post.dev",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Parse(s)
		if err != nil {
			return
		}
		again, err := Parse(v.String())
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q does not parse: %v", s, v.String(), err)
		}
		if !again.Equal(v) || again.String() != v.String() {
			t.Fatalf("Parse(%q) = %s, re-parsed %s", s, v, again)
		}
		if v.Compare(v.Public()) < 0 || (v.Local() != "") != (v.Compare(v.Public()) > 0) {
			t.Fatalf("%s: a local version must sort just after its public version", v)
		}
		if base := v.BaseVersion(); base.IsPrerelease() || base.IsPostrelease() || base.Local() != "" {
			t.Fatalf("%s: BaseVersion %s keeps a suffix", v, base)
		}
		for _, op := range []string{"==", "<=", ">="} {
			specs, err := ParseSpecifiers(op + v.Public().String())
			if err != nil {
				t.Fatalf("%s%s: %v", op, v.Public(), err)
			}
			if !specs.Contains(v, WithPrereleases(true)) {
				t.Fatalf("%s does not contain %s", specs, v)
			}
		}
	})
}

// FuzzParseSpecifiers checks that a parsed set's String parses back to a set
// with the same String and the same verdict on a few versions.
func FuzzParseSpecifiers(f *testing.F) {
	for _, seed := range []string{">=3.8, !=3.9.*", "~=2.2.post3", "==1.0+local", "===foo", "<1!2.0a1,>0"} {
		f.Add(seed)
	}
	probes := []Version{MustParse("0"), MustParse("1.0"), MustParse("2.2.5"), MustParse("3.9.1"), MustParse("1!2.0a1")}
	f.Fuzz(func(t *testing.T, s string) {
		specs, err := ParseSpecifiers(s)
		if err != nil {
			return
		}
		again, err := ParseSpecifiers(specs.String())
		if err != nil {
			t.Fatalf("%q: String() %q does not parse: %v", s, specs.String(), err)
		}
		if again.String() != specs.String() {
			t.Fatalf("%q: String() %q re-parses to %q", s, specs.String(), again.String())
		}
		for _, v := range probes {
			if specs.Contains(v) != again.Contains(v) {
				t.Fatalf("%q and %q disagree on %s", s, again.String(), v)
			}
		}
	})
}
