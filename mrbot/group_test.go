package mrbot

import (
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/internal/golden"
)

func TestGroupTitle(t *testing.T) {
	tests := []struct {
		title, group string
		ok           bool
	}{
		{GroupTitle("non-major"), "non-major", true},
		{"Update requests to 2.32.0", "", false},
		{"Update non major dependencies", "", false},
		{"Update  dependencies", "", false},
		{"Bump non-major dependencies", "", false},
	}
	for _, tt := range tests {
		g, ok := ParseGroupTitle(tt.title)
		if g != tt.group || ok != tt.ok {
			t.Errorf("ParseGroupTitle(%q) = %q, %v; want %q, %v", tt.title, g, ok, tt.group, tt.ok)
		}
	}
	// A commit of the same group is pinwheel's; one of another group or a
	// person's is not.
	msg := GroupTitle("web") + "\n\nrequests 2.31.0 -> 2.32.0\n"
	for title, want := range map[string]bool{
		GroupTitle("web"): true, GroupTitle("other"): false, "Fix the tests": false, Title("web", "1"): false,
	} {
		if got := sameUpdate(title, msg); got != want {
			t.Errorf("sameUpdate(%q) = %v, want %v", title, got, want)
		}
	}
}

func TestGroupDescription(t *testing.T) {
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	d := GroupDescription(GroupUpdate{Group: "non-major", Files: []string{"constraints.txt", "pipeline/constraints.yml"}, Updates: []Update{
		{Name: "requests", From: "2.31.0", To: "2.32.4", Type: "minor", Released: now.Add(-72 * time.Hour), Links: map[string]string{"Source": "https://github.com/psf/requests"}},
		{Name: "idna", From: "3.4", To: "3.10", Type: "minor"},
		{Name: "a|b", From: "1.0", To: "1.0.1", Type: "patch"},
	}}, now)
	if n := strings.Count(d, "\n| "); n != 4 {
		t.Errorf("%d table lines, want a header and one row per package", n)
	}
	golden.Check(t, "description-group.md", []byte(d))
}
