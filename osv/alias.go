package osv

import "sort"

// Group puts together the advisories that describe one vulnerability. OSV
// lists each database's record of a flaw (PyPA's PYSEC-…, GitHub's GHSA-…),
// and each names the others among its aliases, so a pin with one flaw
// often has two advisories. Two advisories are one vulnerability when
// one's id is among the other's aliases or they share an alias (a CVE),
// transitively. Groups come in the order of their first advisory in advs;
// within a group the advisories are sorted by id.
func Group(advs []Advisory) [][]Advisory {
	parent := make([]int, len(advs))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	owner := map[string]int{} // id or alias -> first advisory naming it
	for i, a := range advs {
		for _, name := range append([]string{a.ID}, a.Aliases...) {
			if j, ok := owner[name]; ok {
				ri, rj := find(i), find(j)
				if ri != rj {
					parent[max(ri, rj)] = min(ri, rj)
				}
				continue
			}
			owner[name] = i
		}
	}
	var groups [][]Advisory
	index := map[int]int{} // root -> group
	for i, a := range advs {
		r := find(i)
		g, ok := index[r]
		if !ok {
			g = len(groups)
			index[r] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], a)
	}
	for _, g := range groups {
		sort.SliceStable(g, func(i, j int) bool { return g[i].ID < g[j].ID })
	}
	return groups
}
