package dashboard

import "slices"

// Branches returns, sorted, the branches whose kind box Has reports as
// ticked. They are text from the issue: match them against the run's own
// branches, or use Selected, which does.
func (t Ticks) Branches(kind Kind) []string {
	var out []string
	for b := range t.boxes {
		if b.Kind == kind && b.Branch != "" && t.Has(kind, b.Branch) {
			out = append(out, b.Branch)
		}
	}
	slices.Sort(out)
	return out
}
