package constraints

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/pinwheel-dev/pinwheel/pkgname"
)

// Errors SetVersion returns; it changes nothing when it returns one.
var (
	ErrNotPinned      = errors.New("not pinned in the file")
	ErrInvalidVersion = errors.New("invalid version")
	ErrInvalidDigest  = errors.New("invalid sha256 digest")
	ErrNoDigests      = errors.New("pin has --hash options but no sha256 digests were given")
	ErrHashLayout     = errors.New("--hash options are mixed with other options")
)

var (
	newVersionRE = regexp.MustCompile(`^[A-Za-z0-9.!+_-]+$`)
	sha256RE     = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// edit replaces data[at.start:at.end] with text.
type edit struct {
	at   span
	text string
}

// SetVersion moves every pin of the project key (any spelling) that is not
// Ignored to version, and returns how many pins' text changed. A project
// pinned on several lines (say, under different markers) changes on all of
// them.
//
// Only the version characters are replaced. A pin that carries --hash
// options gets its hash options replaced by one "--hash=sha256:<hex>" per
// digest in sha256, laid out like the old ones: on the same line when they
// were on the pin's line, one per continued line, with the first old
// hash's indentation and line ending, when they were on continued lines.
// Digests are ignored for pins without hashes; pinwheel does not add
// hashes to a file that does not use them.
//
// On error nothing changes. ErrNotPinned means no pin has the key (ignored
// ones count as pinned: they yield 0, nil).
func (f *File) SetVersion(key, version string, sha256 []string) (int, error) {
	key = pkgname.Normalize(key)
	return f.set(key, func(p Pin) bool { return p.Key == key }, version, sha256)
}

// SetLine is SetVersion for the one pin of key whose logical line starts
// on line: a package pinned per Python marker moves line by line.
// ErrNotPinned means no pin of key starts there.
func (f *File) SetLine(key string, line int, version string, sha256 []string) (int, error) {
	key = pkgname.Normalize(key)
	return f.set(fmt.Sprintf("%s (line %d)", key, line), func(p Pin) bool { return p.Key == key && p.Line == line }, version, sha256)
}

func (f *File) set(what string, match func(Pin) bool, version string, sha256 []string) (int, error) {
	if !newVersionRE.MatchString(version) {
		return 0, fmt.Errorf("set %s to %q: %w", what, version, ErrInvalidVersion)
	}
	digests := make([]string, len(sha256))
	for i, d := range sha256 {
		digests[i] = strings.ToLower(d)
		if !sha256RE.MatchString(digests[i]) {
			return 0, fmt.Errorf("set %s to %s: %w: %q", what, version, ErrInvalidDigest, d)
		}
	}

	var (
		edits   []edit
		found   bool
		changed int
	)
	for i, p := range f.pins {
		if !match(p) {
			continue
		}
		found = true
		if p.Ignored {
			continue
		}
		sp := f.spans[i]
		pinEdits := []edit{{sp.version, version}}
		if len(sp.hashes) > 0 {
			if len(digests) == 0 {
				return 0, fmt.Errorf("set %s to %s on line %d: %w", p.Key, version, p.Line, ErrNoDigests)
			}
			if !sp.hashBlock {
				return 0, fmt.Errorf("set %s to %s on line %d: %w", p.Key, version, p.Line, ErrHashLayout)
			}
			block := span{sp.hashes[0].start, sp.hashes[len(sp.hashes)-1].end}
			pinEdits = append(pinEdits, edit{block, f.hashOptions(sp.hashes, digests)})
		}
		for _, e := range pinEdits {
			if string(f.data[e.at.start:e.at.end]) != e.text {
				changed++
				break
			}
		}
		edits = append(edits, pinEdits...)
	}
	if !found {
		return 0, fmt.Errorf("set %s to %s: %w", what, version, ErrNotPinned)
	}
	if changed > 0 {
		f.parse(applyEdits(f.data, edits))
	}
	return changed, nil
}

// applyEdits returns data with edits applied; edits are in file order and
// do not overlap, which holds because each pin's spans are on its own
// logical line and in order within it.
func applyEdits(data []byte, edits []edit) []byte {
	var b bytes.Buffer
	last := 0
	for _, e := range edits {
		b.Write(data[last:e.at.start])
		b.WriteString(e.text)
		last = e.at.end
	}
	b.Write(data[last:])
	return b.Bytes()
}

// hashOptions renders the new hash options with the separator the old ones
// used between them.
func (f *File) hashOptions(old []span, digests []string) string {
	sep := " "
	switch {
	case len(old) > 1 && f.startsContinuedLine(old[1].start):
		sep = string(f.data[old[0].end:old[1].start])
	case f.startsContinuedLine(old[0].start):
		sep = f.continuation(old[0])
	case len(old) > 1:
		sep = string(f.data[old[0].end:old[1].start])
	}
	opts := make([]string, len(digests))
	for i, d := range digests {
		opts[i] = "--hash=sha256:" + d
	}
	return strings.Join(opts, sep)
}

// lineStart returns the offset of the start of the physical line holding p.
func (f *File) lineStart(p int) int {
	for p > 0 && f.data[p-1] != '\n' && f.data[p-1] != '\r' {
		p--
	}
	return p
}

// startsContinuedLine reports whether p is the first non-blank byte of a
// physical line that continues the one before it.
func (f *File) startsContinuedLine(p int) bool {
	ls := f.lineStart(p)
	if ls == 0 || len(bytes.Trim(f.data[ls:p], " \t")) > 0 {
		return false
	}
	eol := ls - 1
	if f.data[eol] == '\n' && eol > 0 && f.data[eol-1] == '\r' {
		eol--
	}
	return eol > 0 && f.data[eol-1] == '\\'
}

// continuation returns the separator that puts the next hash option on a
// continued line after the one at old: the blanks and backslash that end
// the line before old's, then old's own line ending (the previous line's
// when old ends the file) and old's indentation.
func (f *File) continuation(old span) string {
	ls := f.lineStart(old.start)
	prevEOL := ls - 1
	if f.data[prevEOL] == '\n' && prevEOL > 0 && f.data[prevEOL-1] == '\r' {
		prevEOL--
	}
	start := prevEOL
	for start > 0 && f.data[start-1] == '\\' {
		start--
	}
	for start > 0 && (f.data[start-1] == ' ' || f.data[start-1] == '\t') {
		start--
	}
	eol := f.data[prevEOL:ls]
	if e := lineEnding(f.data[old.end:]); e != "" {
		eol = []byte(e)
	}
	return string(f.data[start:prevEOL]) + string(eol) + string(f.data[ls:old.start])
}

// lineEnding returns the line ending that ends the line data starts in.
func lineEnding(data []byte) string {
	i := bytes.IndexAny(data, "\r\n")
	switch {
	case i < 0:
		return ""
	case data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n':
		return "\r\n"
	default:
		return string(data[i])
	}
}
