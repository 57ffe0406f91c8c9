package constraints

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/pinwheel-dev/pinwheel/internal/redact"
	"github.com/pinwheel-dev/pinwheel/pkgname"
)

// parseLine sorts one logical line into a pin, an unmanaged requirement, a
// parse error, or nothing (blank, comment, option).
func (f *File) parseLine(l logicalLine) {
	cs := commentStart(l.text)
	body := l.text[:cs]
	comment := ""
	if cs < len(l.text) {
		comment = string(bytes.TrimSpace(l.text[cs+1:]))
	}
	toks := tokenize(l.text, cs)
	if len(toks) == 0 {
		return
	}
	text := redact.URLs(string(bytes.TrimSpace(body)))
	fail := func(err error) {
		f.errs = append(f.errs, ParseError{Path: f.name, Line: l.line, Text: text, Err: err})
	}
	unmanaged := func(reason string) {
		f.unmanaged = append(f.unmanaged, Unmanaged{Line: l.line, Text: text, Reason: reason})
	}

	// pip's break_args_options: the requirement runs up to the first token
	// that starts with "-"; the rest are per-requirement options.
	nargs := 0
	for nargs < len(toks) && l.text[toks[nargs].start] != '-' {
		nargs++
	}
	if nargs == 0 {
		if isEditable(string(l.text[toks[0].start:toks[0].end])) {
			unmanaged(ReasonEditable)
			return
		}
		if err := checkOptions(l.text, toks, lineOptions); err != nil {
			fail(err)
			return
		}
		if ref, ok := reference(l.text, toks); ok {
			ref.Line = l.line
			f.refs = append(f.refs, ref)
		}
		return
	}
	if err := checkOptions(l.text, toks[nargs:], requirementOptions); err != nil {
		fail(err)
		return
	}
	hashes, hashSpans, err := parseHashes(l.text, toks[nargs:])
	if err != nil {
		fail(err)
		return
	}
	req := l.text[toks[0].start:toks[nargs-1].end]
	r, reason, err := parseRequirement(req)
	switch {
	case err != nil:
		fail(err)
		return
	case reason != "":
		unmanaged(reason)
		return
	}
	vstart := toks[0].start + r.versionStart
	vend := toks[0].start + r.versionEnd
	if !contiguous(l.offs[vstart:vend]) {
		unmanaged(ReasonSplit)
		return
	}
	sp := pinSpans{version: span{l.offs[vstart], l.offs[vend-1] + 1}, hashBlock: true}
	for i, h := range hashSpans {
		sp.hashes = append(sp.hashes, span{l.offs[h.start], l.offs[h.end-1] + 1})
		if i > 0 && len(bytes.TrimSpace(l.text[hashSpans[i-1].end:h.start])) > 0 {
			sp.hashBlock = false
		}
	}
	f.pins = append(f.pins, Pin{
		Name:     r.name,
		Key:      pkgname.Normalize(r.name),
		Version:  r.version,
		Operator: r.op,
		Extras:   r.extras,
		Marker:   r.marker,
		Comment:  comment,
		Hashes:   hashes,
		Ignored:  ignoreRE.MatchString(comment),
		Line:     l.line,
	})
	f.spans = append(f.spans, sp)
}

func isEditable(opt string) bool {
	return opt == "-e" || opt == "--editable" ||
		strings.HasPrefix(opt, "--editable=") ||
		(strings.HasPrefix(opt, "-e") && !strings.HasPrefix(opt, "--"))
}

// parseHashes reads the "--hash=alg:hex" and "--hash alg:hex" options among
// a requirement's options. Other options (--config-settings and the like)
// are left alone. The returned spans cover each option from "--hash" to
// the end of its value, in text offsets.
func parseHashes(text []byte, opts []token) ([]string, []token, error) {
	var (
		values []string
		spans  []token
	)
	for i := 0; i < len(opts); i++ {
		t := opts[i]
		s := string(text[t.start:t.end])
		var value string
		switch {
		case strings.HasPrefix(s, "--hash="):
			value = strings.TrimPrefix(s, "--hash=")
			spans = append(spans, t)
		case s == "--hash":
			if i+1 == len(opts) {
				return nil, nil, fmt.Errorf("%w: --hash without a value", ErrSyntax)
			}
			i++
			value = string(text[opts[i].start:opts[i].end])
			spans = append(spans, token{t.start, opts[i].end})
		default:
			continue
		}
		if !validHash(value) {
			return nil, nil, fmt.Errorf("%w: --hash value %q is not ALGORITHM:HEX", ErrSyntax, value)
		}
		values = append(values, value)
	}
	return values, spans, nil
}

// validHash checks the "ALGORITHM:HEX" shape of a --hash value; which
// algorithms pip accepts is pip's business.
func validHash(v string) bool {
	alg, hex, ok := strings.Cut(v, ":")
	if !ok || alg == "" || hex == "" {
		return false
	}
	for _, c := range []byte(alg) {
		if !isNameChar(c) || c == '.' || c == '-' {
			return false
		}
	}
	for _, c := range []byte(hex) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func contiguous(offs []int) bool {
	for i := 1; i < len(offs); i++ {
		if offs[i-1] < 0 || offs[i] != offs[i-1]+1 {
			return false
		}
	}
	return len(offs) > 0 && offs[0] >= 0
}
