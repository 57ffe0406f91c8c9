package plan

import (
	"fmt"
	"time"

	"github.com/pinwheel-dev/pinwheel/pep440"
	"github.com/pinwheel-dev/pinwheel/registry"
)

// Rule is the user's policy for one package. The zero Rule offers every
// newer final release at once.
type Rule struct {
	// Ignore turns updates for the package off.
	Ignore bool
	// Allowed limits the versions that may be offered ("<3"); the zero value
	// allows all.
	Allowed pep440.Specifiers
	// MinimumReleaseAge holds a release back until it is this old.
	MinimumReleaseAge time.Duration
	// Skip are the releases people asked not to be offered
	// ("@pinwheel ignore this major", see ignore.go).
	Skip []Ignore
}

// Update is one update to offer, or to report as pending.
type Update struct {
	// From is the pinned version as written in the constraints file.
	From        string
	FromVersion pep440.Version
	// To is the target version in PEP 440 normal form ("V2.0" on the index
	// is "2.0"): how pinwheel writes it in files, branches and titles.
	To        string
	ToVersion pep440.Version
	Type      pep440.UpdateType
	// Major marks the separate major-update entry: Type is pep440.Major.
	Major bool
	// Release is the target release with only its non-yanked files (PEP 592),
	// merged across spellings of the same version, so Release.SHA256() lists
	// the hashes a pinned, hash-checked install may need.
	Release registry.Release
	// ReleaseDate is the earliest upload time of Release's files; zero when
	// the index does not say.
	ReleaseDate time.Time
	// Pending is true when the release is younger than the rule's
	// MinimumReleaseAge: it is reported, not offered, until EligibleAt.
	Pending    bool
	EligibleAt time.Time
	// Security marks a security update (SecurityUpdate): the lowest release
	// fixing every known vulnerability of the pin. Fixes are the ids of the
	// advisories it fixes.
	Security bool
	Fixes    []string
	// Plain, on a security update, is the newer normal update of its
	// stream that the security update replaced (nil when none): an open
	// merge request to it is not rebuilt down to the fix. Plain.Security
	// and Plain.Fixes are set when it fixes every affecting advisory too.
	Plain *Update
}

// Result is the outcome of Evaluate for one pin.
type Result struct {
	// Ignored is true when the rule turns updates off; nothing else is set.
	Ignored bool
	// Current is the parsed pin.
	Current pep440.Version
	// Updates lists, in this order, the offered non-major update, a newer
	// pending non-major one, the offered major update and a newer pending
	// major one; each entry only when there is one.
	Updates []Update
	// Unparsable lists the index's versions that are not PEP 440 (legacy
	// versions); they are skipped.
	Unparsable []string
}

// Offered returns the updates that are not pending.
func (r Result) Offered() []Update {
	var out []Update
	for _, u := range r.Updates {
		if !u.Pending {
			out = append(out, u)
		}
	}
	return out
}

// Evaluate chooses the updates to offer for the pin current among releases,
// under rule, for a project that runs on every version in python (none
// means no Requires-Python filter), at time now. The only error is a pin
// that is not a PEP 440 version; it wraps pep440.ErrInvalidVersion.
//
// A release is a candidate when its version parses, sorts strictly above
// the pin, has the same local label as the pin (none for a public pin), is not a pre-release or dev release unless the pin is one, is
// allowed by rule.Allowed, has a file that is not yanked, and (when python
// is given) has a non-yanked file whose Requires-Python holds for every
// listed Python. Candidates split into a major stream (pep440.Classify says
// Major) and a non-major one; each stream offers its newest candidate old
// enough under rule.MinimumReleaseAge, and reports its newest candidate as
// pending when that one is younger.
func Evaluate(current string, releases []registry.Release, rule Rule, python []pep440.Version, now time.Time) (Result, error) {
	if rule.Ignore {
		return Result{Ignored: true}, nil
	}
	pin, err := pep440.Parse(current)
	if err != nil {
		return Result{}, fmt.Errorf("evaluate pin %q: %w", current, err)
	}
	res := Result{Current: pin}
	found, unparsable := collect(releases)
	res.Unparsable = unparsable

	f := filter{pin: pin, rule: rule, python: python, requires: map[string]pep440.Specifiers{}}
	var minor, major []candidate
	for _, c := range found {
		if !f.accepts(c) {
			continue
		}
		if pep440.Classify(pin, c.version) == pep440.Major {
			major = append(major, c)
		} else {
			minor = append(minor, c)
		}
	}
	for _, stream := range [][]candidate{minor, major} {
		for _, c := range pick(stream, rule.MinimumReleaseAge, now) {
			res.Updates = append(res.Updates, c.update(current, pin, rule.MinimumReleaseAge))
		}
	}
	return res, nil
}

// pick returns, from candidates in ascending order, the newest one that is
// old enough, then the newest overall if that one is still too young. A
// release without an upload time counts as old enough: indexes without
// PEP 700 metadata never give one, and holding those releases back would
// stop every update from such an index for good.
func pick(stream []candidate, minAge time.Duration, now time.Time) []candidate {
	var offered, pending *candidate
	for i := len(stream) - 1; i >= 0; i-- {
		c := &stream[i]
		if c.date.IsZero() || now.Sub(c.date) >= minAge {
			offered = c
			break
		}
		if pending == nil {
			pending = c
			c.pending = true
		}
	}
	var out []candidate
	if offered != nil {
		out = append(out, *offered)
	}
	if pending != nil {
		out = append(out, *pending)
	}
	return out
}

func (c candidate) update(from string, pin pep440.Version, minAge time.Duration) Update {
	typ := pep440.Classify(pin, c.version)
	u := Update{
		From:        from,
		FromVersion: pin,
		To:          c.version.String(),
		ToVersion:   c.version,
		Type:        typ,
		Major:       typ == pep440.Major,
		Release:     c.release,
		ReleaseDate: c.date,
		Pending:     c.pending,
	}
	if c.pending {
		u.EligibleAt = c.date.Add(minAge)
	}
	return u
}
