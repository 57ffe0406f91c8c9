package constraints

import (
	"errors"
	"strings"
	"testing"
)

var (
	oldA = "sha256:" + strings.Repeat("a", 64)
	oldB = "sha256:" + strings.Repeat("b", 64)
	newC = strings.Repeat("c", 64)
	newD = strings.Repeat("d", 64)
)

func TestSetVersion(t *testing.T) {
	tests := []struct {
		name, in     string
		key, version string
		sha256       []string
		want         string
		changed      int
	}{
		{"plain", "requests==2.31.0\n", "requests", "2.32.3", nil,
			"requests==2.32.3\n", 1},
		{"any spelling of the key", "Zope.Interface == 6.1  # keep\n", "zope_interface", "6.2", nil,
			"Zope.Interface == 6.2  # keep\n", 1},
		{"crlf", "a==1\r\nrequests==2.31.0\r\nb==2\r\n", "requests", "2.32.3", nil,
			"a==1\r\nrequests==2.32.3\r\nb==2\r\n", 1},
		{"no final newline", "a==1\nrequests==2.31.0", "requests", "2.32.3", nil,
			"a==1\nrequests==2.32.3", 1},
		{"trailing blanks and tabs", "\trequests\t==\t2.31.0 \t\n", "requests", "2.32.3", nil,
			"\trequests\t==\t2.32.3 \t\n", 1},
		{"extras and marker", "celery [redis] == 5.3.6 ; python_version >= \"3.8\" # via x\n", "celery", "5.4.0", nil,
			"celery [redis] == 5.4.0 ; python_version >= \"3.8\" # via x\n", 1},
		{"twice under markers", "numpy==1.26.4; python_version<'3.10'\nnumpy==1.26.4; python_version>='3.10'\n", "numpy", "2.0", nil,
			"numpy==2.0; python_version<'3.10'\nnumpy==2.0; python_version>='3.10'\n", 2},
		{"ignored twin stays", "numpy==1.0\nnumpy==1.0 ; os_name=='nt' # pinwheel: ignore\n", "numpy", "2.0", nil,
			"numpy==2.0\nnumpy==1.0 ; os_name=='nt' # pinwheel: ignore\n", 1},
		{"same version changes nothing", "requests==2.32.3\n", "requests", "2.32.3", nil,
			"requests==2.32.3\n", 0},
		{"digests ignored without hashes", "requests==2.31.0\n", "requests", "2.32.3", []string{newC},
			"requests==2.32.3\n", 1},
		{"hashes same line", "foo==1.0 --hash=" + oldA + " --hash=" + oldB + " # c\n", "foo", "1.1", []string{newC},
			"foo==1.1 --hash=sha256:" + newC + " # c\n", 1},
		{"hashes same line one to two", "foo==1.0 --hash " + oldA + "\n", "foo", "1.1", []string{newC, newD},
			"foo==1.1 --hash=sha256:" + newC + " --hash=sha256:" + newD + "\n", 1},
		{"hashes continued crlf no final newline", "foo==1.0 \\\r\n  --hash=" + oldA, "foo", "1.1", []string{newC, newD},
			"foo==1.1 \\\r\n  --hash=sha256:" + newC + " \\\r\n  --hash=sha256:" + newD, 1},
		{"hashes continued keep what follows", "foo==1.0 \\\n\t--hash=" + oldA + " \\\n\t--hash=" + oldB + "  # via bar\nbar==2\n", "foo", "1.1", []string{newC},
			"foo==1.1 \\\n\t--hash=sha256:" + newC + "  # via bar\nbar==2\n", 1},
		{"upper-case digest lowered", "foo==1.0 --hash=" + oldA + "\n", "foo", "1.1", []string{strings.ToUpper(newC)},
			"foo==1.1 --hash=sha256:" + newC + "\n", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Parse([]byte(tt.in))
			n, err := f.SetVersion(tt.key, tt.version, tt.sha256)
			if err != nil {
				t.Fatalf("SetVersion: %v", err)
			}
			if got := string(f.Bytes()); got != tt.want {
				t.Errorf("Bytes() =\n%q\nwant\n%q", got, tt.want)
			}
			if n != tt.changed {
				t.Errorf("SetVersion = %d, want %d", n, tt.changed)
			}
			if got := Parse(f.Bytes()).Pins(); len(got) != len(f.Pins()) {
				t.Errorf("file reparses to %d pins, the File says %d", len(got), len(f.Pins()))
			}
		})
	}
}

func TestSetVersionErrors(t *testing.T) {
	in := "foo==1.0 \\\n    --hash=" + oldA + "\nbar==2.0\nmixed==1.0 --hash=" + oldA + " --config-settings=a=b --hash=" + oldB + "\nlegacy==1 # pinwheel: ignore\n"
	tests := []struct {
		name, key, version string
		sha256             []string
		err                error
	}{
		{"not pinned", "baz", "1.0", nil, ErrNotPinned},
		{"hashes need digests", "foo", "1.1", nil, ErrNoDigests},
		{"bad digest", "foo", "1.1", []string{"abc"}, ErrInvalidDigest},
		{"digest with prefix", "foo", "1.1", []string{"sha256:" + newC}, ErrInvalidDigest},
		{"empty version", "bar", "", nil, ErrInvalidVersion},
		{"version with blank", "bar", "2.0 ; x", nil, ErrInvalidVersion},
		{"wildcard version", "bar", "2.*", nil, ErrInvalidVersion},
		{"hashes around other options", "mixed", "1.1", []string{newC}, ErrHashLayout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Parse([]byte(in))
			n, err := f.SetVersion(tt.key, tt.version, tt.sha256)
			if !errors.Is(err, tt.err) || n != 0 {
				t.Errorf("SetVersion = %d, %v; want 0, %v", n, err, tt.err)
			}
			if string(f.Bytes()) != in {
				t.Errorf("SetVersion changed the file on error:\n%s", f.Bytes())
			}
		})
	}
	f := Parse([]byte(in))
	if n, err := f.SetVersion("legacy", "2", nil); n != 0 || err != nil || string(f.Bytes()) != in {
		t.Errorf("SetVersion(ignored pin) = %d, %v; want 0, nil and no change", n, err)
	}
}

func TestSetVersionTwiceKeepsSpans(t *testing.T) {
	f := Parse([]byte("a==1 # x\nb == 2\n"))
	for _, v := range []string{"10.0.0", "3", "4.5"} {
		if _, err := f.SetVersion("a", v, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.SetVersion("b", "20", nil); err != nil {
		t.Fatal(err)
	}
	if got, want := string(f.Bytes()), "a==4.5 # x\nb == 20\n"; got != want {
		t.Errorf("Bytes() = %q, want %q", got, want)
	}
}
