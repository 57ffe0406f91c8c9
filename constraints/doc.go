// Package constraints reads and rewrites a pip constraints or requirements
// file: the file as text in, pins out, and one pin's version written back
// to text with every other byte left as it was.
//
// A File keeps the bytes it was parsed from. Parse never fails as a whole:
// each logical line (physical lines joined by a trailing backslash, as pip
// joins them) becomes a Pin when it is a plain "name==version" requirement,
// an Unmanaged entry when it is some other requirement (a range, a URL, an
// editable install, a bare name), a ParseError when it cannot be read, and
// nothing at all when it is a comment, a blank line or an option such as
// "-r" or "--index-url". Only pins are ever rewritten; everything else is
// carried through untouched, so an unchanged file round-trips byte for byte.
//
// The package knows nothing of indexes, HTTP or version ordering: it does
// not check versions against PEP 440 (package pep440 does that) and it does
// not decide which version a pin should move to.
//
// The syntax follows pip's requirements file format,
// https://pip.pypa.io/en/stable/reference/requirements-file-format/, and
// PEP 508 for the requirement itself, https://peps.python.org/pep-0508/.
package constraints
