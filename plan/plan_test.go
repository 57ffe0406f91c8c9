package plan

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/pep440"
	"github.com/pinwheel-dev/pinwheel/registry"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// rel builds a release with one file per option string: "yanked",
// "py:<specifier>", "age:<duration>" (uploaded that long before now) or
// "noage" (no upload time). Without an age option the file is 30 days old.
func rel(version string, files ...string) registry.Release {
	if len(files) == 0 {
		files = []string{""}
	}
	r := registry.Release{Version: version}
	for i, opts := range files {
		f := registry.File{
			Filename:   fmt.Sprintf("pkg-%s-%d.whl", version, i),
			Hashes:     map[string]string{"sha256": fmt.Sprintf("%s-%d", version, i)},
			UploadTime: now.Add(-30 * 24 * time.Hour),
		}
		for _, opt := range strings.Fields(opts) {
			switch {
			case opt == "yanked":
				f.Yanked = true
			case opt == "noage":
				f.UploadTime = time.Time{}
			case strings.HasPrefix(opt, "py:"):
				f.RequiresPython = strings.TrimPrefix(opt, "py:")
			case strings.HasPrefix(opt, "age:"):
				d, err := time.ParseDuration(strings.TrimPrefix(opt, "age:"))
				if err != nil {
					panic(err)
				}
				f.UploadTime = now.Add(-d)
			default:
				panic("unknown file option " + opt)
			}
		}
		r.Files = append(r.Files, f)
	}
	return r
}

func pythons(vs ...string) []pep440.Version {
	var out []pep440.Version
	for _, v := range vs {
		out = append(out, pep440.MustParse(v))
	}
	return out
}

// summary renders the updates compactly: "1.2.0 minor", "2.0 major
// pending@<time>".
func summary(res Result) []string {
	var out []string
	for _, u := range res.Updates {
		s := u.To + " " + string(u.Type)
		if u.Pending {
			s += " pending@" + u.EligibleAt.Format(time.RFC3339)
		}
		out = append(out, s)
	}
	return out
}

