package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A group named like a package branch's end ("lasso-1.x") is refused: its
// branch pinwheel/group-lasso-1.x is the package group-lasso's.
func TestValidateGroupNameLikePackageBranch(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("gitlab: {url: https://gitlab.example.com, token_env: T}\ngroups:\n  - name: lasso-1.x\nprojects:\n  - path: group/app\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runCLI(t, "validate", "--config", bad)
	if code != 2 || !strings.Contains(stderr, bad+":3: ") || !strings.Contains(stderr, `"lasso-1.x" ends like a package's branch`) {
		t.Errorf("exit %d, want 2 naming the group\n%s", code, stderr)
	}
}
