package indexsim

import (
	"encoding/json"
	"sort"
	"time"

	"github.com/pinwheel-dev/pinwheel/pep440"
)

// OSVVuln describes a PyPI advisory for AddOSVVuln, which turns it into a
// record shaped as OSV serves it (schema 1.6: aliases, severity,
// affected[].ranges of type ECOSYSTEM, versions, database_specific).
type OSVVuln struct {
	ID       string
	Aliases  []string
	Summary  string
	Details  string
	Modified time.Time
	// Withdrawn, when set, marks the record withdrawn.
	Withdrawn time.Time
	// Package is the PyPI name the advisory is for.
	Package string
	// Ranges are ECOSYSTEM ranges, each a list of events.
	Ranges   [][]OSVEvent
	Versions []string
	// CVSSV3 is a CVSS v3 vector for severity; "" gives none.
	CVSSV3 string
	// DatabaseSeverity goes into database_specific.severity ("HIGH").
	DatabaseSeverity string
}

// OSVEvent is one range event; set exactly one field.
type OSVEvent struct {
	Introduced, Fixed, LastAffected string
}

// AddOSVVuln publishes v (see AddOSVRecord).
func (s *Server) AddOSVVuln(v OSVVuln) {
	if err := s.AddOSVRecord(v.JSON()); err != nil {
		panic(err) // JSON always has an id when v has one
	}
}

// JSON is v as an OSV record.
func (v OSVVuln) JSON() []byte {
	type event map[string]string
	type rng struct {
		Type   string  `json:"type"`
		Events []event `json:"events"`
	}
	var ranges []rng
	for _, r := range v.Ranges {
		out := rng{Type: "ECOSYSTEM"}
		for _, e := range r {
			switch {
			case e.Introduced != "":
				out.Events = append(out.Events, event{"introduced": e.Introduced})
			case e.Fixed != "":
				out.Events = append(out.Events, event{"fixed": e.Fixed})
			case e.LastAffected != "":
				out.Events = append(out.Events, event{"last_affected": e.LastAffected})
			}
		}
		ranges = append(ranges, out)
	}
	modified := v.Modified
	if modified.IsZero() {
		modified = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	rec := map[string]any{
		"schema_version": "1.6.0",
		"id":             v.ID,
		"modified":       modified.UTC().Format(time.RFC3339Nano),
		"published":      modified.UTC().Format(time.RFC3339Nano),
		"summary":        v.Summary,
		"details":        v.Details,
		"affected": []any{map[string]any{
			"package":  map[string]string{"ecosystem": "PyPI", "name": v.Package, "purl": "pkg:pypi/" + v.Package},
			"ranges":   ranges,
			"versions": v.Versions,
		}},
		"references": []any{map[string]string{"type": "ADVISORY", "url": "https://osv.dev/vulnerability/" + v.ID}},
	}
	if len(v.Aliases) > 0 {
		rec["aliases"] = v.Aliases
	}
	if !v.Withdrawn.IsZero() {
		rec["withdrawn"] = v.Withdrawn.UTC().Format(time.RFC3339Nano)
	}
	if v.CVSSV3 != "" {
		rec["severity"] = []any{map[string]string{"type": "CVSS_V3", "score": v.CVSSV3}}
	}
	if v.DatabaseSeverity != "" {
		rec["database_specific"] = map[string]any{"severity": v.DatabaseSeverity}
	}
	body, _ := json.Marshal(rec)
	return body
}

// inOSVRange evaluates an ECOSYSTEM range as the OSV schema describes
// ("Evaluation"): sort the events by version, introduced "0" first, and
// let the last event at or below the version decide (a last_affected
// event only once the version is past it). An unparsable version is in no
// range.
func inOSVRange(version string, events []map[string]string) bool {
	v, err := pep440.Parse(version)
	if err != nil {
		return false
	}
	type ev struct {
		kind string
		zero bool
		at   pep440.Version
	}
	var evs []ev
	for _, e := range events {
		for kind, val := range e {
			if kind == "introduced" && val == "0" {
				evs = append(evs, ev{kind: kind, zero: true})
				continue
			}
			at, err := pep440.Parse(val)
			if err != nil {
				return false
			}
			evs = append(evs, ev{kind: kind, at: at})
		}
	}
	sort.SliceStable(evs, func(i, j int) bool {
		if evs[i].zero || evs[j].zero {
			return evs[i].zero && !evs[j].zero
		}
		return evs[i].at.Compare(evs[j].at) < 0
	})
	affected := false
	for _, e := range evs {
		switch e.kind {
		case "introduced":
			if e.zero || v.Compare(e.at) >= 0 {
				affected = true
			}
		case "fixed":
			if v.Compare(e.at) >= 0 {
				affected = false
			}
		case "last_affected":
			if v.Compare(e.at) > 0 {
				affected = false
			}
		}
	}
	return affected
}
