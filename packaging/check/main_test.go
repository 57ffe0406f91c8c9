package check

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// root is the repository root, seen from this folder.
const root = "../.."

// binary is the pinwheel built from this checkout by TestMain.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pinwheel-packaging-check-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "pinwheel")
	// Built in the product module, with its own go.mod, as a user would.
	build := exec.Command("go", "build", "-o", binary, "./cmd/pinwheel")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build pinwheel: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var flagName = regexp.MustCompile(`(?:^|\s|,)--([a-z0-9][a-z0-9-]*)`)

// commandFlags returns the long flags `pinwheel <command> --help` lists
// under "Flags:" and "Global Flags:".
func commandFlags(t *testing.T, command string) map[string]bool {
	t.Helper()
	out, err := exec.Command(binary, command, "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("pinwheel %s --help: %v\n%s", command, err, out)
	}
	flags := map[string]bool{}
	in := false
	for _, line := range strings.Split(string(out), "\n") {
		switch {
		case line == "Flags:" || line == "Global Flags:":
			in = true
		case strings.TrimSpace(line) == "":
			in = false
		case in:
			// "  -h, --help   help for daemon": the name is the first --word.
			if m := flagName.FindStringSubmatch(strings.SplitN(strings.TrimSpace(line), "   ", 2)[0]); m != nil {
				flags[m[1]] = true
			}
		}
	}
	if !flags["help"] {
		t.Fatalf("pinwheel %s --help lists no flags; is the help's format still cobra's?\n%s", command, out)
	}
	return flags
}

// commands returns the subcommands `pinwheel --help` lists.
func commands(t *testing.T) map[string]bool {
	t.Helper()
	out, err := exec.Command(binary, "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("pinwheel --help: %v\n%s", err, out)
	}
	cmds := map[string]bool{}
	in := false
	for _, line := range strings.Split(string(out), "\n") {
		switch {
		case line == "Available Commands:":
			in = true
		case strings.TrimSpace(line) == "":
			in = false
		case in:
			cmds[strings.Fields(line)[0]] = true
		}
	}
	if !cmds["daemon"] {
		t.Fatalf("pinwheel --help lists no daemon command:\n%s", out)
	}
	return cmds
}

// checkArgs checks a pinwheel command line (without the binary): a real
// command, then only flags that command has, each "--name value" or
// "--name=value". It returns the flags' values.
func checkArgs(t *testing.T, where string, args []string) map[string]string {
	t.Helper()
	if len(args) == 0 {
		t.Fatalf("%s: no pinwheel command", where)
	}
	if !commands(t)[args[0]] {
		t.Fatalf("%s: %q is not a pinwheel command", where, args[0])
	}
	known := commandFlags(t, args[0])
	values := map[string]string{}
	for i := 1; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "--") {
			t.Errorf("%s: %q: pinwheel %s takes no arguments besides flags here", where, a, args[0])
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		if !known[name] {
			t.Errorf("%s: --%s is not a flag of pinwheel %s (it has: %s)", where, name, args[0], keys(known))
			continue
		}
		if !hasValue && i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
			i++
			value = args[i]
		}
		values[name] = value
	}
	return values
}

func keys(m map[string]bool) string {
	var names []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		names = append(names, "--"+k)
	}
	return strings.Join(names, ", ")
}

func TestHelpParsing(t *testing.T) {
	if f := commandFlags(t, "daemon"); !f["config"] {
		t.Errorf("pinwheel daemon flags = %v, want --config among them", f)
	}
	if f := commandFlags(t, "prepare"); !f["cache-dir"] || !f["override"] {
		t.Errorf("pinwheel prepare flags = %v, want --cache-dir and --override among them", f)
	}
}