func TestEvaluate(t *testing.T) {
	in := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	tests := []struct {
		name     string
		pin      string
		releases []registry.Release
		rule     Rule
		python   []pep440.Version
		want     []string
	}{
		{
			name:     "newest non-major only",
			pin:      "1.2.3",
			releases: []registry.Release{rel("1.2.3"), rel("1.2.4"), rel("1.3.0"), rel("1.1.0")},
			want:     []string{"1.3.0 minor"},
		},
		{
			name:     "up to date",
			pin:      "1.3.0",
			releases: []registry.Release{rel("1.2.4"), rel("1.3.0")},
			want:     nil,
		},
		{
			name:     "major split gives two entries",
			pin:      "1.2.3",
			releases: []registry.Release{rel("1.2.4"), rel("2.0.0"), rel("3.1"), rel("1.2.5")},
			want:     []string{"1.2.5 patch", "3.1 major"},
		},
		{
			name:     "only a major",
			pin:      "1.2.3",
			releases: []registry.Release{rel("2.0.0")},
			want:     []string{"2.0.0 major"},
		},
		{
			name:     "epoch bump is major",
			pin:      "2024.1",
			releases: []registry.Release{rel("2024.2"), rel("1!1.0")},
			want:     []string{"2024.2 minor", "1!1.0 major"},
		},
		{
			name:     "yanked newest is skipped",
			pin:      "1.0",
			releases: []registry.Release{rel("1.1"), rel("1.2", "yanked", "yanked"), rel("2.0", "yanked")},
			want:     []string{"1.1 minor"},
		},
		{
			name:     "partially yanked release is offered",
			pin:      "1.0",
			releases: []registry.Release{rel("1.1", "yanked", "")},
			want:     []string{"1.1 minor"},
		},
		{
			name:     "release without files is not installable",
			pin:      "1.0",
			releases: []registry.Release{{Version: "1.1"}, rel("1.0.1")},
			want:     []string{"1.0.1 patch"},
		},
		{
			name:     "final pin skips pre and dev releases",
			pin:      "1.0",
			releases: []registry.Release{rel("1.1"), rel("1.2rc1"), rel("1.2.dev3"), rel("2.0b1"), rel("1.1.post1")},
			want:     []string{"1.1.post1 minor"},
		},
		{
			name:     "pre-release pin takes pre-releases",
			pin:      "2.0b1",
			releases: []registry.Release{rel("1.9"), rel("2.0b2"), rel("2.0rc1.dev1"), rel("3.0a1")},
			want:     []string{"2.0rc1.dev1 patch", "3.0a1 major"},
		},
		{
			name:     "pre-release pin moves to the final",
			pin:      "2.0rc1",
			releases: []registry.Release{rel("2.0rc2"), rel("2.0")},
			want:     []string{"2.0 patch"},
		},
		{
			name:     "allowed below 3",
			pin:      "2.1",
			releases: []registry.Release{rel("2.2"), rel("3.0"), rel("3.1")},
			rule:     Rule{Allowed: pep440.MustParseSpecifiers("<3")},
			want:     []string{"2.2 minor"},
		},
		{
			name:     "allowed excludes a minor",
			pin:      "2.1",
			releases: []registry.Release{rel("2.2"), rel("2.3"), rel("3.0")},
			rule:     Rule{Allowed: pep440.MustParseSpecifiers("!=2.3.*")},
			want:     []string{"2.2 minor", "3.0 major"},
		},
		{
			name:     "allowed <3 keeps out 3.0 pre-releases for a pre-release pin",
			pin:      "2.0b1",
			releases: []registry.Release{rel("2.0"), rel("3.0a1")},
			rule:     Rule{Allowed: pep440.MustParseSpecifiers("<3")},
			want:     []string{"2.0 patch"},
		},
		{
			name:     "requires-python keeps the newest that runs everywhere",
			pin:      "1.0",
			releases: []registry.Release{rel("1.1", "py:>=3.8"), rel("1.2", "py:>=3.10"), rel("2.0", "py:>=3.12")},
			python:   pythons("3.9", "3.11"),
			want:     []string{"1.1 minor"},
		},
		{
			name:     "requires-python on one file is enough",
			pin:      "1.0",
			releases: []registry.Release{rel("1.2", "py:>=3.12", "py:>=3.8")},
			python:   pythons("3.9"),
			want:     []string{"1.2 minor"},
		},
		{
			name:     "requires-python of a yanked file does not count",
			pin:      "1.0",
			releases: []registry.Release{rel("1.2", "py:>=3.12", "yanked py:>=3.8")},
			python:   pythons("3.9"),
			want:     nil,
		},
		{
			name:     "requires-python ignored without pythons; empty and invalid mean any",
			pin:      "1.0",
			releases: []registry.Release{rel("1.1", "py:>=3.12"), rel("1.2", "py:>=3.12", "py:bogus")},
			python:   nil,
			want:     []string{"1.2 minor"},
		},
		{
			name:     "invalid requires-python is ignored like pip does",
			pin:      "1.0",
			releases: []registry.Release{rel("1.2", "py:>=3.12", "py:bogus")},
			python:   pythons("3.9"),
			want:     []string{"1.2 minor"},
		},
		{
			name:     "requires-python with a pre-release python",
			pin:      "1.0",
			releases: []registry.Release{rel("1.2", "py:>=3.13")},
			python:   pythons("3.14.0rc1"),
			want:     []string{"1.2 minor"},
		},
		{
			name:     "young newest is pending, older one offered",
			pin:      "1.0",
			releases: []registry.Release{rel("1.1", "age:240h"), rel("1.2", "age:24h")},
			rule:     Rule{MinimumReleaseAge: 72 * time.Hour},
			want:     []string{"1.1 minor", "1.2 minor pending@" + in(48*time.Hour)},
		},
		{
			name:     "only a young candidate: pending alone",
			pin:      "1.0",
			releases: []registry.Release{rel("1.2", "age:1h")},
			rule:     Rule{MinimumReleaseAge: 72 * time.Hour},
			want:     []string{"1.2 minor pending@" + in(71*time.Hour)},
		},
		{
			name:     "age exactly the minimum is old enough",
			pin:      "1.0",
			releases: []registry.Release{rel("1.2", "age:72h")},
			rule:     Rule{MinimumReleaseAge: 72 * time.Hour},
			want:     []string{"1.2 minor"},
		},
		{
			name: "each stream applies the age on its own",
			pin:  "1.0",
			releases: []registry.Release{
				rel("1.1", "age:100h"), rel("1.2", "age:1h"), rel("2.0", "age:1h"), rel("3.0", "age:2h"),
			},
			rule: Rule{MinimumReleaseAge: 72 * time.Hour},
			want: []string{"1.1 minor", "1.2 minor pending@" + in(71*time.Hour), "3.0 major pending@" + in(70*time.Hour)},
		},
		{
			name:     "unknown upload time counts as old enough",
			pin:      "1.0",
			releases: []registry.Release{rel("1.1", "age:100h"), rel("1.2", "noage")},
			rule:     Rule{MinimumReleaseAge: 72 * time.Hour},
			want:     []string{"1.2 minor"},
		},
		{
			name:     "release date is the earliest non-yanked upload",
			pin:      "1.0",
			releases: []registry.Release{rel("1.2", "yanked age:1000h", "age:10h", "age:5h")},
			rule:     Rule{MinimumReleaseAge: 72 * time.Hour},
			want:     []string{"1.2 minor pending@" + in(62*time.Hour)},
		},
		{
			name:     "spelling equal to the pin is not an update",
			pin:      "1.0",
			releases: []registry.Release{rel("1.0.0"), rel("v1.0"), rel("1.0.post0")},
			want:     []string{"1.0.post0 patch"},
		},
		{
			name:     "local versions: only the pin's own variant",
			pin:      "2.1.0+cu121",
			releases: []registry.Release{rel("2.2.0"), rel("2.2.0+cpu"), rel("2.2.0+cu121"), rel("2.1.0+cu121.post")},
			want:     []string{"2.2.0+cu121 minor"},
		},
		{
			name:     "local versions: a public pin never moves to a local one",
			pin:      "2.1.0",
			releases: []registry.Release{rel("2.1.0+cu121"), rel("2.1.1+cpu"), rel("2.1.1")},
			want:     []string{"2.1.1 patch"},
		},
		{
			name:     "legacy versions are skipped",
			pin:      "1.0",
			releases: []registry.Release{rel("1.1"), rel("2004d"), rel("1.3-beta-final")},
			want:     []string{"1.1 minor"},
		},
		{
			name:   "interplay: yanked, pre, allowed, python and age together",
			pin:    "1.4",
			python: pythons("3.9"),
			rule:   Rule{Allowed: pep440.MustParseSpecifiers("<3"), MinimumReleaseAge: 48 * time.Hour},
			releases: []registry.Release{
				rel("1.5", "age:200h"),
				rel("1.6", "age:100h py:>=3.10"),
				rel("1.7", "yanked"),
				rel("1.8rc1", "age:100h"),
				rel("2.0", "age:500h"),
				rel("2.1", "age:10h"),
				rel("3.0", "age:900h"),
			},
			want: []string{"1.5 minor", "2.0 major", "2.1 major pending@" + in(38*time.Hour)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Evaluate(tt.pin, tt.releases, tt.rule, tt.python, now)
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			if got := summary(res); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("updates = %q, want %q", got, tt.want)
			}
			for _, u := range res.Updates {
				if u.From != tt.pin || u.Major != (u.Type == pep440.Major) || u.ToVersion.String() == "" {
					t.Errorf("inconsistent update %+v", u)
				}
			}
		})
	}
}

