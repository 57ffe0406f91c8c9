// Package mrcmd reads the commands people write in comments on pinwheel's
// own update merge requests: "@pinwheel rebase", "@pinwheel recreate" and
// "@pinwheel ignore this major|minor|version|dependency" (Dependabot's
// comment commands, https://docs.github.com/en/code-security/dependabot/working-with-dependabot/managing-pull-requests-for-dependency-updates#managing-dependabot-pull-requests-with-comment-commands).
//
// It owns the grammar only: Parse is a pure function from a comment's text
// to a Command. Who may give a command, on which merge request, and what
// running it does live with the run (package scheduler); Addressed, the
// "@<bot> " prefix both this grammar and the test bot's use, lives here.
package mrcmd

import (
	"errors"
	"regexp"
	"sort"
	"strings"
)

// Kind is what a command asks for.
type Kind string

// Kinds of commands.
const (
	// Rebase rebuilds the branch on the current target, unless a person
	// pushed to it.
	Rebase Kind = "rebase"
	// Recreate rebuilds the branch even over a person's commits, and opens
	// again a merge request closed without merging.
	Recreate Kind = "recreate"
	// IgnoreMajor, IgnoreMinor, IgnoreVersion and IgnoreDependency close
	// the merge request and stop offering, for the package, every release
	// of the update's major line, of its minor line, the update's version,
	// or anything at all.
	IgnoreMajor      Kind = "ignore-major"
	IgnoreMinor      Kind = "ignore-minor"
	IgnoreVersion    Kind = "ignore-version"
	IgnoreDependency Kind = "ignore-dependency"
	// Unknown is "@<bot> <something else>": answered with the help text.
	Unknown Kind = "unknown"
)

// Command is a parsed comment.
type Command struct {
	Kind Kind
	// Words is the command as written after the mention, blanks
	// collapsed (for an Unknown command's answer); at most MaxWords words.
	Words string
	// Package is the package an ignore command names after its words
	// ("ignore this version requests"), as written; "" when none. On a
	// group merge request it picks the member.
	Package string
}

// MaxWords bounds the words of a command kept in Command.Words.
const MaxWords = 6

// ErrNotCommand means the comment does not address the bot, or asks for
// what another part of pinwheel answers ("@pinwheel test", the test bot).
var ErrNotCommand = errors.New("not a merge request command")

// Addressed reports whether text starts (after blanks) with "@<bot>"
// followed by a blank or the end, the name compared as GitLab compares
// usernames (case-insensitively), and returns the rest of that first
// line. "@pinwheelbot rebase" does not address "pinwheel".
func Addressed(text, bot string) (rest string, ok bool) {
	line, _, _ := strings.Cut(strings.TrimLeft(text, " \t\r\n"), "\n")
	line = strings.TrimRight(line, "\r")
	prefix := "@" + bot
	if bot == "" || len(line) < len(prefix) || !strings.EqualFold(line[:len(prefix)], prefix) {
		return "", false
	}
	rest = line[len(prefix):]
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return "", false
	}
	return rest, true
}

// commands maps the words of each command, lower-cased, to its kind.
var commands = map[string]Kind{
	"rebase":                    Rebase,
	"recreate":                  Recreate,
	"ignore this major":         IgnoreMajor,
	"ignore this major version": IgnoreMajor,
	"ignore this minor":         IgnoreMinor,
	"ignore this minor version": IgnoreMinor,
	"ignore this version":       IgnoreVersion,
	"ignore this dependency":    IgnoreDependency,
}

// Parse reads a comment. A command is the first line: "@<bot>" (see
// Addressed) and the command's words, separated by blanks, in any case;
// a trailing "." or "!" is allowed. Later lines are free text, so a
// person may explain why. Any other words after the mention make an
// Unknown command; "@<bot> test" and a bare "@<bot>" are ErrNotCommand
// (the first is the test bot's, the second a mention, not a request).
func Parse(text, bot string) (Command, error) {
	rest, ok := Addressed(text, bot)
	if !ok {
		return Command{}, ErrNotCommand
	}
	words := strings.Fields(rest)
	if len(words) == 0 || strings.EqualFold(words[0], "test") {
		return Command{}, ErrNotCommand
	}
	if len(words) > MaxWords {
		words = words[:MaxWords]
	}
	said := strings.Join(words, " ")
	key := strings.ToLower(strings.TrimRight(said, ".!"))
	if k, ok := commands[key]; ok {
		return Command{Kind: k, Words: said}, nil
	}
	// "ignore this <what> <package>": the longest phrase first, so
	// "ignore this major version x" names x.
	for _, phrase := range ignorePhrases {
		name, ok := strings.CutPrefix(key, phrase+" ")
		if ok && packageName.MatchString(name) {
			return Command{Kind: commands[phrase], Words: said, Package: strings.TrimRight(words[len(words)-1], ".!")}, nil
		}
	}
	return Command{Kind: Unknown, Words: said}, nil
}

// packageName is a PEP 508 distribution name.
var packageName = regexp.MustCompile(`^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$`)

// ignorePhrases are the ignore commands' words, longest first.
var ignorePhrases = func() []string {
	var out []string
	for words, k := range commands {
		if k.Ignores() {
			out = append(out, words)
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) || len(out[i]) == len(out[j]) && out[i] < out[j] })
	return out
}()

// Ignores reports whether k is one of the ignore commands.
func (k Kind) Ignores() bool {
	switch k {
	case IgnoreMajor, IgnoreMinor, IgnoreVersion, IgnoreDependency:
		return true
	}
	return false
}

// Help is the list of commands, as the answer to an Unknown one shows it
// (markdown).
func Help(bot string) string {
	b := "`@" + bot + "`"
	return "- " + b + " rebase: rebuild this merge request's branch on the current target branch (not if someone else pushed to it)\n" +
		"- " + b + " recreate: rebuild it from scratch, dropping commits others pushed (or open it again when it was closed)\n" +
		"- " + b + " ignore this major / ignore this minor / ignore this version: close it, and offer no release of that major line, minor line or version\n" +
		"- " + b + " ignore this dependency: close it, and offer no update of this package\n" +
		"- on a group merge request, name the package: " + b + " ignore this version <package> (or major, minor, dependency) leaves that member out and rebuilds the group; " + b + " ignore this major / minor without a name applies to every member and closes it\n" +
		"\nOnly Developers (or higher) of the project may give these commands. An ignore rule is listed under \"Closed / Ignored\" on the dependency dashboard, with a box that lifts it.\n"
}
