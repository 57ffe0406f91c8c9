package buildinfo

import (
	"strings"
	"testing"
)

func TestUserAgentNamesPinwheel(t *testing.T) {
	if ua := UserAgent(); !strings.HasPrefix(ua, "pinwheel/"+Version+" ") {
		t.Errorf("UserAgent() = %q", ua)
	}
}
