package osv

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/pinwheel-dev/pinwheel/pep440"
	"github.com/pinwheel-dev/pinwheel/pkgname"
)

// Ecosystem is OSV's name for the Python Package Index. OSV compares
// ecosystem names case-sensitively: "pypi" finds nothing.
const Ecosystem = "PyPI"

// Advisory is one OSV record as it concerns one PyPI package: the parts of
// https://ossf.github.io/osv-schema/ an update MR and the security policy
// need. Affected holds only the record's affected entries for that package
// (ecosystem PyPI, name equal in PEP 503 normal form).
type Advisory struct {
	ID string
	// Aliases are the other databases' ids of the same vulnerability
	// (CVE-…, GHSA-…, PYSEC-…), as the record lists them.
	Aliases []string
	Summary string
	// Modified is when OSV last changed the record; the cache keys on it.
	Modified  time.Time
	Published time.Time
	// Withdrawn is when the record was withdrawn; zero when it stands. A
	// withdrawn advisory affects nothing.
	Withdrawn time.Time
	// Severity lists the record's scores, each a type and a vector
	// ("CVSS_V3", "CVSS:3.1/AV:N/AC:L/…"). OSV gives vectors, not numbers.
	Severity []Severity
	// DatabaseSeverity is database_specific.severity when the source
	// database sets one (GitHub's "LOW", "MODERATE", "HIGH", "CRITICAL").
	DatabaseSeverity string
	Affected         []Affected
}

// Severity is one entry of a record's severity list.
type Severity struct {
	// Type is "CVSS_V2", "CVSS_V3", "CVSS_V4" or "Ubuntu".
	Type string
	// Score is the vector string for the CVSS types.
	Score string
}

// Affected is one affected entry for the package: a version is affected
// when it is in Versions or in one of Ranges.
type Affected struct {
	// Ranges are the entry's ECOSYSTEM ranges (PEP 440 versions); SEMVER
	// and GIT ranges say nothing about PyPI releases and are dropped.
	Ranges []Range
	// Versions lists affected versions explicitly, as the record spells them.
	Versions []string
	// Severity is the entry's own severity (schema 1.5+), if any.
	Severity []Severity
}

// Range is one ECOSYSTEM range: its events in the order the record gives
// them (the schema does not require them sorted).
type Range struct {
	Events []Event
}

// Event is one range event; exactly one field is set. Introduced "0" means
// "from the first version".
type Event struct {
	Introduced   string
	Fixed        string
	LastAffected string
}

// The wire shapes of https://ossf.github.io/osv-schema/ (fields pinwheel reads).
type wireVuln struct {
	ID               string          `json:"id"`
	Modified         string          `json:"modified"`
	Published        string          `json:"published"`
	Withdrawn        string          `json:"withdrawn"`
	Aliases          []string        `json:"aliases"`
	Summary          string          `json:"summary"`
	Severity         []wireSeverity  `json:"severity"`
	Affected         []wireAffected  `json:"affected"`
	DatabaseSpecific json.RawMessage `json:"database_specific"`
}

type wireSeverity struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

type wireAffected struct {
	Package struct {
		Ecosystem string `json:"ecosystem"`
		Name      string `json:"name"`
	} `json:"package"`
	Ranges   []wireRange    `json:"ranges"`
	Versions []string       `json:"versions"`
	Severity []wireSeverity `json:"severity"`
}

type wireRange struct {
	Type   string      `json:"type"`
	Events []wireEvent `json:"events"`
}

type wireEvent struct {
	Introduced   *string `json:"introduced"`
	Fixed        *string `json:"fixed"`
	LastAffected *string `json:"last_affected"`
	Limit        *string `json:"limit"`
}

// maxListed bounds the lists a record may carry (aliases, events,
// versions), so a hostile record cannot make the policy loop for ever.
const maxListed = 10000

// errNotForPackage means a record has no PyPI affected entry for the
// package it was listed for.
var errNotForPackage = errors.New("lists no PyPI affected entry for the package")

