package plan

import (
	"fmt"

	"github.com/pinwheel-dev/pinwheel/markers"
	"github.com/pinwheel-dev/pinwheel/pep440"
)

// LinePythons returns the Pythons a pin's releases must run on, for the
// line's environment marker and the config's python list (configured;
// empty when unset).
//
// A marker that does not mention python_version or python_full_version
// changes nothing: the line gets configured. One that does narrows
// configured, or markers.Known when configured is empty, to the Pythons
// it can hold for ("python_version == '3.10'" -> 3.10). When nothing is
// left (the line applies to no Python the project lists), the line is
// unrestricted: nil, no Requires-Python filter.
func LinePythons(marker string, configured []pep440.Version) ([]pep440.Version, error) {
	if marker == "" {
		return configured, nil
	}
	m, err := markers.Parse(marker)
	if err != nil {
		return nil, fmt.Errorf("read the line's marker: %w", err)
	}
	if !m.RestrictsPython() {
		return configured, nil
	}
	candidates := configured
	if len(candidates) == 0 {
		candidates = markers.Known
	}
	return m.Pythons(candidates), nil
}
