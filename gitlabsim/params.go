package gitlabsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// params merges a request's query string with its body. client-go sends
// JSON for POST/PUT and a query string otherwise; other clients send
// form-encoded bodies, so both are accepted (GitLab's Grape does the same).
type params struct {
	query url.Values
	body  map[string]any
}

func parseParams(r *http.Request) (*params, error) {
	p := &params{query: r.URL.Query(), body: map[string]any{}}
	if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return p, nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		raw, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, fmt.Errorf("read body: %w", err)
		}
		if len(strings.TrimSpace(string(raw))) == 0 {
			return p, nil
		}
		if err := json.Unmarshal(raw, &p.body); err != nil {
			return nil, errors.New("The provided content-type 'application/json' is not supported.")
		}
	case "application/x-www-form-urlencoded", "multipart/form-data":
		if err := r.ParseMultipartForm(32 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
			return nil, fmt.Errorf("parse form: %w", err)
		}
		for k, vs := range r.PostForm {
			if strings.HasSuffix(k, "[]") || len(vs) > 1 {
				items := make([]any, len(vs))
				for i, v := range vs {
					items[i] = v
				}
				p.body[strings.TrimSuffix(k, "[]")] = items
			} else {
				p.body[k] = vs[0]
			}
		}
		if acts := formActions(r.PostForm); acts != nil {
			p.body["actions"] = acts
		}
	}
	return p, nil
}

// formActions rebuilds Rack's array-of-hashes encoding
// (actions[][action]=create&actions[][file_path]=a&...).
func formActions(form url.Values) []any {
	// url.Values keeps the order within a key but not across keys, so zip
	// the per-field lists back together.
	longest := 0
	for k, vs := range form {
		if strings.HasPrefix(k, "actions[][") {
			longest = max(longest, len(vs))
		}
	}
	if longest == 0 {
		return nil
	}
	acts := make([]any, longest)
	for i := range acts {
		acts[i] = map[string]any{}
	}
	for k, vs := range form {
		if name, ok := strings.CutPrefix(k, "actions[]["); ok {
			name = strings.TrimSuffix(name, "]")
			for i, v := range vs {
				acts[i].(map[string]any)[name] = v
			}
		}
	}
	return acts
}

func (p *params) raw(key string) (any, bool) {
	if v, ok := p.body[key]; ok && v != nil {
		return v, true
	}
	if vs, ok := p.query[key]; ok && len(vs) > 0 {
		return vs[0], true
	}
	return nil, false
}

func (p *params) has(key string) bool { _, ok := p.raw(key); return ok }

// str returns a scalar parameter as text.
func (p *params) str(key string) (string, bool) {
	v, ok := p.raw(key)
	if !ok {
		return "", false
	}
	switch v := v.(type) {
	case string:
		return v, true
	case bool:
		return strconv.FormatBool(v), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	}
	return "", false
}

func (p *params) get(key string) string { v, _ := p.str(key); return v }

// boolean follows Grape's coercion: true, "true" and "1" are true.
func (p *params) boolean(key string) bool {
	v, _ := p.str(key)
	return v == "true" || v == "1"
}

func (p *params) integer(key string) (int, bool) {
	v, ok := p.str(key)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	return n, err == nil
}

// list reads an array parameter: a JSON array, a comma-separated string
// (how client-go sends labels), or repeated key[] query values.
func (p *params) list(key string) ([]string, bool) {
	if v, ok := p.body[key]; ok && v != nil {
		return anyStrings(v), true
	}
	if vs, ok := p.query[key+"[]"]; ok {
		return vs, true
	}
	if vs, ok := p.query[key]; ok && len(vs) > 0 {
		return splitComma(vs[0]), true
	}
	return nil, false
}

func anyStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return splitComma(v)
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, splitComma(s)...)
			} else if f, ok := x.(float64); ok {
				out = append(out, strconv.FormatFloat(f, 'f', -1, 64))
			}
		}
		return out
	}
	return nil
}

func splitComma(s string) []string {
	out := []string{}
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
