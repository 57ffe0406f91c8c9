package registry

import (
	"html"
	"net/url"
	"path"
	"strings"
)

// parseSimpleHTML reads a PEP 503 project page: one anchor per file, the
// file name as its text, a "#<alg>=<hex>" fragment with the hash, and the
// optional data-requires-python and data-yanked (PEP 592) attributes.
// It is a small tolerant scanner, not a full HTML parser: index pages are
// machine-written.
func parseSimpleHTML(body []byte, base *url.URL) (*page, error) {
	doc := string(body)
	low := asciiLower(doc)
	pg := &page{}
	for i := 0; i < len(low); {
		j := strings.IndexByte(low[i:], '<')
		if j < 0 {
			break
		}
		i += j + 1
		name := tagName(low[i:])
		if name != "a" && name != "meta" && name != "base" {
			continue
		}
		attrs, end := parseAttrs(doc, i+len(name))
		i = end
		switch name {
		case "meta":
			if strings.EqualFold(attrs["name"], "pypi:repository-version") {
				pg.apiVersion = attrs["content"]
			}
		case "base":
			if href, ok := attrs["href"]; ok {
				if u, err := base.Parse(href); err == nil {
					base = u
				}
			}
		case "a":
			href, ok := attrs["href"]
			if !ok {
				continue
			}
			// The file name is the anchor's text up to the next tag, which
			// should be "</a>". Looking no further than the next "<" keeps a
			// hostile page of unclosed anchors linear, not quadratic.
			text := ""
			k := strings.IndexByte(low[i:], '<')
			if k < 0 {
				k = len(low) - i
			}
			if strings.HasPrefix(low[i+k:], "</a") {
				text = strings.TrimSpace(html.UnescapeString(doc[i : i+k]))
			}
			i += k
			pg.files = append(pg.files, anchorFile(base, href, text, attrs))
		}
	}
	return pg, nil
}

func anchorFile(base *url.URL, href, text string, attrs map[string]string) File {
	f := File{Size: -1, RequiresPython: attrs["data-requires-python"]}
	u, err := base.Parse(href)
	if err == nil {
		if alg, hex, ok := strings.Cut(u.Fragment, "="); ok {
			f.Hashes = map[string]string{strings.ToLower(alg): strings.ToLower(hex)}
		}
		u.Fragment, u.RawFragment = "", ""
		f.URL = u.String()
	} else {
		f.URL = href
	}
	f.Filename = text
	if f.Filename == "" && u != nil {
		f.Filename = path.Base(u.Path)
	}
	if reason, ok := attrs["data-yanked"]; ok {
		f.Yanked, f.YankedReason = true, reason
	}
	if s, ok := attrs["data-size"]; ok {
		f.Size = sizeAttr(s)
	}
	return f
}

// tagName returns the tag name at the start of s (already lower case), ""
// for end tags, comments and the like.
func tagName(s string) string {
	n := 0
	for n < len(s) && (s[n] >= 'a' && s[n] <= 'z' || s[n] >= '0' && s[n] <= '9') {
		n++
	}
	if n == 0 || n == len(s) || !(isSpace(s[n]) || s[n] == '>' || s[n] == '/') {
		return ""
	}
	return s[:n]
}

// parseAttrs reads attributes from doc[i:] up to the tag's '>', returning
// them (names lower-cased, values unescaped) and the index after the tag.
func parseAttrs(doc string, i int) (map[string]string, int) {
	attrs := map[string]string{}
	for i < len(doc) {
		for i < len(doc) && (isSpace(doc[i]) || doc[i] == '/') {
			i++
		}
		if i >= len(doc) {
			break
		}
		if doc[i] == '>' {
			return attrs, i + 1
		}
		start := i
		for i < len(doc) && !isSpace(doc[i]) && doc[i] != '=' && doc[i] != '>' && doc[i] != '/' {
			i++
		}
		name := asciiLower(doc[start:i])
		for i < len(doc) && isSpace(doc[i]) {
			i++
		}
		if i >= len(doc) || doc[i] != '=' {
			attrs[name] = ""
			continue
		}
		i++
		for i < len(doc) && isSpace(doc[i]) {
			i++
		}
		var val string
		if i < len(doc) && (doc[i] == '"' || doc[i] == '\'') {
			q := doc[i]
			end := strings.IndexByte(doc[i+1:], q)
			if end < 0 {
				val, i = doc[i+1:], len(doc)
			} else {
				val, i = doc[i+1:i+1+end], i+2+end
			}
		} else {
			start := i
			for i < len(doc) && !isSpace(doc[i]) && doc[i] != '>' {
				i++
			}
			val = doc[start:i]
		}
		attrs[name] = html.UnescapeString(val)
	}
	return attrs, len(doc)
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' }

// asciiLower lower-cases ASCII letters only, so byte offsets stay valid.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
