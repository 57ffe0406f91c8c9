package prepare

import (
	"fmt"
	"path/filepath"
	"strings"
)

// ActivationScript returns the shell lines a later job runs to unpack the
// tarball and use the venv: the tarball holds absolute paths, so it is
// unpacked at /, and activation is done with plain exports so it works in
// any POSIX shell, sourced or eval'ed.
func ActivationScript(tarball, venv string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "tar -xf %s -C /\n", shellQuote(tarball))
	fmt.Fprintf(&b, "export VIRTUAL_ENV=%s\n", shellQuote(venv))
	fmt.Fprintf(&b, "export PATH=%s:\"$PATH\"\n", shellQuote(filepath.Join(venv, "bin")))
	return b.String()
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+=:,@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
