package osv

import (
	"strings"
	"testing"
)

func TestGroup(t *testing.T) {
	a := func(id string, aliases ...string) Advisory { return Advisory{ID: id, Aliases: aliases} }
	tests := []struct {
		name string
		advs []Advisory
		want string // groups joined by " | ", ids by ","
	}{
		{"none", nil, ""},
		{"distinct", []Advisory{a("PYSEC-1"), a("PYSEC-2")}, "PYSEC-1 | PYSEC-2"},
		{"each names the other", []Advisory{a("PYSEC-1", "GHSA-x", "CVE-1"), a("GHSA-x", "PYSEC-1", "CVE-1")}, "GHSA-x,PYSEC-1"},
		{"one names the other", []Advisory{a("GHSA-x"), a("PYSEC-1", "GHSA-x")}, "GHSA-x,PYSEC-1"},
		{"a shared CVE", []Advisory{a("PYSEC-1", "CVE-1"), a("PYSEC-9"), a("GHSA-x", "CVE-1")}, "GHSA-x,PYSEC-1 | PYSEC-9"},
		{"transitive", []Advisory{a("A", "CVE-1"), a("B", "CVE-2"), a("C", "CVE-1", "CVE-2")}, "A,B,C"},
	}
	for _, tt := range tests {
		var groups []string
		for _, g := range Group(tt.advs) {
			var ids []string
			for _, x := range g {
				ids = append(ids, x.ID)
			}
			groups = append(groups, strings.Join(ids, ","))
		}
		if got := strings.Join(groups, " | "); got != tt.want {
			t.Errorf("%s: Group = %q, want %q", tt.name, got, tt.want)
		}
	}
}
