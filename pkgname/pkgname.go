// Package pkgname holds the one rule every part of pinwheel uses to compare
// Python project names: PEP 503 normalisation.
//
// The index, the constraints file and the config may spell a name in any
// case and with any run of "-", "_" or "." between its parts; they all mean
// the same project when their normal forms are equal.
// See https://peps.python.org/pep-0503/#normalized-names.
package pkgname

import (
	"regexp"
	"strings"
)

var separators = regexp.MustCompile(`[-_.]+`)

// valid is PEP 508's name rule: letters and digits at both ends, and
// letters, digits, "-", "_" and "." in between.
var valid = regexp.MustCompile(`^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$`)

// Normalize returns the PEP 503 normal form of name: lower case, with every
// run of "-", "_" and "." replaced by a single "-".
func Normalize(name string) string {
	return strings.ToLower(separators.ReplaceAllString(name, "-"))
}

// Valid reports whether name is a valid project name under PEP 508.
func Valid(name string) bool {
	return valid.MatchString(name)
}

// Equal reports whether a and b name the same project.
func Equal(a, b string) bool {
	return Normalize(a) == Normalize(b)
}
