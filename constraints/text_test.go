package constraints

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckText(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		err  error
	}{
		{"plain", []byte("requests==2.32.3\n"), nil},
		{"BOM", []byte("\xef\xbb\xbfrequests==2.32.3\n"), nil},
		{"UTF-8 comment", []byte("requests==2.32.3 # café\n"), nil},
		{"at the cap", bytes.Repeat([]byte("#\n"), MaxFileSize/2), nil},
		{"past the cap", bytes.Repeat([]byte("#"), MaxFileSize+1), ErrTooLarge},
		{"NUL", []byte("requests==2.32.3\x00\n"), ErrNotText},
		{"ELF", []byte("\x7fELF\x02\x01\x01\x00\x00"), ErrNotText},
		{"Latin-1", []byte("requests==2.32.3 # caf\xe9\n"), ErrNotText},
		{"BOM then junk", []byte("\xef\xbb\xbf\xff\xfe"), ErrNotText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := CheckText(tt.data); !errors.Is(err, tt.err) {
				t.Fatalf("CheckText = %v, want %v", err, tt.err)
			}
			if tt.err == nil {
				return
			}
			f := ParseFile("c.txt", tt.data)
			errs := f.Errors()
			if len(errs) != 1 || !errors.Is(errs[0], tt.err) || len(f.Pins()) != 0 {
				t.Fatalf("ParseFile: pins %v, errors %v; want only %v", f.Pins(), errs, tt.err)
			}
			if msg := errs[0].Error(); !strings.HasPrefix(msg, "c.txt: ") || strings.Contains(msg, "\x00") {
				t.Errorf("message %q", msg)
			}
		})
	}
}

func TestReadFileRefusesPastTheCap(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.txt")
	if err := os.WriteFile(big, bytes.Repeat([]byte("#"), MaxFileSize+10), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(big); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("ReadFile = %v, want ErrTooLarge", err)
	}
	small := filepath.Join(dir, "c.txt")
	if err := os.WriteFile(small, []byte("a==1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if data, err := ReadFile(small); err != nil || string(data) != "a==1\n" {
		t.Fatalf("ReadFile = %q, %v", data, err)
	}
}

func TestSetLineMovesOneLine(t *testing.T) {
	in := "sphinx===8.1.3;python_version=='3.10'\nsphinx===9.0.4;python_version>='3.11'\n"
	f := Parse([]byte(in))
	n, err := f.SetLine("Sphinx", 2, "9.1.0", nil)
	if err != nil || n != 1 {
		t.Fatalf("SetLine = %d, %v", n, err)
	}
	want := "sphinx===8.1.3;python_version=='3.10'\nsphinx===9.1.0;python_version>='3.11'\n"
	if got := string(f.Bytes()); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if _, err := f.SetLine("sphinx", 3, "9.1.0", nil); !errors.Is(err, ErrNotPinned) {
		t.Errorf("SetLine on a line without the pin = %v, want ErrNotPinned", err)
	}
}

func TestUnknownOptions(t *testing.T) {
	tests := []struct {
		line string
		ok   bool
	}{
		{"--default-timeout 600", false},
		{"--timeout=5", false},
		{"-q", false},
		{"--index https://x/simple", true}, // optparse takes a unique prefix of --index-url
		{"--no", false},                    // ambiguous: --no-index, --no-binary
		{"--extra-index https://x/simple", true},
		{"-i https://x/simple", true},
		{"--find-links=./w", true},
		{"-C key=value", false}, // only after a requirement
		{"foo==1 -C key=value", true},
		{"foo==1 --no-deps", false},
		{"foo==1 --hash sha256:" + strings.Repeat("a", 64), true},
	}
	for _, tt := range tests {
		f := Parse([]byte("ok==1\n" + tt.line + "\n"))
		errs := f.Errors()
		if tt.ok != (len(errs) == 0) {
			t.Errorf("%q: errors %v, want ok=%v", tt.line, errs, tt.ok)
			continue
		}
		if !tt.ok && (errs[0].Line != 2 || !errors.Is(errs[0], ErrUnknownOption)) {
			t.Errorf("%q: %v, want ErrUnknownOption on line 2", tt.line, errs[0])
		}
	}
}
