package testbot

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/mrcmd"
)

// Command is a parsed "@<bot> test [key=value] ..." comment.
type Command struct {
	// Variables are the [key=value] pairs, in the order written.
	Variables []config.Variable
}

// ErrNotCommand means the text is not a test command for the bot.
var ErrNotCommand = errors.New("not a test command")

// MalformedError is a command whose pairs cannot be used; Pair is the
// first bad one as written.
type MalformedError struct {
	Pair   string
	Reason string
}

func (e *MalformedError) Error() string {
	return fmt.Sprintf("%s: %s", e.Pair, e.Reason)
}

// Parse reads a comment. It is a command when its text starts (after
// blanks) with "@<bot> test", the name compared as GitLab compares
// usernames (case-insensitively), and "test" followed by the end or a
// blank. The rest of that line holds [key=value] pairs separated by
// blanks; a value may hold anything but "]" and a line break. Later lines
// are free text. Keys follow config.ValidVariableName, and each may be
// given once.
func Parse(text, bot string) (Command, error) {
	// "@pinwheelbot test" must not be "@pinwheel" + "bot test".
	rest, ok := mrcmd.Addressed(text, bot)
	if !ok {
		return Command{}, ErrNotCommand
	}
	word, ok := strings.CutPrefix(strings.TrimLeft(rest, " \t"), "test")
	if !ok {
		return Command{}, ErrNotCommand
	}
	if word != "" && word[0] != ' ' && word[0] != '\t' {
		return Command{}, ErrNotCommand // "@pinwheel testing"
	}
	var cmd Command
	seen := map[string]bool{}
	for rest := strings.TrimSpace(word); rest != ""; rest = strings.TrimLeft(rest, " \t") {
		if rest[0] != '[' {
			tok, _, _ := strings.Cut(rest, " ")
			return Command{}, &MalformedError{Pair: tok, Reason: "is not a [key=value] pair"}
		}
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return Command{}, &MalformedError{Pair: rest, Reason: "has no closing ]"}
		}
		pair := rest[:end+1]
		rest = rest[end+1:]
		key, value, ok := strings.Cut(pair[1:end], "=")
		switch {
		case !ok:
			return Command{}, &MalformedError{Pair: pair, Reason: "has no = between key and value"}
		case !config.ValidVariableName(key):
			return Command{}, &MalformedError{Pair: pair, Reason: "the key must be letters, digits and _, not starting with a digit"}
		case seen[key]:
			return Command{}, &MalformedError{Pair: pair, Reason: "sets " + key + " a second time"}
		}
		seen[key] = true
		cmd.Variables = append(cmd.Variables, config.Variable{Key: key, Value: value})
	}
	return cmd, nil
}
