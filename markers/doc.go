// Package markers reads PEP 508 environment markers
// (https://peps.python.org/pep-0508/#environment-markers) far enough to
// answer one question: on which Python versions can a constraints line
// apply?
//
// Parse builds the expression (and, or, parentheses, every comparison
// operator, "in" and "not in", the variable on either side). Pythons then
// evaluates it for each candidate Python with python_version and
// python_full_version set and every other variable (sys_platform,
// platform_machine, extra, ...) left open: a comparison on such a variable
// counts as true, so it never narrows the Pythons, and "sys_platform ==
// 'win32' or python_version < '3.8'" applies everywhere.
//
// Versions are PEP 440 (package pep440); the package knows nothing of
// releases, indexes or files.
package markers
