package dashboard

import (
	"encoding/base64"
	"encoding/json"
	"strings"
)

// Every ignore rule listed under Closed / Ignored carries a hidden marker
// with the rule itself, so that a run without it in its state file (a new
// shard, a lost volume) recovers the rule from the dashboard, which every
// run reads. Rules not shown (size limit) still get their marker, alone
// on a line.

const ignoreMarkerPrefix = "<!-- pinwheel-ignore:"

// ruleMarker is what the marker holds.
type ruleMarker struct {
	Key     string `json:"k"`
	Package string `json:"p"`
	Scope   string `json:"s"`
	Value   string `json:"v,omitempty"`
	By      string `json:"b,omitempty"`
	MRIID   int    `json:"m,omitempty"`
}

// ignoreMarker is r's hidden marker. The rule is base64url-encoded JSON:
// no text of it can close the comment.
func ignoreMarker(r IgnoreRule) string {
	data, _ := json.Marshal(ruleMarker{Key: r.Key, Package: r.Package, Scope: r.Scope, Value: r.Value, By: r.By, MRIID: r.MRIID})
	return ignoreMarkerPrefix + base64.RawURLEncoding.EncodeToString(data) + " -->"
}

// ParseIgnoreRules returns the ignore rules whose markers a dashboard body
// holds (What is left empty), in body order, each key once. They are text
// anyone who can edit the issue can change: the caller checks that each
// is a rule it could have written.
func ParseIgnoreRules(body string) []IgnoreRule {
	var out []IgnoreRule
	seen := map[string]bool{}
	for rest := body; ; {
		i := strings.Index(rest, ignoreMarkerPrefix)
		if i < 0 {
			return out
		}
		rest = rest[i+len(ignoreMarkerPrefix):]
		j := strings.Index(rest, " -->")
		if j < 0 {
			return out
		}
		data, err := base64.RawURLEncoding.DecodeString(rest[:j])
		if err != nil {
			continue // not a marker: look on after its prefix
		}
		rest = rest[j:]
		var m ruleMarker
		if json.Unmarshal(data, &m) != nil || m.Key == "" || seen[m.Key] {
			continue
		}
		seen[m.Key] = true
		out = append(out, IgnoreRule{Key: m.Key, Package: m.Package, Scope: m.Scope, Value: m.Value, By: m.By, MRIID: m.MRIID})
	}
}
