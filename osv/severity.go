package osv

import "fmt"

// SeverityText is the advisory's severity for people: the CVSS rating and
// score computed from the first vector of the record that can be scored,
// CVSS v3.0, v3.1 or v4.0, in record order, top-level entries before the
// affected package's ("HIGH 7.5"); else the source database's own word
// (GitHub's "MODERATE"), else "" (OSV gives none).
func (a Advisory) SeverityText() string {
	all := append([]Severity(nil), a.Severity...)
	for _, af := range a.Affected {
		all = append(all, af.Severity...)
	}
	for _, s := range all {
		if score, ok := s.BaseScore(); ok {
			return fmt.Sprintf("%s %.1f", Rating(score), score)
		}
	}
	return a.DatabaseSeverity
}

// Link is the advisory's page on osv.dev.
func (a Advisory) Link() string {
	return "https://osv.dev/vulnerability/" + a.ID
}