func TestEvaluateMergesSpellings(t *testing.T) {
	releases := []registry.Release{
		rel("1.1", "yanked"),
		rel("1.1.0", "", "yanked"),
		rel("1.1.0.0", "age:1h"),
	}
	res, err := Evaluate("1.0", releases, Rule{}, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Updates) != 1 {
		t.Fatalf("updates = %q, want one", summary(res))
	}
	u := res.Updates[0]
	if u.To != "1.1.0" {
		t.Errorf("To = %q, want the first spelling with a live file, 1.1.0", u.To)
	}
	if got, want := u.Release.SHA256(), []string{"1.1.0-0", "1.1.0.0-0"}; !reflect.DeepEqual(got, want) {
		t.Errorf("hashes = %q, want %q (non-yanked files of every spelling)", got, want)
	}
	if !u.ReleaseDate.Equal(now.Add(-30 * 24 * time.Hour)) {
		t.Errorf("ReleaseDate = %s, want the earliest live upload", u.ReleaseDate)
	}
	if u.Release.Version != u.To || u.Pending || !u.EligibleAt.IsZero() {
		t.Errorf("offered update: %+v", u)
	}
}

func TestEvaluateResultFields(t *testing.T) {
	releases := []registry.Release{rel("1.0.1"), rel("2.0", "age:1h"), rel("not a version")}
	res, err := Evaluate("v1.0", releases, Rule{MinimumReleaseAge: time.Hour * 2}, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.Unparsable, []string{"not a version"}) {
		t.Errorf("Unparsable = %q", res.Unparsable)
	}
	if res.Current.String() != "1.0" || res.Ignored {
		t.Errorf("Current = %s, Ignored = %v", res.Current, res.Ignored)
	}
	offered := res.Offered()
	if len(offered) != 1 || offered[0].To != "1.0.1" || offered[0].From != "v1.0" {
		t.Errorf("Offered = %+v", offered)
	}
	if len(res.Updates) != 2 || !res.Updates[1].Pending || !res.Updates[1].Major {
		t.Errorf("Updates = %q, want a pending major second", summary(res))
	}
}

func TestEvaluateIgnored(t *testing.T) {
	res, err := Evaluate("not even a version", []registry.Release{rel("9.0")}, Rule{Ignore: true}, nil, now)
	if err != nil {
		t.Fatalf("ignored pin: %v", err)
	}
	if !res.Ignored || len(res.Updates) != 0 {
		t.Errorf("result = %+v, want ignored with no updates", res)
	}
}

func TestEvaluateBadPin(t *testing.T) {
	_, err := Evaluate("1.0-", []registry.Release{rel("2.0")}, Rule{}, nil, now)
	if !errors.Is(err, pep440.ErrInvalidVersion) || !strings.Contains(err.Error(), `"1.0-"`) {
		t.Errorf("err = %v, want an invalid-version error naming the pin", err)
	}
}