// parseRecord reads a full OSV record (GET /v1/vulns/{id}) as it concerns
// the PyPI package name. It checks the record is the one asked for, and
// that every affected entry for the package is usable; a record for
// another package or ecosystem only is an error.
func parseRecord(body []byte, wantID, name string) (Advisory, error) {
	var w wireVuln
	if err := json.Unmarshal(body, &w); err != nil {
		return Advisory{}, fmt.Errorf("not an OSV record: %w", err)
	}
	if w.ID != wantID {
		return Advisory{}, fmt.Errorf("record has id %q", w.ID)
	}
	a := Advisory{ID: w.ID, Summary: w.Summary}
	var err error
	if a.Modified, err = parseTime("modified", w.Modified, true); err != nil {
		return Advisory{}, err
	}
	if a.Published, err = parseTime("published", w.Published, false); err != nil {
		return Advisory{}, err
	}
	if a.Withdrawn, err = parseTime("withdrawn", w.Withdrawn, false); err != nil {
		return Advisory{}, err
	}
	if len(w.Aliases) > maxListed {
		return Advisory{}, fmt.Errorf("%d aliases", len(w.Aliases))
	}
	a.Aliases = append(a.Aliases, w.Aliases...)
	a.Severity = severities(w.Severity)
	a.DatabaseSeverity = databaseSeverity(w.DatabaseSpecific)
	for i, wa := range w.Affected {
		if wa.Package.Ecosystem != Ecosystem || !pkgname.Equal(wa.Package.Name, name) {
			continue
		}
		af, err := affected(wa)
		if err != nil {
			return Advisory{}, fmt.Errorf("affected[%d]: %w", i, err)
		}
		a.Affected = append(a.Affected, af)
	}
	if len(a.Affected) == 0 {
		return Advisory{}, fmt.Errorf("%w %s", errNotForPackage, name)
	}
	return a, nil
}

func affected(wa wireAffected) (Affected, error) {
	var af Affected
	if len(wa.Versions) > maxListed {
		return af, fmt.Errorf("%d versions listed", len(wa.Versions))
	}
	af.Versions = append(af.Versions, wa.Versions...)
	af.Severity = severities(wa.Severity)
	for j, wr := range wa.Ranges {
		if wr.Type != "ECOSYSTEM" {
			continue
		}
		if len(wr.Events) == 0 || len(wr.Events) > maxListed {
			return af, fmt.Errorf("ranges[%d]: %d events", j, len(wr.Events))
		}
		var r Range
		for k, we := range wr.Events {
			e, err := event(we)
			if err != nil {
				return af, fmt.Errorf("ranges[%d].events[%d]: %w", j, k, err)
			}
			if e != (Event{}) {
				r.Events = append(r.Events, e)
			}
		}
		af.Ranges = append(af.Ranges, r)
	}
	if len(af.Ranges) == 0 && len(af.Versions) == 0 {
		return af, errors.New("names no affected versions (no ECOSYSTEM range, no versions)")
	}
	return af, nil
}

// event reads one range event, checking its version is PEP 440. A limit
// event (meant for GIT ranges) is dropped.
func event(we wireEvent) (Event, error) {
	set := 0
	for _, p := range []*string{we.Introduced, we.Fixed, we.LastAffected, we.Limit} {
		if p != nil {
			set++
		}
	}
	if set != 1 {
		return Event{}, fmt.Errorf("an event needs exactly one of introduced, fixed, last_affected, limit; got %d", set)
	}
	check := func(kind, v string) error {
		if kind == "introduced" && v == "0" {
			return nil
		}
		if _, err := pep440.Parse(v); err != nil {
			return fmt.Errorf("%s %q: %w", kind, v, err)
		}
		return nil
	}
	switch {
	case we.Introduced != nil:
		return Event{Introduced: *we.Introduced}, check("introduced", *we.Introduced)
	case we.Fixed != nil:
		return Event{Fixed: *we.Fixed}, check("fixed", *we.Fixed)
	case we.LastAffected != nil:
		return Event{LastAffected: *we.LastAffected}, check("last_affected", *we.LastAffected)
	}
	return Event{}, nil // limit
}

func severities(ws []wireSeverity) []Severity {
	var out []Severity
	for _, s := range ws {
		if s.Type != "" && s.Score != "" {
			out = append(out, Severity{Type: s.Type, Score: s.Score})
		}
	}
	return out
}

// databaseSeverity reads database_specific.severity, which the schema
// leaves to each database: anything but a string there is ignored.
func databaseSeverity(raw json.RawMessage) string {
	var ds struct {
		Severity any `json:"severity"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &ds) != nil {
		return ""
	}
	s, _ := ds.Severity.(string)
	return s
}

func parseTime(field, v string, required bool) (time.Time, error) {
	if v == "" {
		if required {
			return time.Time{}, fmt.Errorf("no %s time", field)
		}
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q is not an RFC 3339 time", field, v)
	}
	return t, nil
}

// sameModified compares two modified stamps as times, so that the
// querybatch's and the record's spellings of one instant match.
func sameModified(a, b string) bool {
	if a == b {
		return true
	}
	ta, errA := time.Parse(time.RFC3339Nano, a)
	tb, errB := time.Parse(time.RFC3339Nano, b)
	return errA == nil && errB == nil && ta.Equal(tb)
}
