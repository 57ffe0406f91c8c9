package registry

import (
	"bytes"
	"net/url"
	"path"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// parseSimpleHTML reads a PEP 503 project page: one anchor per file, the
// file name as its text, a "#<alg>=<hex>" fragment with the hash, and the
// optional data-requires-python and data-yanked (PEP 592) attributes.
// Other attributes (data-core-metadata, data-dist-info-metadata, PEP 658
// and 714) are read past. It runs golang.org/x/net/html's tokenizer, which
// reads tags, attributes and character references as browsers do and in
// time linear in the page: index pages are machine-written, but a hostile
// or broken one must not make a look-up slow.
func parseSimpleHTML(body []byte, base *url.URL) (*page, error) {
	z := html.NewTokenizer(bytes.NewReader(body))
	pg := &page{}
	var anchor *tagAttrs // the open anchor, nil if none
	var text strings.Builder
	closeAnchor := func(closed bool) {
		if anchor == nil {
			return
		}
		// The file name is the anchor's text when that is plain text up
		// to "</a>"; otherwise anchorFile falls back to the URL.
		name := ""
		if closed {
			name = strings.TrimSpace(text.String())
		}
		pg.files = append(pg.files, anchorFile(base, name, anchor))
		anchor = nil
		text.Reset()
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			// io.EOF, or a page too large for the tokenizer's buffer; the
			// body is already capped by Options.MaxResponseBytes.
			closeAnchor(false)
			return pg, nil
		case html.TextToken:
			if anchor != nil {
				text.Write(z.Text())
			}
			continue
		case html.EndTagToken:
			name, _ := z.TagName()
			closeAnchor(atom.Lookup(name) == atom.A)
			continue
		case html.StartTagToken, html.SelfClosingTagToken:
		default: // comments, doctypes
			closeAnchor(false)
			continue
		}
		closeAnchor(false)
		name, hasAttr := z.TagName()
		tag := atom.Lookup(name)
		if tag != atom.A && tag != atom.Meta && tag != atom.Base {
			continue
		}
		attrs := readAttrs(z, hasAttr)
		switch tag {
		case atom.Meta:
			if strings.EqualFold(attrs.get(attrName), "pypi:repository-version") {
				pg.apiVersion = attrs.get(attrContent)
			}
		case atom.Base:
			if attrs.has(attrHref) {
				if u, err := base.Parse(attrs.get(attrHref)); err == nil {
					base = u
				}
			}
		case atom.A:
			if attrs.has(attrHref) {
				anchor = &attrs
				if tt == html.SelfClosingTagToken {
					closeAnchor(false)
				}
			}
		}
	}
}

// The attributes pinwheel reads; the others are skipped without a copy.
const (
	attrHref = iota
	attrName
	attrContent
	attrRequiresPython
	attrYanked
	attrSize
	numAttrs
)

var attrIndex = map[string]int{
	"href": attrHref, "name": attrName, "content": attrContent,
	"data-requires-python": attrRequiresPython, "data-yanked": attrYanked, "data-size": attrSize,
}

// tagAttrs holds a tag's known attributes, unescaped. The first of a
// repeated attribute wins, as in HTML.
type tagAttrs struct {
	val [numAttrs]string
	set [numAttrs]bool
}

func readAttrs(z *html.Tokenizer, more bool) tagAttrs {
	var a tagAttrs
	for more {
		var k, v []byte
		k, v, more = z.TagAttr()
		if i, ok := attrIndex[string(k)]; ok && !a.set[i] {
			a.val[i], a.set[i] = string(v), true
		}
	}
	return a
}

func (a *tagAttrs) get(i int) string { return a.val[i] }
func (a *tagAttrs) has(i int) bool   { return a.set[i] }

func anchorFile(base *url.URL, text string, attrs *tagAttrs) File {
	href := attrs.get(attrHref)
	f := File{Size: -1, RequiresPython: attrs.get(attrRequiresPython)}
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
	if attrs.has(attrYanked) {
		f.Yanked, f.YankedReason = true, attrs.get(attrYanked)
	}
	if attrs.has(attrSize) {
		f.Size = sizeAttr(attrs.get(attrSize))
	}
	return f
}
