// Package constraints reads and rewrites a pip constraints or requirements
// file: the file as text in, pins out, and one pin's version written back
// to text with every other byte left as it was.
//
// A File keeps the bytes it was parsed from. Parse never fails as a whole:
// each logical line (physical lines joined by a trailing backslash, as pip
// joins them) becomes a Pin when it is a plain "name==version" requirement
// (or "name===version" with a PEP 440 version, as OpenStack's
// upper-constraints writes pins), an Unmanaged entry when it is some other
// requirement (a range, a URL, an editable install, a bare name), a
// ParseError when it cannot be read (an option pip does not accept in a
// requirements file is one), and nothing at all when it is a comment, a
// blank line or an option pip accepts such as "-r" or "--index-url" ("-r"
// and "-c" lines naming a file are listed by References). Only pins are
// ever rewritten; everything else is carried through untouched, so an
// unchanged file round-trips byte for byte.
//
// A file past MaxFileSize, or one that is not text (CheckText), is refused
// whole: one ParseError on line 0 and nothing else.
//
// The package knows nothing of indexes, HTTP or version ordering: it does
// not check versions against PEP 440 (package pep440 does that) and it does
// not decide which version a pin should move to. The one exception is
// "===": only a version that parses as PEP 440 makes an "===" line a pin.
//
// The syntax follows pip's requirements file format,
// https://pip.pypa.io/en/stable/reference/requirements-file-format/, and
// PEP 508 for the requirement itself, https://peps.python.org/pep-0508/.
package constraints
