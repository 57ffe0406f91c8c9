package config

import "testing"

func TestAutodiscoverExcluded(t *testing.T) {
	a := &Autodiscover{Exclude: []string{"platform/legacy-*", "Tools/Old", "*/sandbox", "lab/[!a-m]*"}}
	for _, tc := range []struct {
		path string
		want bool
	}{
		{"platform/legacy-app", true},
		{"Platform/Legacy-App", true},
		{"platform/legacy-old/app", true},      // a subgroup the pattern matches
		{"platform/legacy-old/deep/app", true}, // and its subgroups
		{"tools/old/app", true},                // a group named exactly
		{"tools/old", true},                    // a project named exactly
		{"tools/older/app", false},             // a group is matched whole, not as a prefix
		{"platform/app", false},
		{"platform/web/legacy-app", false}, // * stops at a slash
		{"team/sandbox/try", true},
		{"team/x/sandbox", false}, // the pattern anchors at the root
		{"platform", false},
		{"platform-legacy-x/legacy-app", false},
		{"lab/zeta", true}, // [!seq], as in the groups' packages patterns
		{"lab/alpha", false},
	} {
		if got := a.Excluded(tc.path); got != tc.want {
			t.Errorf("Excluded(%q) = %v, want %v", tc.path, got, tc.want)
		}
	}
}
