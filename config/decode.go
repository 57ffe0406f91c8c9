package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Error is one problem in a config file.
type Error struct {
	File string
	Line int
	// Path is the key path, like "projects[0].schedule.timezone"; "" for
	// problems with the YAML syntax itself.
	Path string
	Msg  string
}

func (e *Error) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Path, e.Msg)
}

// Parse parses a config file's contents; filename is used in messages.
// The error, when not nil, joins one *Error per problem, ordered by line.
func Parse(filename string, data []byte) (*Config, error) {
	d := &decoder{file: filename, lines: map[string]int{}}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil && err != io.EOF {
		return nil, d.syntaxError(err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		if err != nil {
			return nil, d.syntaxError(err)
		}
		d.errorf(&extra, "", "a second YAML document; a config file holds one")
	}
	cfg := Default()
	if len(doc.Content) > 0 {
		d.config(doc.Content[0], cfg)
	}
	if len(d.errs) > 0 {
		sort.SliceStable(d.errs, func(i, j int) bool { return d.errs[i].Line < d.errs[j].Line })
		errs := make([]error, len(d.errs))
		for i, e := range d.errs {
			errs[i] = e
		}
		return nil, errors.Join(errs...)
	}
	return cfg, nil
}

// decoder walks the YAML node tree by hand instead of unmarshalling into
// tagged structs, so that every key, wrong type and bad value gets its own
// line number and key path, and decoding goes on after a problem.
type decoder struct {
	file string
	errs []*Error
	// lines holds the line of every key read, by key path, for checks that
	// span keys.
	lines map[string]int
}

// field reads the value node of one key; path is the key's path.
type field func(n *yaml.Node, path string)

func (d *decoder) errorf(n *yaml.Node, path, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Line: n.Line, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// reported reports whether a problem with path was recorded already.
func (d *decoder) reported(path string) bool {
	for _, e := range d.errs {
		if e.Path == path {
			return true
		}
	}
	return false
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func (d *decoder) syntaxError(err error) error {
	e := &Error{File: d.file, Line: 1, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		e.Msg = m[2]
	}
	return e
}

// resolve follows aliases (*anchor) to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// isNull reports whether n is an empty value ("key:" or "key: null"), which
// leaves the key at its default.
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// describe names a node's kind for "expected X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return strconv.Quote(n.Value)
	}
	return "nothing"
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// mapping reads a mapping's keys with fields, reporting unknown and
// repeated keys.
func (d *decoder) mapping(n *yaml.Node, path string, fields map[string]field) {
	n = resolve(n)
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "expected a mapping, got %s", describe(n))
		return
	}
	merged := d.merge(n, path, fields)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Tag == "!!merge" {
			continue
		}
		p := join(path, k.Value)
		if line, dup := d.lines[p]; dup && !merged[p] {
			d.errorf(k, p, "repeated key (first at line %d)", line)
			continue
		}
		delete(merged, p) // a key of the mapping's own overrides a merged one
		d.lines[p] = k.Line
		if path == "" && strings.HasPrefix(k.Value, "x-") {
			continue // a place for anchors, as in Compose files
		}
		f, ok := fields[k.Value]
		if !ok {
			d.errorf(k, p, "unknown key%s", suggest(k.Value, fields))
			continue
		}
		f(resolve(v), p)
	}
}

// merge reads the mappings named by YAML merge keys ("<<: *defaults", see
// https://yaml.org/type/merge.html) before the mapping's own keys, so that
// those override them; among merged mappings the first one listed wins. It
// returns the key paths it set.
func (d *decoder) merge(n *yaml.Node, path string, fields map[string]field) map[string]bool {
	merged := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Tag != "!!merge" {
			continue
		}
		v := resolve(n.Content[i+1])
		sources := []*yaml.Node{v}
		if v.Kind == yaml.SequenceNode {
			sources = v.Content
		}
		for _, src := range sources {
			src = resolve(src)
			if src.Kind != yaml.MappingNode {
				d.errorf(src, join(path, "<<"), "expected a mapping to merge, got %s", describe(src))
				continue
			}
			for j := 0; j+1 < len(src.Content); j += 2 {
				k, v := src.Content[j], src.Content[j+1]
				p := join(path, k.Value)
				if merged[p] {
					continue
				}
				merged[p] = true
				d.lines[p] = k.Line
				f, ok := fields[k.Value]
				if !ok {
					d.errorf(k, p, "unknown key%s", suggest(k.Value, fields))
					continue
				}
				f(resolve(v), p)
			}
		}
	}
	return merged
}

// list calls elem for each item of a sequence.
func (d *decoder) list(n *yaml.Node, path string, elem func(n *yaml.Node, path string)) {
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, path, "expected a list, got %s", describe(n))
		return
	}
	for i, item := range n.Content {
		elem(resolve(item), fmt.Sprintf("%s[%d]", path, i))
	}
}

// scalar checks that n is a single value and reports it otherwise.
func (d *decoder) scalar(n *yaml.Node, path string) bool {
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, path, "expected a single value, got %s", describe(n))
		return false
	}
	return true
}

// str reads any scalar as text (so "3.10" and 2024 stay as written), then
// runs check on it when given.
func (d *decoder) str(dst *string, check func(string) error) field {
	return func(n *yaml.Node, path string) {
		if isNull(n) || !d.scalar(n, path) {
			return
		}
		if check != nil {
			if err := check(n.Value); err != nil {
				d.errorf(n, path, "%v", err)
				return
			}
		}
		*dst = n.Value
	}
}

// strs reads a list of strings, checking each.
func (d *decoder) strs(dst *[]string, check func(string) error) field {
	return func(n *yaml.Node, path string) {
		if isNull(n) {
			return
		}
		out := []string{}
		d.list(n, path, func(item *yaml.Node, p string) {
			var s string
			d.str(&s, check)(item, p)
			out = append(out, s)
		})
		*dst = out
	}
}

// integer reads an integer no smaller than min.
func (d *decoder) integer(dst *int, min int) field {
	return func(n *yaml.Node, path string) {
		if isNull(n) || !d.scalar(n, path) {
			return
		}
		var v int
		if n.Tag != "!!int" || n.Decode(&v) != nil {
			d.errorf(n, path, "expected a whole number, got %s", describe(n))
			return
		}
		if v < min {
			d.errorf(n, path, "must be at least %d, got %d", min, v)
			return
		}
		*dst = v
	}
}

func (d *decoder) boolean(dst *bool) field {
	return func(n *yaml.Node, path string) {
		if isNull(n) || !d.scalar(n, path) {
			return
		}
		if n.Tag != "!!bool" || n.Decode(dst) != nil {
			d.errorf(n, path, "expected true or false, got %s", describe(n))
		}
	}
}

func (d *decoder) duration(dst *Duration) field {
	return func(n *yaml.Node, path string) {
		if isNull(n) || !d.scalar(n, path) {
			return
		}
		v, err := ParseDuration(n.Value)
		if err != nil {
			d.errorf(n, path, "%v", err)
			return
		}
		*dst = Duration(v)
	}
}

func (d *decoder) cron(dst *Cron) field {
	return func(n *yaml.Node, path string) {
		if isNull(n) || !d.scalar(n, path) {
			return
		}
		c, err := ParseCron(n.Value)
		if err != nil {
			d.errorf(n, path, "%v", err)
			return
		}
		*dst = c
	}
}

// suggest names the closest known key, for typos.
func suggest(key string, fields map[string]field) string {
	best, bestDist := "", 3
	for k := range fields {
		if dist := editDistance(key, k); dist < bestDist || (dist == bestDist && k < best) {
			best, bestDist = k, dist
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
