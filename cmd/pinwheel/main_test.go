package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestExitCodes: usage mistakes anywhere on the command line exit 2, as
// README.md promises; cobra alone would exit 1 for an unknown command or
// a stray argument.
func TestExitCodes(t *testing.T) {
	tests := []struct {
		args []string
		code int
		out  string
	}{
		{nil, 0, "Available Commands"},
		{[]string{"version"}, 0, "pinwheel "},
		{[]string{"frob"}, 2, ""},
		{[]string{"version", "extra"}, 2, ""},
		{[]string{"demo", "extra"}, 2, ""},
		{[]string{"demo", "--step", "99"}, 2, ""},
		{[]string{"demo", "--step", "1"}, 0, "Stopped after step 1 of"},
		{[]string{"yaml", "a", "b"}, 2, ""},
		{[]string{"--frobnicate"}, 2, ""},
	}
	for _, tc := range tests {
		stdout, stderr, err := execute(tc.args...)
		out := stdout + stderr
		if got := exitCode(err); got != tc.code {
			t.Errorf("pinwheel %v: exit %d (%v), want %d", tc.args, got, err, tc.code)
		}
		if !strings.Contains(out, tc.out) {
			t.Errorf("pinwheel %v: output lacks %q:\n%s", tc.args, tc.out, out)
		}
	}
}

// execute runs pinwheel's command line as main does, minus the exit.
func execute(args ...string) (stdout, stderr string, err error) {
	var out, errOut bytes.Buffer
	root := newRootCmd()
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	err = root.Execute()
	return out.String(), errOut.String(), err
}
