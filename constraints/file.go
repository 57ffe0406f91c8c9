package constraints

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"

	"github.com/pinwheel-dev/pinwheel/internal/redact"
	"github.com/pinwheel-dev/pinwheel/pkgname"
)

// Pin is one "name==version" or "name===version" requirement.
type Pin struct {
	Name    string // project name as written
	Key     string // pkgname.Normalize(Name), for lookups and comparison
	Version string // version as written; checked against PEP 440 only for "==="
	// Operator is "==" or "===" (arbitrary equality, as OpenStack's
	// upper-constraints writes every pin); a rewrite keeps it.
	Operator string
	Extras   []string // extras as written, without brackets; nil when none
	Marker   string   // environment marker after ";", trimmed; "" when none
	Comment  string   // trailing comment without the "#", trimmed
	Hashes   []string // --hash values as written, e.g. "sha256:ab12…"
	Ignored  bool     // the comment says "pinwheel: ignore"; never rewritten
	Line     int      // 1-based physical line where the pin's logical line starts
}

// Unmanaged is a requirement pinwheel reads past and never rewrites.
type Unmanaged struct {
	Line   int    // 1-based physical line where the logical line starts
	Text   string // the requirement, continuation lines joined, without comment; URL credentials masked (redact.URLs)
	Reason string // why it is not a pin, e.g. "version range"
}

// Reasons a requirement is Unmanaged.
const (
	ReasonRange     = "version range"
	ReasonArbitrary = "arbitrary equality (===) with a version that is not PEP 440"
	ReasonWildcard  = "wildcard version"
	ReasonNoVersion = "no version"
	ReasonURL       = "URL or direct reference"
	ReasonPath      = "local path"
	ReasonEditable  = "editable install"
	ReasonParens    = "parenthesized specifier"
	ReasonSplit     = "version split across lines"
)

// Sentinel causes wrapped by ParseError.Err.
var (
	ErrMissingName    = errors.New("missing project name")
	ErrInvalidName    = errors.New("invalid project name")
	ErrMissingVersion = errors.New("missing version")
	ErrSyntax         = errors.New("syntax error")
	ErrEncoding       = errors.New("unsupported encoding")
	ErrUnknownOption  = errors.New("option not accepted in a requirements file")
	ErrTooLarge       = errors.New("file too large")
	ErrNotText        = errors.New("not a text file")
)

// MaxFileSize is the largest constraints file pinwheel reads: 10 MiB, a
// hundred times the largest real one seen (Airflow's constraints are
// about 30 KB). A larger file is refused before it is parsed.
const MaxFileSize = 10 << 20

// ParseError is a line that could not be read. The line stays in the file
// untouched; the error only reports it.
type ParseError struct {
	Path string // file name for messages; "" when unknown
	Line int    // 1-based physical line where the logical line starts
	Text string // the line, continuation lines joined, without comment; URL credentials masked (redact.URLs)
	Err  error
}

func (e ParseError) Error() string {
	where := fmt.Sprintf("line %d", e.Line)
	switch {
	case e.Line == 0 && e.Path != "":
		where = e.Path
	case e.Line == 0:
		where = "file"
	case e.Path != "":
		where = fmt.Sprintf("%s:%d", e.Path, e.Line)
	}
	if e.Text == "" {
		return redact.URLs(fmt.Sprintf("%s: %v", where, e.Err))
	}
	return redact.URLs(fmt.Sprintf("%s: %q: %v", where, e.Text, e.Err))
}

func (e ParseError) Unwrap() error { return e.Err }

// File is a parsed constraints file. It keeps the bytes it was parsed from;
// SetVersion edits them and parses the result again.
type File struct {
	name      string
	data      []byte
	pins      []Pin
	spans     []pinSpans // spans[i] belongs to pins[i]
	unmanaged []Unmanaged
	refs      []Reference
	errs      []ParseError
}

// Reference is a "-r"/"-c" line naming another file. pinwheel lists it
// and does not follow it.
type Reference struct {
	Line   int    // 1-based physical line
	Option string // the option as written: "-r", "--constraint", ...
	Path   string // the value as written (relative to this file's directory, as pip reads it)
}

