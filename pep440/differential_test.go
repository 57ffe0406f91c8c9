package pep440

import (
	"bytes"
	"encoding/json"
	"errors"
	"os/exec"
	"sort"
	"strings"
	"testing"
)

// referenceRequest and referenceAnswer are the JSON exchanged with
// testdata/reference.py, which runs pypa/packaging as vendored by pip.
type referenceRequest struct {
	Versions []string    `json:"versions"`
	Compare  [][2]int    `json:"compare"`
	Specs    []string    `json:"specs"`
	Contains []containsQ `json:"contains"`
}

// containsQ is [spec index, version string].
type containsQ [2]any

type referenceAnswer struct {
	Versions []struct {
		Valid bool   `json:"valid"`
		Str   string `json:"str"`
	} `json:"versions"`
	Order    []int      `json:"order"`
	Compare  []*int     `json:"compare"`
	Specs    []bool     `json:"specs"`
	Contains []*[2]bool `json:"contains"`
}

// askReference runs one python3 process for the whole request, or skips the
// test when python3 or pip's packaging is not there.
func askReference(t *testing.T, req referenceRequest) referenceAnswer {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not on PATH: no reference implementation to compare with")
	}
	body, err := json.Marshal(req)
	if err != nil {
		t.Fatalf("encode request: %v", err)
	}
	cmd := exec.Command(python, "testdata/reference.py")
	cmd.Stdin = bytes.NewReader(body)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) && exit.ExitCode() == 3 {
			t.Skipf("reference implementation unavailable: %s", strings.TrimSpace(stderr.String()))
		}
		t.Fatalf("run reference: %v\n%s", err, stderr.String())
	}
	var ans referenceAnswer
	if err := json.Unmarshal(stdout.Bytes(), &ans); err != nil {
		t.Fatalf("decode reference answer: %v", err)
	}
	return ans
}

func TestDifferentialAgainstPackaging(t *testing.T) {
	const nVersions, nCompare, nSpecs, perSpec = 6000, 6000, 1500, 12

	g := newVersionGen(440, false)
	req := referenceRequest{}
	for range nVersions {
		req.Versions = append(req.Versions, g.version())
	}
	for range nCompare {
		req.Compare = append(req.Compare, [2]int{g.rnd.IntN(nVersions), g.rnd.IntN(nVersions)})
	}

	small := newVersionGen(508, true)
	type pair struct {
		spec    int
		version string
	}
	var pairs []pair
	for i := range nSpecs {
		spec := small.specifiers()
		req.Specs = append(req.Specs, spec)
		for range perSpec {
			v := strings.TrimSpace(small.spelling(true, small.chance(0.1)))
			pairs = append(pairs, pair{i, v})
			req.Contains = append(req.Contains, containsQ{i, v})
		}
	}

	ans := askReference(t, req)

	// Validity and normal form.
	parsed := make([]Version, nVersions)
	valid := make([]bool, nVersions)
	var nValid int
	for i, s := range req.Versions {
		v, err := Parse(s)
		want := ans.Versions[i]
		valid[i] = err == nil
		switch {
		case valid[i] != want.Valid:
			t.Errorf("Parse(%q): err = %v, packaging valid = %v", s, err, want.Valid)
		case valid[i] && v.String() != want.Str:
			t.Errorf("Parse(%q).String() = %q, packaging says %q", s, v.String(), want.Str)
		}
		if valid[i] {
			parsed[i] = v
			nValid++
		}
	}
	if nValid < nVersions/2 || nValid == nVersions {
		t.Errorf("generator produced %d valid of %d; want a mix", nValid, nVersions)
	}

	// Full sort order: both sorts are stable over the same index order.
	var order []int
	for i := range req.Versions {
		if valid[i] && ans.Versions[i].Valid {
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return parsed[order[a]].Compare(parsed[order[b]]) < 0 })
	if len(order) != len(ans.Order) {
		t.Errorf("sorted %d versions, packaging sorted %d", len(order), len(ans.Order))
	} else {
		for k := range order {
			if order[k] != ans.Order[k] {
				t.Errorf("sort order differs at %d: %s (pep440) vs %s (packaging)", k, parsed[order[k]], parsed[ans.Order[k]])
				break
			}
		}
	}
	for k, c := range req.Compare {
		i, j := c[0], c[1]
		if !valid[i] || !valid[j] || !ans.Versions[i].Valid || !ans.Versions[j].Valid {
			continue
		}
		if got := parsed[i].Compare(parsed[j]); got != *ans.Compare[k] {
			t.Errorf("Compare(%q, %q) = %d, packaging %d", req.Versions[i], req.Versions[j], got, *ans.Compare[k])
		}
	}

	// Specifier validity and contains, with prereleases=None and True.
	sets := make([]Specifiers, nSpecs)
	setValid := make([]bool, nSpecs)
	var nSets, nTrue int
	for i, s := range req.Specs {
		specs, err := ParseSpecifiers(s)
		if (err == nil) != ans.Specs[i] {
			t.Errorf("ParseSpecifiers(%q): err = %v, packaging valid = %v", s, err, ans.Specs[i])
			continue
		}
		if err == nil {
			sets[i], setValid[i] = specs, true
			nSets++
		}
	}
	for k, p := range pairs {
		if !setValid[p.spec] {
			continue
		}
		v, err := Parse(p.version)
		if err != nil {
			t.Fatalf("generator made invalid version %q for a contains pair", p.version)
		}
		got := [2]bool{sets[p.spec].Contains(v), sets[p.spec].Contains(v, WithPrereleases(true))}
		if got != *ans.Contains[k] {
			t.Errorf("%q contains %q: pep440 %v, packaging %v (prereleases None, True)", req.Specs[p.spec], p.version, got, *ans.Contains[k])
		}
		if got[1] {
			nTrue++
		}
	}
	if nSets < nSpecs/2 || nTrue < len(pairs)/10 {
		t.Errorf("weak coverage: %d valid sets of %d, %d contained pairs of %d", nSets, nSpecs, nTrue, len(pairs))
	}
	t.Logf("%d versions (%d valid), %d compares, %d specifier sets (%d valid), %d contains pairs (%d true)",
		nVersions, nValid, nCompare, nSpecs, nSets, len(pairs), nTrue)
}
