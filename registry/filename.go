package registry

import (
	"strings"
)

// sdistSuffixes are the archive types PyPI has accepted for sdists
// (only .tar.gz since PEP 625; the others are in old releases).
var sdistSuffixes = []string{".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".tgz", ".tbz", ".tar"}

// fileVersion reads the version out of a distribution file name of the
// project whose normal name is norm. It reports false for files of other
// projects and for names it cannot read.
//
// Wheel names escape "-" in the name part, so the version is the second
// field (https://packaging.python.org/specifications/binary-distribution-format/#file-name-convention).
// Old sdists may keep "-" in the name, so the name part is found by
// matching prefixes against the normal name, as pip does.
func fileVersion(norm, filename string) (string, bool) {
	if stem, ok := strings.CutSuffix(filename, ".whl"); ok {
		parts := strings.Split(stem, "-")
		if (len(parts) != 5 && len(parts) != 6) || !sameName(parts[0], norm) || !looksLikeVersion(parts[1]) {
			return "", false
		}
		return parts[1], true
	}
	if stem, ok := strings.CutSuffix(filename, ".egg"); ok {
		v, ok := splitNameVersion(norm, stem)
		if !ok {
			return "", false
		}
		v, _, _ = strings.Cut(v, "-py")
		return v, v != ""
	}
	lower := strings.ToLower(filename)
	for _, suf := range sdistSuffixes {
		if strings.HasSuffix(lower, suf) {
			return splitNameVersion(norm, filename[:len(filename)-len(suf)])
		}
	}
	return "", false
}

func splitNameVersion(norm, stem string) (string, bool) {
	for i := 0; i < len(stem); i++ {
		if stem[i] == '-' && sameName(stem[:i], norm) && looksLikeVersion(stem[i+1:]) {
			return stem[i+1:], true
		}
	}
	return "", false
}

// looksLikeVersion is the first character of a PEP 440 version (which may
// carry a "v" prefix): enough to tell "foo-bar-1.0" from project "foo".
func looksLikeVersion(s string) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "v"), "V")
	return s != "" && s[0] >= '0' && s[0] <= '9'
}

// sameName reports whether name's PEP 503 normal form is norm, like
// pkgname.Normalize(name) == norm without the regexp and the allocation:
// it runs for every file of every project looked up.
func sameName(name, norm string) bool {
	j := 0
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '-' || c == '_' || c == '.' {
			for i+1 < len(name) && (name[i+1] == '-' || name[i+1] == '_' || name[i+1] == '.') {
				i++
			}
			c = '-'
		} else if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if j >= len(norm) || norm[j] != c {
			return false
		}
		j++
	}
	return j == len(norm)
}
