package deploy

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidRequest is matched (errors.Is) by errors about the request
// itself (no project, a SHA that is not hex, ...), which callers treat as
// usage errors. Nothing was changed.
var ErrInvalidRequest = errors.New("invalid request")

// ErrUnknownCommit is matched (errors.Is) by an *UnknownCommitError.
var ErrUnknownCommit = errors.New("commit not in the project's history")

// UnknownCommitError reports a commit the GitLab project does not have,
// or has on no branch (only in a merge request, say). Nothing was changed.
type UnknownCommitError struct {
	Project string
	SHA     string
	// OnNoBranch is set when the repository has the commit but no branch
	// contains it.
	OnNoBranch bool
}

func (e *UnknownCommitError) Error() string {
	if e.OnNoBranch {
		return fmt.Sprintf("commit %s is on no branch of %s (only in a merge request?); nothing changed", e.SHA, e.Project)
	}
	return fmt.Sprintf("commit %s is not in %s's history; nothing changed", e.SHA, e.Project)
}

// Is makes errors.Is(err, ErrUnknownCommit) true.
func (e *UnknownCommitError) Is(target error) bool { return target == ErrUnknownCommit }

// LeaseError reports that the branch moved between the moment pinwheel read
// it and the push. The push was refused by git; nothing was changed.
type LeaseError struct {
	Branch string
	// Expected is what pinwheel read; "" if the branch did not exist.
	Expected string
	// Actual is where the branch is now; "" if it no longer exists.
	Actual string
}

func (e *LeaseError) Error() string {
	switch {
	case e.Expected == "":
		return fmt.Sprintf("%s was created at %s since pinwheel found it missing; nothing changed", e.Branch, e.Actual)
	case e.Actual == "":
		return fmt.Sprintf("%s was deleted since pinwheel read it at %s; nothing changed", e.Branch, e.Expected)
	}
	return fmt.Sprintf("%s moved from %s to %s since pinwheel read it; nothing changed", e.Branch, e.Expected, e.Actual)
}

// ErrNoTarget is matched (errors.Is) when a rollback finds no earlier
// successful deployment matching --steps or --to. Nothing was changed.
var ErrNoTarget = errors.New("no such earlier successful deployment")

// GitError is a failed git command. Args and Stderr are already scrubbed of
// the token and URL passwords.
type GitError struct {
	Args   []string
	Stderr string
	Err    error
}

func (e *GitError) Error() string {
	cmd := "git"
	if len(e.Args) > 0 {
		cmd += " " + e.Args[0]
	}
	if e.Stderr == "" {
		return fmt.Sprintf("%s: %v", cmd, e.Err)
	}
	var lines []string
	for _, l := range strings.Split(e.Stderr, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return fmt.Sprintf("%s: %v: %s", cmd, e.Err, strings.Join(lines, "; "))
}

func (e *GitError) Unwrap() error { return e.Err }
