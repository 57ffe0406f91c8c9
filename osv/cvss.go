package osv

import (
	"strings"

	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"
)

// BaseScore computes the CVSS score of a CVSS_V3 or CVSS_V4 severity from
// its vector; OSV gives vectors only. CVSS v3.0 and v3.1 vectors give the
// base score (https://www.first.org/cvss/v3.1/specification-document §7.1);
// a CVSS v4.0 vector gives its score by the v4.0 MacroVector method
// (https://www.first.org/cvss/v4-0/specification-document §8), which is
// CVSS-B for the base-only vectors databases publish and takes any threat
// or environmental metrics the vector carries into account. ok is false for
// other types (CVSS_V2, Ubuntu), for a vector whose version does not match
// its type, and for a vector that is not complete and valid.
func (s Severity) BaseScore() (score float64, ok bool) {
	switch {
	case s.Type == "CVSS_V3" && strings.HasPrefix(s.Score, "CVSS:3.0/"):
		v, err := gocvss30.ParseVector(s.Score)
		if err != nil {
			return 0, false
		}
		return v.BaseScore(), true
	case s.Type == "CVSS_V3" && strings.HasPrefix(s.Score, "CVSS:3.1/"):
		v, err := gocvss31.ParseVector(s.Score)
		if err != nil {
			return 0, false
		}
		return v.BaseScore(), true
	case s.Type == "CVSS_V4" && strings.HasPrefix(s.Score, "CVSS:4.0/"):
		v, err := gocvss40.ParseVector(s.Score)
		if err != nil {
			return 0, false
		}
		return v.Score(), true
	}
	return 0, false
}

// Rating is CVSS's qualitative name for a score: "NONE", "LOW", "MEDIUM",
// "HIGH" or "CRITICAL". CVSS v3.x and v4.0 share the scale
// (v4.0 specification §6); a score outside 0–10 has no name and gives "".
func Rating(score float64) string {
	r, err := gocvss31.Rating(score)
	if err != nil {
		return ""
	}
	return r
}
