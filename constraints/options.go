package constraints

import (
	"fmt"
	"strings"
)

// lineOptions are the options pip accepts on a line of their own in a
// requirements file (pip/_internal/req/req_file.py, SUPPORTED_OPTIONS),
// with whether they take a value. pinwheel keeps them verbatim.
var lineOptions = map[string]bool{
	"-r": true, "--requirement": true,
	"-c": true, "--constraint": true,
	"-e": true, "--editable": true,
	"-i": true, "--index-url": true,
	"--extra-index-url": true,
	"--no-index":        false,
	"-f":                true, "--find-links": true,
	"--no-binary":      true,
	"--only-binary":    true,
	"--prefer-binary":  false,
	"--require-hashes": false,
	"--pre":            false,
	"--trusted-host":   true,
	"--use-feature":    true,
}

// requirementOptions are the options pip accepts after a requirement on
// its line (SUPPORTED_OPTIONS_REQ).
var requirementOptions = map[string]bool{
	"--hash":            true,
	"-C":                true,
	"--config-settings": true,
	"--global-option":   true,
}

// optionName returns the option a token starts with: "--name" up to "=",
// or the two-character short option ("-rfile" is "-r" with "file").
func optionName(tok string) string {
	if strings.HasPrefix(tok, "--") {
		name, _, _ := strings.Cut(tok, "=")
		return name
	}
	if len(tok) > 2 {
		return tok[:2]
	}
	return tok
}

// knownOption resolves name among opts as optparse does: an exact match,
// or a long option's unambiguous prefix ("--extra-index" for
// "--extra-index-url"). It returns the full name and whether it takes a
// value.
func knownOption(name string, opts map[string]bool) (string, bool, bool) {
	if v, ok := opts[name]; ok {
		return name, v, true
	}
	if !strings.HasPrefix(name, "--") || len(name) < 3 {
		return "", false, false
	}
	var match string
	for o := range opts {
		if strings.HasPrefix(o, name) {
			if match != "" {
				return "", false, false // ambiguous: optparse refuses it too
			}
			match = o
		}
	}
	if match == "" {
		return "", false, false
	}
	return match, opts[match], true
}

// checkOptions reports the first token among toks (text offsets into
// text) that is an option pip does not accept in opts. Values of options
// that take one are skipped.
func checkOptions(text []byte, toks []token, opts map[string]bool) error {
	for i := 0; i < len(toks); i++ {
		s := string(text[toks[i].start:toks[i].end])
		if !strings.HasPrefix(s, "-") {
			continue
		}
		name := optionName(s)
		_, takesValue, ok := knownOption(name, opts)
		if !ok {
			return fmt.Errorf("%w: %s", ErrUnknownOption, name)
		}
		attached := len(s) > len(name)
		if takesValue && !attached {
			i++ // "-r file": the next token is the value
		}
	}
	return nil
}

// reference returns the file an option line names with -r/-c, or false
// for other options and for URLs (pip fetches those; they are not files
// of the repository).
func reference(text []byte, toks []token) (Reference, bool) {
	first := string(text[toks[0].start:toks[0].end])
	name := optionName(first)
	full, _, ok := knownOption(name, lineOptions)
	if !ok {
		return Reference{}, false
	}
	switch full {
	case "-r", "--requirement", "-c", "--constraint":
	default:
		return Reference{}, false
	}
	value := first[len(name):]
	if strings.HasPrefix(name, "--") {
		value = strings.TrimPrefix(value, "=")
	}
	if value == "" && len(toks) > 1 {
		value = string(text[toks[1].start:toks[1].end])
	}
	if value == "" || strings.Contains(value, "://") {
		return Reference{}, false
	}
	return Reference{Option: name, Path: value}, true
}
