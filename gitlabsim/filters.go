package gitlabsim

import (
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
)

// Filters shared by the issue, merge request, pipeline and deployment
// lists.

// labelsMatch implements the labels filter: all must match; "None" means
// no labels and "Any" at least one.
func labelsMatch(have, want []string) bool {
	for _, w := range want {
		switch w {
		case "None":
			if len(have) > 0 {
				return false
			}
		case "Any":
			if len(have) == 0 {
				return false
			}
		default:
			if !slices.ContainsFunc(have, func(h string) bool { return strings.EqualFold(h, w) }) {
				return false
			}
		}
	}
	return true
}

// searchMatch implements search with in=title,description (the default).
func searchMatch(c *call, title, description string) bool {
	q := strings.ToLower(c.params.get("search"))
	if q == "" {
		return true
	}
	in := c.params.get("in")
	if in == "" {
		in = "title,description"
	}
	for _, field := range splitComma(in) {
		if field == "title" && strings.Contains(strings.ToLower(title), q) ||
			field == "description" && strings.Contains(strings.ToLower(description), q) {
			return true
		}
	}
	return false
}

// sortByTime orders issues or MRs by order_by (created_at by default,
// updated_at, title) and sort (desc by default), ties broken by id.
func sortByTime[T any](c *call, items []T, key func(T) (created, updated time.Time, title string, id int)) {
	desc := c.params.get("sort") != "asc"
	orderBy := c.params.get("order_by")
	sort.SliceStable(items, func(i, j int) bool {
		ci, ui, ti, ii := key(items[i])
		cj, uj, tj, ij := key(items[j])
		var cmp int
		switch orderBy {
		case "updated_at":
			cmp = ui.Compare(uj)
		case "title":
			cmp = strings.Compare(ti, tj)
		default:
			cmp = ci.Compare(cj)
		}
		if cmp == 0 {
			cmp = ii - ij
		}
		if desc {
			return cmp > 0
		}
		return cmp < 0
	})
}

// window bounds a timestamp on both sides, inclusively, as GitLab's
// created_after/created_before and updated_after/updated_before do.
type window struct{ after, before time.Time }

func (w window) contains(t time.Time) bool {
	return (w.after.IsZero() || !t.Before(w.after)) && (w.before.IsZero() || !t.After(w.before))
}

// window reads <field>_after and <field>_before (ISO 8601); on a value
// that does not parse it answers Grape's 400 and reports false.
func (c *call) window(field string) (window, bool) {
	var w window
	for _, b := range []struct {
		name string
		dst  *time.Time
	}{{field + "_after", &w.after}, {field + "_before", &w.before}} {
		v := c.params.get(b.name)
		if v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			c.json(http.StatusBadRequest, map[string]string{"error": b.name + " is invalid"})
			return window{}, false
		}
		*b.dst = t
	}
	return w, true
}

// windows reads both the created_* and updated_* bounds.
func (c *call) windows() (created, updated window, ok bool) {
	if created, ok = c.window("created"); !ok {
		return
	}
	updated, ok = c.window("updated")
	return
}
