// Package plan decides which updates to offer for one pinned package: given
// the pin, the releases the index lists and the package's rule, Evaluate
// returns at most one non-major and one major update, each possibly with a
// newer release that is still too young to offer (Renovate's split and
// minimumReleaseAge, narrowed to what pinwheel needs). LinePythons turns a
// line's environment marker and the config's Pythons into the Pythons that
// line's releases must run on, so each line of a package pinned per Python
// gets its own verdict.
//
// Everything here is a pure function of its arguments, time included (the
// caller passes "now"). The package does not fetch releases (package
// registry does), parse versions (package pep440) or rewrite files.
package plan
