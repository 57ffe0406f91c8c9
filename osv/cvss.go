package osv

import (
	"math"
	"strings"
)

// BaseScore computes the CVSS base score of a CVSS_V3 severity from its
// vector (CVSS v3.0 and v3.1 share the base equations; v3.1's Roundup is
// used, https://www.first.org/cvss/v3.1/specification-document §7.1,
// Appendix A). OSV gives vectors only; ok is false for other types
// (CVSS_V2, CVSS_V4, Ubuntu) and for a vector that is not complete and valid.
func (s Severity) BaseScore() (score float64, ok bool) {
	if s.Type != "CVSS_V3" {
		return 0, false
	}
	parts := strings.Split(s.Score, "/")
	if len(parts) == 0 || (parts[0] != "CVSS:3.0" && parts[0] != "CVSS:3.1") {
		return 0, false
	}
	m := map[string]string{}
	for _, p := range parts[1:] {
		k, v, found := strings.Cut(p, ":")
		if !found {
			return 0, false
		}
		if _, dup := m[k]; dup {
			return 0, false
		}
		m[k] = v
	}
	pick := func(metric string, values map[string]float64) (float64, bool) {
		v, ok := values[m[metric]]
		return v, ok
	}
	av, ok1 := pick("AV", map[string]float64{"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2})
	ac, ok2 := pick("AC", map[string]float64{"L": 0.77, "H": 0.44})
	ui, ok3 := pick("UI", map[string]float64{"N": 0.85, "R": 0.62})
	cia := map[string]float64{"H": 0.56, "L": 0.22, "N": 0}
	c, ok4 := pick("C", cia)
	i, ok5 := pick("I", cia)
	a, ok6 := pick("A", cia)
	changed := m["S"] == "C"
	if m["S"] != "U" && !changed {
		return 0, false
	}
	prValues := map[string]float64{"N": 0.85, "L": 0.62, "H": 0.27}
	if changed {
		prValues = map[string]float64{"N": 0.85, "L": 0.68, "H": 0.5}
	}
	pr, ok7 := pick("PR", prValues)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) {
		return 0, false
	}
	iss := 1 - (1-c)*(1-i)*(1-a)
	impact := 6.42 * iss
	if changed {
		impact = 7.52*(iss-0.029) - 3.25*math.Pow(iss-0.02, 15)
	}
	if impact <= 0 {
		return 0, true
	}
	exploitability := 8.22 * av * ac * pr * ui
	if changed {
		return roundUp(math.Min(1.08*(impact+exploitability), 10)), true
	}
	return roundUp(math.Min(impact+exploitability, 10)), true
}

// roundUp is CVSS v3.1's Roundup: the smallest one-decimal number not
// below x, computed on integers to avoid floating-point surprises.
func roundUp(x float64) float64 {
	n := int64(math.Round(x * 100000))
	if n%10000 == 0 {
		return float64(n) / 100000
	}
	return float64(n/10000+1) / 10
}

// Rating is CVSS's qualitative name for a base score: "NONE", "LOW",
// "MEDIUM", "HIGH" or "CRITICAL".
func Rating(score float64) string {
	switch {
	case score >= 9:
		return "CRITICAL"
	case score >= 7:
		return "HIGH"
	case score >= 4:
		return "MEDIUM"
	case score > 0:
		return "LOW"
	}
	return "NONE"
}
