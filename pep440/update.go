package pep440

// UpdateType says how big a step between two versions is, in the terms of
// Renovate's update types.
type UpdateType string

// The update types Classify returns.
const (
	// Major: the epoch or the first release segment changed.
	Major UpdateType = "major"
	// Minor: the second release segment is the first that changed.
	Minor UpdateType = "minor"
	// Patch: a later release segment changed, or only the pre, post, dev or
	// local segments did (1.0rc1 to 1.0, 1.0 to 1.0.post1).
	Patch UpdateType = "patch"
)

// Classify returns the type of the step from one version to another. It
// looks at the first release segment that differs, padding the shorter
// release with zeros (1.0 to 1.0.1 is a patch); an epoch change is always
// major. It does not care about direction: a downgrade is classified the
// same way.
func Classify(from, to Version) UpdateType {
	if from.epoch != to.epoch {
		return Major
	}
	n := max(len(from.release), len(to.release))
	for i := range n {
		if segment(from.release, i) == segment(to.release, i) {
			continue
		}
		switch i {
		case 0:
			return Major
		case 1:
			return Minor
		default:
			return Patch
		}
	}
	return Patch
}

func segment(release []int, i int) int {
	if i < len(release) {
		return release[i]
	}
	return 0
}
