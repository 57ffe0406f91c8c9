package gitlabsim

import (
	"net/url"
	"strings"
)

// Offset pagination as documented in
// https://docs.gitlab.com/api/rest/#offset-based-pagination.
const (
	defaultPerPage = 20
	maxPerPage     = 100
	// Above this many records GitLab stops counting: no X-Total,
	// X-Total-Pages or rel="last".
	countLimit = 10000
)

// paginate cuts one page out of items and sets GitLab's pagination headers
// on the response. withTotals is false for endpoints (the commits list)
// that never send X-Total and X-Total-Pages.
func paginate[T any](c *call, items []T, withTotals bool) []T {
	page, ok := c.params.integer("page")
	if !ok || page < 1 {
		page = 1
	}
	perPage, ok := c.params.integer("per_page")
	if !ok || perPage < 1 {
		perPage = defaultPerPage
	}
	perPage = min(perPage, maxPerPage)

	total := len(items)
	totalPages := max(1, (total+perPage-1)/perPage)
	start := min((page-1)*perPage, total)
	end := min(start+perPage, total)

	h := c.w.Header()
	h.Set("X-Page", itoa(page))
	h.Set("X-Per-Page", itoa(perPage))
	h.Set("X-Next-Page", "")
	h.Set("X-Prev-Page", "")
	counted := withTotals && total <= countLimit
	if counted {
		h.Set("X-Total", itoa(total))
		h.Set("X-Total-Pages", itoa(totalPages))
	}
	var links []string
	if page > 1 {
		prev := min(page-1, totalPages)
		h.Set("X-Prev-Page", itoa(prev))
		links = append(links, c.pageLink(prev, perPage, "prev"))
	}
	if end < total {
		h.Set("X-Next-Page", itoa(page+1))
		links = append(links, c.pageLink(page+1, perPage, "next"))
	}
	links = append(links, c.pageLink(1, perPage, "first"))
	if counted {
		links = append(links, c.pageLink(totalPages, perPage, "last"))
	}
	h.Set("Link", strings.Join(links, ", "))
	return items[start:end]
}

// pageLink repeats the request's own query with another page, as GitLab's
// Link header does.
func (c *call) pageLink(page, perPage int, rel string) string {
	q := url.Values{}
	for k, vs := range c.r.URL.Query() {
		q[k] = vs
	}
	q.Set("page", itoa(page))
	q.Set("per_page", itoa(perPage))
	u := "http://" + c.r.Host + c.r.URL.EscapedPath() + "?" + q.Encode()
	return "<" + u + `>; rel="` + rel + `"`
}
