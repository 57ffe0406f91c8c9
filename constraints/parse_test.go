package constraints

import (
	"bytes"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestParsePins(t *testing.T) {
	hashA := "sha256:" + strings.Repeat("a", 64)
	hashB := "sha256:" + strings.Repeat("b", 64)
	tests := []struct {
		name string
		in   string
		want Pin
	}{
		{"plain", "requests==2.32.3", Pin{Name: "requests", Key: "requests", Version: "2.32.3", Line: 1}},
		{"spaces", "requests == 2.32.3", Pin{Name: "requests", Key: "requests", Version: "2.32.3", Line: 1}},
		{"tabs", "requests\t==\t2.32.3\t", Pin{Name: "requests", Key: "requests", Version: "2.32.3", Line: 1}},
		{"leading blanks", "   requests==2.32.3", Pin{Name: "requests", Key: "requests", Version: "2.32.3", Line: 1}},
		{"normalised key", "Zope.Interface==6.2", Pin{Name: "Zope.Interface", Key: "zope-interface", Version: "6.2", Line: 1}},
		{"extras", "celery[redis,sqs]==5.3.6", Pin{Name: "celery", Key: "celery", Version: "5.3.6", Extras: []string{"redis", "sqs"}, Line: 1}},
		{"extras spaced", "uvicorn [ standard , dev ] == 0.29", Pin{Name: "uvicorn", Key: "uvicorn", Version: "0.29", Extras: []string{"standard", "dev"}, Line: 1}},
		{"empty extras", "foo[]==1", Pin{Name: "foo", Key: "foo", Version: "1", Line: 1}},
		{"marker", `foo==1.0; python_version < "3.10"`, Pin{Name: "foo", Key: "foo", Version: "1.0", Marker: `python_version < "3.10"`, Line: 1}},
		{"marker tight", `foo==1.0 ;sys_platform=="win32"`, Pin{Name: "foo", Key: "foo", Version: "1.0", Marker: `sys_platform=="win32"`, Line: 1}},
		{"marker with quotes and a comment", `foo==1; python_version=="3.8" and os_name == 'a"b' # c "d`, Pin{Name: "foo", Key: "foo", Version: "1", Marker: `python_version=="3.8" and os_name == 'a"b'`, Comment: `c "d`, Line: 1}},
		{"marker with a hash inside a word", `foo==1; sys_platform == "linux#x"`, Pin{Name: "foo", Key: "foo", Version: "1", Marker: `sys_platform == "linux#x"`, Line: 1}},
		{"marker no space", `foo==1.0;os_name=="nt"`, Pin{Name: "foo", Key: "foo", Version: "1.0", Marker: `os_name=="nt"`, Line: 1}},
		{"comment", "foo==1.0  # via bar", Pin{Name: "foo", Key: "foo", Version: "1.0", Comment: "via bar", Line: 1}},
		{"ignore", "foo==1.0 # pinwheel: ignore", Pin{Name: "foo", Key: "foo", Version: "1.0", Comment: "pinwheel: ignore", Ignored: true, Line: 1}},
		{"ignore loose", "foo==1.0 #PinWheel :IGNORE, see #12", Pin{Name: "foo", Key: "foo", Version: "1.0", Comment: "PinWheel :IGNORE, see #12", Ignored: true, Line: 1}},
		{"not ignore", "foo==1.0 # pinwheel ignored nothing", Pin{Name: "foo", Key: "foo", Version: "1.0", Comment: "pinwheel ignored nothing", Line: 1}},
		{"epoch local", "foo==1!2.0.post1+local_3", Pin{Name: "foo", Key: "foo", Version: "1!2.0.post1+local_3", Line: 1}},
		{"hash", "foo==1.0 --hash=" + hashA, Pin{Name: "foo", Key: "foo", Version: "1.0", Hashes: []string{hashA}, Line: 1}},
		{"hash separate value", "foo==1.0 --hash " + hashA + " --hash=" + hashB, Pin{Name: "foo", Key: "foo", Version: "1.0", Hashes: []string{hashA, hashB}, Line: 1}},
		{"hash continued", "foo==1.0 \\\n    --hash=" + hashA + " \\\n    --hash=" + hashB + "\n", Pin{Name: "foo", Key: "foo", Version: "1.0", Hashes: []string{hashA, hashB}, Line: 1}},
		{"hash and marker and comment", `foo==1.0; python_version<"3" --hash=` + hashA + " # via x", Pin{Name: "foo", Key: "foo", Version: "1.0", Marker: `python_version<"3"`, Hashes: []string{hashA}, Comment: "via x", Line: 1}},
		{"line number after comments", "# a\n\n-r x.txt\nfoo==1", Pin{Name: "foo", Key: "foo", Version: "1", Line: 4}},
		{"continued name", "foo\\\n==1", Pin{Name: "foo", Key: "foo", Version: "1", Line: 1}},
		{"arbitrary equality", "attrs===23.1.0", Pin{Name: "attrs", Key: "attrs", Version: "23.1.0", Operator: "===", Line: 1}},
		{"arbitrary equality with marker", `sphinx===8.1.3;python_version=='3.10'`, Pin{Name: "sphinx", Key: "sphinx", Version: "8.1.3", Operator: "===", Marker: "python_version=='3.10'", Line: 1}},
		{"accepted option after a pin", "foo==1 --config-settings=x=y", Pin{Name: "foo", Key: "foo", Version: "1", Line: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Parse([]byte(tt.in))
			if errs := f.Errors(); len(errs) > 0 {
				t.Fatalf("Errors() = %v", errs)
			}
			pins := f.Pins()
			if len(pins) != 1 {
				t.Fatalf("Pins() = %+v, want one", pins)
			}
			if tt.want.Operator == "" {
				tt.want.Operator = "=="
			}
			if !reflect.DeepEqual(pins[0], tt.want) {
				t.Errorf("pin = %+v\nwant %+v", pins[0], tt.want)
			}
		})
	}
}

func TestParseSkipsOptionsAndComments(t *testing.T) {
	for _, in := range []string{
		"", "\n\n", "   \t", "# comment", "   # indented comment",
		"-r base.txt", "--requirement=base.txt", "-c constraints.txt",
		"--index-url https://pypi.org/simple", "-i https://pypi.org/simple",
		"--extra-index-url https://x/simple", "--find-links ./wheels", "-f ./w",
		"--trusted-host example.org", "--pre", "--no-binary :all:",
	} {
		f := Parse([]byte(in))
		if len(f.Pins())+len(f.Unmanaged())+len(f.Errors()) != 0 {
			t.Errorf("Parse(%q) = pins %v, unmanaged %v, errors %v; want nothing",
				in, f.Pins(), f.Unmanaged(), f.Errors())
		}
	}
}

func TestParseUnmanaged(t *testing.T) {
	tests := []struct{ in, text, reason string }{
		{"numpy>=1.26,<2", "numpy>=1.26,<2", ReasonRange},
		{"numpy >= 1.26 , < 2 # c", "numpy >= 1.26 , < 2", ReasonRange},
		{"scipy~=1.12", "scipy~=1.12", ReasonRange},
		{"pandas!=2.1.0", "pandas!=2.1.0", ReasonRange},
		{"pandas>2", "pandas>2", ReasonRange},
		{"foo==1.0,!=1.0.1", "foo==1.0,!=1.0.1", ReasonRange},
		{"attrs===foobar", "attrs===foobar", ReasonArbitrary},
		{"attrs===1.0-custom-build", "attrs===1.0-custom-build", ReasonArbitrary},
		{"pytest==8.*", "pytest==8.*", ReasonWildcard},
		{"six", "six", ReasonNoVersion},
		{`six; python_version<"3"`, `six; python_version<"3"`, ReasonNoVersion},
		{"six[extra]", "six[extra]", ReasonNoVersion},
		{"mylib @ https://example.org/mylib-1.0.tar.gz", "mylib @ https://example.org/mylib-1.0.tar.gz", ReasonURL},
		{"mylib@https://example.org/x.whl", "mylib@https://example.org/x.whl", ReasonURL},
		{"git+https://github.com/x/y.git#egg=y", "git+https://github.com/x/y.git#egg=y", ReasonURL},
		{"https://example.org/other-1.0.whl", "https://example.org/other-1.0.whl", ReasonURL},
		{"file:///tmp/x", "file:///tmp/x", ReasonURL},
		{"pkg @ https://user:s3cret@git.example.org/pkg.whl", "pkg @ https://xxxxx@git.example.org/pkg.whl", ReasonURL},
		{"./vendor/pkg", "./vendor/pkg", ReasonPath},
		{".", ".", ReasonPath},
		{"other-1.0-py3-none-any.whl", "other-1.0-py3-none-any.whl", ReasonPath},
		{"-e ./pkg", "-e ./pkg", ReasonEditable},
		{"-e.", "-e.", ReasonEditable},
		{"--editable=git+https://x/y.git#egg=y", "--editable=git+https://x/y.git#egg=y", ReasonEditable},
		{"paren (==1.0)", "paren (==1.0)", ReasonParens},
		{"split==1.\\\n0", "split==1.0", ReasonSplit},
	}
	for _, tt := range tests {
		f := Parse([]byte("# header\n" + tt.in + "\n"))
		want := []Unmanaged{{Line: 2, Text: tt.text, Reason: tt.reason}}
		if got := f.Unmanaged(); !reflect.DeepEqual(got, want) {
			t.Errorf("Parse(%q).Unmanaged() = %+v, want %+v", tt.in, got, want)
		}
		if len(f.Pins())+len(f.Errors()) != 0 {
			t.Errorf("Parse(%q): pins %v, errors %v; want none", tt.in, f.Pins(), f.Errors())
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in  string
		err error
	}{
		{"==1.0", ErrMissingName},
		{"requests==", ErrMissingVersion},
		{"requests===", ErrMissingVersion},
		{"requests== ; python_version<'3'", ErrMissingVersion},
		{"bad name!==1", ErrSyntax},
		{"badname-==1.0", ErrInvalidName},
		{"_bad==1.0", ErrInvalidName},
		{"broken[extra==1.0", ErrSyntax},
		{"broken[a b]==1.0", ErrSyntax},
		{"foo==1.0;", ErrSyntax},
		{`foo==1.0; os_name == "a #b"`, ErrSyntax},
		{`foo==1.0; os_name == 'nt`, ErrSyntax},
		{"foo==1.0 and more", ErrSyntax},
		{"foo==1.0,", ErrSyntax},
		{"foo=1.0", ErrSyntax},
		{"foo==1.0 --hash", ErrSyntax},
		{"foo==1.0 --hash=md5", ErrSyntax},
		{"foo==1.0$", ErrSyntax},
		{"paren (==1.0", ErrSyntax},
		{"foo==1.0#no-blank-so-not-a-comment", ErrSyntax},
	}
	for _, tt := range tests {
		in := "ok==1\n" + tt.in + "\nalso-ok==2\n"
		f := ParseFile("constraints.txt", []byte(in))
		errs := f.Errors()
		if len(errs) != 1 {
			t.Errorf("Parse(%q).Errors() = %v, want one", tt.in, errs)
			continue
		}
		e := errs[0]
		if e.Line != 2 || e.Path != "constraints.txt" || !errors.Is(e, tt.err) {
			t.Errorf("Parse(%q) error = %+v, want line 2 wrapping %v", tt.in, e, tt.err)
		}
		if want := "constraints.txt:2: "; len(e.Error()) < len(want) || e.Error()[:len(want)] != want {
			t.Errorf("Error() = %q, want prefix %q", e.Error(), want)
		}
		if got := len(f.Pins()); got != 2 {
			t.Errorf("Parse(%q): %d pins, want the 2 good lines", tt.in, got)
		}
		if string(f.Bytes()) != in {
			t.Errorf("Parse(%q).Bytes() changed the file", tt.in)
		}
	}
}

func TestParseErrorHidesCredentials(t *testing.T) {
	errs := Parse([]byte("pkg !@ https://user:s3cret@example.org/x\n")).Errors()
	if len(errs) != 1 || strings.Contains(errs[0].Error(), "s3cret") || strings.Contains(errs[0].Text, "s3cret") {
		t.Errorf("Errors() = %v, want one without the password", errs)
	}
}

func TestParseErrorWithoutName(t *testing.T) {
	errs := Parse([]byte("\n==1\n")).Errors()
	if len(errs) != 1 || errs[0].Error() != `line 2: "==1": missing project name` {
		t.Errorf("Errors() = %v", errs)
	}
}

func TestContinuationLines(t *testing.T) {
	in := "a==1 \\\n  --hash=sha256:" + strings.Repeat("0", 64) + "\nb==2 \\\n# comment ends it\nc==3\nd==4 \\"
	f := Parse([]byte(in))
	var got []string
	for _, p := range f.Pins() {
		got = append(got, p.Name+"@"+strconv.Itoa(p.Line))
	}
	want := []string{"a@1", "b@3", "c@5", "d@6"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("pins = %v, want %v", got, want)
	}
	if c := f.Lookup("b")[0].Comment; c != "comment ends it" {
		t.Errorf("b's comment = %q, want the continued comment line", c)
	}
}

func TestLookup(t *testing.T) {
	f := Parse([]byte("NumPy==1.0; python_version<'3.10'\nrequests==2\nnumpy==2.0; python_version>='3.10'\n"))
	got := f.Lookup("NUMPY")
	if len(got) != 2 || got[0].Version != "1.0" || got[1].Version != "2.0" {
		t.Errorf("Lookup(NUMPY) = %+v, want both numpy pins in file order", got)
	}
	if got := f.Lookup("flask"); got != nil {
		t.Errorf("Lookup(flask) = %+v, want nil", got)
	}
}

func TestParseEncodings(t *testing.T) {
	utf16 := []byte{0xff, 0xfe, 'a', 0, '=', 0, '=', 0, '1', 0, '\n', 0}
	tests := []struct {
		name     string
		in       []byte
		wantPins int
		wantErr  error
	}{
		{"UTF-8 byte order mark", []byte("\xef\xbb\xbfa==1\nb==2\n"), 2, nil},
		{"byte order mark alone", []byte("\xef\xbb\xbf"), 0, nil},
		{"UTF-16LE", utf16, 0, ErrEncoding},
		{"UTF-16BE", []byte{0xfe, 0xff, 0, 'a', 0, '=', 0, '=', 0, '1'}, 0, ErrEncoding},
		{"UTF-32LE", []byte{0xff, 0xfe, 0, 0, 'a', 0, 0, 0}, 0, ErrEncoding},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := ParseFile("c.txt", tt.in)
			if got := len(f.Pins()); got != tt.wantPins {
				t.Errorf("%d pins, want %d", got, tt.wantPins)
			}
			errs := f.Errors()
			switch {
			case tt.wantErr == nil && len(errs) > 0:
				t.Errorf("Errors() = %v, want none", errs)
			case tt.wantErr != nil && (len(errs) != 1 || !errors.Is(errs[0], tt.wantErr) || errs[0].Line != 1):
				t.Errorf("Errors() = %v, want one on line 1 wrapping %v", errs, tt.wantErr)
			}
			if !bytes.Equal(f.Bytes(), tt.in) {
				t.Errorf("Bytes() = %q, want the input", f.Bytes())
			}
		})
	}
}
