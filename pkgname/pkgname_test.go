package pkgname

import "testing"

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"requests", "requests"},
		{"Zope.Interface", "zope-interface"},
		{"zope_interface", "zope-interface"},
		{"Foo--._Bar", "foo-bar"},
		{"ruamel.yaml", "ruamel-yaml"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if !Equal("Zope.Interface", "zope-interface") {
		t.Error("Equal(Zope.Interface, zope-interface) = false")
	}
}

func TestValid(t *testing.T) {
	for _, name := range []string{"a", "requests", "zope.interface", "A1_b-c"} {
		if !Valid(name) {
			t.Errorf("Valid(%q) = false, want true", name)
		}
	}
	for _, name := range []string{"", "-a", "a-", "a b", "a/b", "é"} {
		if Valid(name) {
			t.Errorf("Valid(%q) = true, want false", name)
		}
	}
}