// pinSpans are the file offsets the rewriter edits for one pin.
type pinSpans struct {
	version span
	hashes  []span // each from "--hash" to the end of its value
	// hashBlock is true when only whitespace and line continuations lie
	// between consecutive hash options, so they can be replaced as one.
	hashBlock bool
}

type span struct{ start, end int }

// Parse reads a constraints file. It never fails: lines it cannot read are
// kept as they are and reported by Errors.
func Parse(data []byte) *File { return ParseFile("", data) }

// ParseFile is Parse with a file name to put in ParseError messages.
func ParseFile(name string, data []byte) *File {
	f := &File{name: name}
	f.parse(slices.Clone(data))
	return f
}

// Name returns the name given to ParseFile.
func (f *File) Name() string { return f.name }

// Clone returns a copy of f to edit (SetLine, SetVersion) without
// touching f and without parsing the text again: an edit replaces a
// File's parsed parts, never changes them in place, so the copy may share
// them.
func (f *File) Clone() *File {
	c := *f
	return &c
}

// Bytes returns the file's current contents: the input, byte for byte,
// unless SetVersion changed a pin.
func (f *File) Bytes() []byte { return slices.Clone(f.data) }

// Pins returns the pins in file order.
func (f *File) Pins() []Pin {
	out := make([]Pin, len(f.pins))
	for i, p := range f.pins {
		out[i] = p.clone()
	}
	return out
}

// clone copies p so a caller editing Extras or Hashes cannot reach the
// File's own pins.
func (p Pin) clone() Pin {
	p.Extras = slices.Clone(p.Extras)
	p.Hashes = slices.Clone(p.Hashes)
	return p
}

// Unmanaged returns the requirements that are not pins, in file order.
func (f *File) Unmanaged() []Unmanaged { return slices.Clone(f.unmanaged) }

// References returns the "-r"/"-c" lines that name a file (not a URL), in
// file order.
func (f *File) References() []Reference { return slices.Clone(f.refs) }

// Errors returns the lines that could not be read, in file order.
func (f *File) Errors() []ParseError { return slices.Clone(f.errs) }

// Lookup returns the pins of one project, in file order; key may be any
// spelling of the name. A project pinned under several markers has several.
func (f *File) Lookup(key string) []Pin {
	key = pkgname.Normalize(key)
	var out []Pin
	for _, p := range f.pins {
		if p.Key == key {
			out = append(out, p.clone())
		}
	}
	return out
}

func (f *File) parse(data []byte) {
	f.data = data
	f.pins, f.spans, f.unmanaged, f.refs, f.errs = nil, nil, nil, nil, nil
	if enc := wideEncoding(data); enc != "" {
		// pip decodes these, but every byte offset here is a UTF-8 one:
		// one clear error beats a parse error on every line.
		f.errs = append(f.errs, ParseError{Path: f.name, Line: 1, Err: fmt.Errorf("%w: the file is %s; save it as UTF-8", ErrEncoding, enc)})
		return
	}
	if err := CheckText(data); err != nil {
		// Line 0: the whole file. Nothing of it is parsed.
		f.errs = append(f.errs, ParseError{Path: f.name, Err: err})
		return
	}
	for _, l := range joinLines(data) {
		f.parseLine(l)
	}
}

// ignoreRE finds the opt-out marker anywhere in a pin's comment, so
// "# pinwheel: ignore", "#Pinwheel:IGNORE" and "# via x; pinwheel: ignore
// until 2.0 is fixed" all count.
var ignoreRE = regexp.MustCompile(`(?i)\bpinwheel\s*:\s*ignore\b`)

// wideEncoding names the UTF-16 or UTF-32 encoding a byte order mark at the
// start of data announces (PowerShell 5's "pip freeze > file" writes
// UTF-16LE), or returns "".
func wideEncoding(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte{0xff, 0xfe, 0, 0}), bytes.HasPrefix(data, []byte{0, 0, 0xfe, 0xff}):
		return "UTF-32"
	case bytes.HasPrefix(data, []byte{0xff, 0xfe}), bytes.HasPrefix(data, []byte{0xfe, 0xff}):
		return "UTF-16"
	}
	return ""
}
