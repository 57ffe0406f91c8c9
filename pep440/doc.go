// Package pep440 parses, orders and matches Python package versions as
// PEP 440 and the version specifiers spec define them
// (https://packaging.python.org/en/latest/specifications/version-specifiers/).
//
// A Version is an immutable, parsed version: Parse accepts every spelling the
// spec allows and String returns the spec's normal form, the same text as
// packaging's str(Version(s)). Compare orders versions exactly as the spec
// does. Specifiers is a comma-joined set of version clauses (">=3.8,
// !=3.9.*") with the spec's matching rules, including its pre-release rule.
// Classify says whether going from one version to another is a major, minor
// or patch update.
//
// The package owns only the version arithmetic: it makes no policy about
// which release to offer (package plan does) and never talks to an index.
// Where the spec leaves room, behaviour follows the reference implementation,
// pypa/packaging, and is checked against it by a differential test.
package pep440
