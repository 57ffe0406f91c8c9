package check

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/constraints"
	"github.com/pinwheel-dev/pinwheel/pep440"
	"github.com/pinwheel-dev/pinwheel/plan"
)

// TestRowsJSONContract pins the keys scripts read from `pinwheel check
// --format json`: every key on every row, latest "" when up to date, error
// "" unless failed, and the major split's second row marked.
func TestRowsJSONContract(t *testing.T) {
	released := now.AddDate(0, 0, -3)
	rep := &Report{Results: []Result{
		{Pin: constraints.Pin{Name: "numpy", Line: 1, Version: "1.26.0"}, Plan: plan.Result{Updates: []plan.Update{
			{To: "1.26.4", Type: pep440.Patch, ReleaseDate: released},
			{To: "2.1.0", Type: pep440.Major, Major: true, Pending: true, EligibleAt: now.Add(time.Hour)},
		}}},
		{Pin: constraints.Pin{Name: "six", Line: 2, Version: "1.17.0"}},
		{Pin: constraints.Pin{Name: "nope", Line: 3, Version: "1.0"}, Err: errors.New("look up nope: not found")},
		{Pin: constraints.Pin{Name: "mine", Line: 4, Version: "1.0", Ignored: true}},
	}}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, rep.Rows()); err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rows); err != nil {
		t.Fatalf("not a JSON array: %v\n%s", err, buf.String())
	}
	keys := []string{"name", "line", "marker", "current", "latest", "update_type", "major", "pending",
		"eligible_at", "release_date", "ignored", "error", "vulnerabilities", "security", "fixes"}
	want := []struct {
		name, latest, errText string
		major, ignored        bool
	}{
		{"numpy", "1.26.4", "", false, false},
		{"numpy", "2.1.0", "", true, false},
		{"six", "", "", false, false},
		{"nope", "", "look up nope: not found", false, false},
		{"mine", "", "", false, true},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d:\n%s", len(rows), len(want), buf.String())
	}
	for i, w := range want {
		row := rows[i]
		for _, k := range keys {
			if _, ok := row[k]; !ok {
				t.Errorf("row %d lacks key %q", i, k)
			}
		}
		if len(row) != len(keys) {
			t.Errorf("row %d has %d keys, want only %v: %v", i, len(row), keys, row)
		}
		if row["name"] != w.name || row["latest"] != w.latest || row["error"] != w.errText ||
			row["major"] != w.major || row["ignored"] != w.ignored {
			t.Errorf("row %d = %v, want %+v", i, row, w)
		}
	}
	if rep.FailedLookups() != 1 {
		t.Errorf("FailedLookups = %d, want 1", rep.FailedLookups())
	}
}

// TestRowsFixes: a row's fixes are the ids of the advisories its update
// fixes: the security update's from the vulnerabilities source, and on
// the other rows (or without a source) the JSON API's vulnerabilities of
// the pin fixed at or below the row's version, as the table's FIXES
// column shows them.
func TestRowsFixes(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts Options
		want string
	}{
		{"no source", Options{Now: now}, "2.32.4 security=false fixes=GHSA-test-0001; 3.0.0 security=false fixes=GHSA-test-0001,GHSA-test-0002"},
		{"source pypi", Options{Now: now, PyPIVulns: true}, "2.32.4 security=false fixes=GHSA-test-0001; 3.0.0 security=true fixes=GHSA-test-0001,GHSA-test-0002"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sim := newIndex(t)
			rep := Run(context.Background(), newClient(t, sim), constraints.Parse([]byte("requests==2.32.3\n")), tt.opts)
			var got []string
			for _, r := range rep.Rows() {
				got = append(got, fmt.Sprintf("%s security=%v fixes=%s", r.Latest, r.Security, strings.Join(r.FixIDs, ",")))
			}
			if strings.Join(got, "; ") != tt.want {
				t.Errorf("rows\n%s\nwant\n%s", strings.Join(got, "; "), tt.want)
			}
			var table bytes.Buffer
			if err := WriteTable(&table, rep.Rows()); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(table.String(), "GHSA-test-0001,GHSA-test-0002") {
				t.Errorf("table's FIXES column lacks 3.0.0's fixes:\n%s", table.String())
			}
		})
	}
}

func TestWriteJSONEmptyIsArray(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, (&Report{}).Rows()); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(buf.String()); got != "[]" {
		t.Errorf("empty report: %q, want []", got)
	}
}

// TestWriteTableHasNoTrailingSpaces: a row without a note ends at its last
// filled cell.
func TestWriteTableHasNoTrailingSpaces(t *testing.T) {
	rep := &Report{Results: []Result{
		{Pin: constraints.Pin{Name: "numpy", Version: "1.26.0"}, Plan: plan.Result{Updates: []plan.Update{{To: "1.26.4", Type: pep440.Patch}}}},
		{Pin: constraints.Pin{Name: "six", Version: "1.17.0"}},
	}}
	var buf bytes.Buffer
	if err := WriteTable(&buf, rep.Rows()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines, want header and 2 rows:\n%s", len(lines), buf.String())
	}
	for _, l := range lines {
		if strings.HasSuffix(l, " ") {
			t.Errorf("trailing spaces: %q", l)
		}
	}
	if !strings.Contains(lines[2], "up to date") {
		t.Errorf("six's row: %q, want up to date", lines[2])
	}
}

// Text from the file or the index never reaches the terminal raw.
func TestWriteTableEscapesControlCharacters(t *testing.T) {
	rows := []Row{
		{Name: "evil\x1b[2J\x1b]0;pwned\x07", Line: 1, Current: "1.0", Error: "look up: bad\x1b[31m body\r\n"},
		{Name: "sphinx", Line: 2, Current: "8.1.3", Latest: "8.2.3"},
		{Name: "sphinx", Line: 3, Current: "9.0.4"},
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, rows); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.ContainsAny(out, "\x1b\x07\r") {
		t.Errorf("control characters reached the output: %q", out)
	}
	for _, want := range []string{`evil\x1b[2J\x1b]0;pwned\x07`, `bad\x1b[31m body\r\n`, "sphinx (line 2)", "sphinx (line 3)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestWriteNotesEscapesTheFilesText(t *testing.T) {
	f := constraints.ParseFile("c.txt", []byte("foo>=1 ; os_name == '\x1b[2J'\nbar==\x1b]0;x\x07\n"))
	var buf bytes.Buffer
	if err := WriteNotes(&buf, f); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.ContainsAny(out, "\x1b\x07") || !strings.Contains(out, `c.txt:1: not checked (version range): foo>=1 ; os_name == '\x1b[2J'`) {
		t.Errorf("notes %q", out)
	}
}
