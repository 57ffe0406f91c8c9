package check

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinwheel-dev/pinwheel/config"
)

const unitFile = "../systemd/pinwheel.service"

// unit is a parsed systemd unit file: section, then key, then the values
// in order (a key may repeat; an empty assignment is kept as "").
type unit map[string]map[string][]string

func parseUnit(t *testing.T, data []byte) unit {
	t.Helper()
	u := unit{}
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = line[1 : len(line)-1]
			u[section] = map[string][]string{}
		case section == "":
			t.Fatalf("%s:%d: %q before any [section]", unitFile, n, line)
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || strings.HasSuffix(line, "\\") {
				t.Fatalf("%s:%d: %q: want Key=value on one line", unitFile, n, line)
			}
			k = strings.TrimSpace(k)
			u[section][k] = append(u[section][k], strings.TrimSpace(v))
		}
	}
	return u
}

func (u unit) last(section, key string) (string, bool) {
	vs := u[section][key]
	if len(vs) == 0 {
		return "", false
	}
	return vs[len(vs)-1], true
}

// TestSystemdUnit checks the unit's command line against the binary and
// the hardening the README promises; systemd-analyze, where the machine
// has it, verifies the unit and scores its exposure too.
func TestSystemdUnit(t *testing.T) {
	data, err := os.ReadFile(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	u := parseUnit(t, data)

	exec, _ := u.last("Service", "ExecStart")
	args := strings.Fields(exec)
	if len(args) < 2 || path.Base(args[0]) != "pinwheel" {
		t.Fatalf("ExecStart=%s: want the pinwheel binary and a command", exec)
	}
	flags := checkArgs(t, "ExecStart", args[1:])
	if args[1] != "daemon" || flags["config"] == "" {
		t.Errorf("ExecStart=%s: want pinwheel daemon --config FILE", exec)
	}

	want := map[string]string{
		"Type":                    "exec",
		"NoNewPrivileges":         "yes",
		"ProtectSystem":           "strict",
		"ProtectHome":             "yes",
		"PrivateTmp":              "yes",
		"PrivateDevices":          "yes",
		"DynamicUser":             "yes",
		"StateDirectory":          "pinwheel",
		"CapabilityBoundingSet":   "",
		"RestrictSUIDSGID":        "yes",
		"MemoryDenyWriteExecute":  "yes",
		"SystemCallArchitectures": "native",
		"KillSignal":              "SIGTERM",
		// config and token errors exit 2: restarting won't fix them.
		"RestartPreventExitStatus": "2",
	}
	for k, v := range want {
		if got, ok := u.last("Service", k); !ok || got != v {
			t.Errorf("[Service] %s=%s, want %s=%s", k, got, k, v)
		}
	}
	for _, k := range []string{"EnvironmentFile", "RestrictAddressFamilies", "SystemCallFilter", "TimeoutStopSec"} {
		if _, ok := u.last("Service", k); !ok {
			t.Errorf("[Service] has no %s", k)
		}
	}
	// The default state path is in the StateDirectory, the one place
	// ProtectSystem=strict leaves writable.
	if dir := path.Join("/var/lib", want["StateDirectory"]); path.Dir(config.Default().State) != dir {
		t.Errorf("the default state %s is not in the StateDirectory %s", config.Default().State, dir)
	}
	if got, _ := u.last("Install", "WantedBy"); got != "multi-user.target" {
		t.Errorf("[Install] WantedBy=%s, want multi-user.target", got)
	}

	t.Run("systemd-analyze", func(t *testing.T) { systemdAnalyze(t, data, args[0]) })
}

// systemdAnalyze runs systemd-analyze verify and security on a copy of the
// unit whose ExecStart is the binary just built (verify wants it to exist).
func systemdAnalyze(t *testing.T, data []byte, execPath string) {
	tool, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed (Debian's systemd package has it); the unit was checked by parsing only")
	}
	copyPath := filepath.Join(t.TempDir(), "pinwheel.service")
	if err := os.WriteFile(copyPath, bytes.ReplaceAll(data, []byte(execPath), []byte(binary)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(tool, "verify", "--man=no", copyPath).CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	// The threshold is exposure × 10: 2.0 of 10 is "OK" on systemd's scale.
	if out, err := exec.Command(tool, "security", "--offline=yes", "--threshold=20", copyPath).CombinedOutput(); err != nil {
		t.Errorf("systemd-analyze security: exposure above 2.0 (%v)\n%s", err, out)
	}
}
