package buildinfo

import (
	"strings"
	"testing"
)

func TestVersionIsSemVer(t *testing.T) {
	if _, err := SemVer(); err != nil {
		t.Fatal(err)
	}
	old := Version
	defer func() { Version = old }()
	Version = "1.0"
	if _, err := SemVer(); err == nil {
		t.Error("SemVer() accepted 1.0, which is not strict SemVer")
	}
}

func TestUserAgentNamesPinwheel(t *testing.T) {
	if ua := UserAgent(); !strings.HasPrefix(ua, "pinwheel/"+Version+" ") {
		t.Errorf("UserAgent() = %q", ua)
	}
}
