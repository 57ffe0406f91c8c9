package mrbot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

// AutoclosedSuffix is appended to the title of a merge request pinwheel
// closes because its update is no longer needed, as Renovate does. The
// retitle also keeps the closed merge request from matching the update's
// title again, so it is never taken for one a person closed.
const AutoclosedSuffix = " - autoclosed"

// Obsolete is an open update merge request whose update is no longer
// needed.
type Obsolete struct {
	IID    int64
	Branch string
	// Title is the merge request's title, an update title (Title).
	Title string
	// Reason says why, for the note: "constraints.txt on main already pins
	// requests 2.32.4 or newer".
	Reason string
	// Known is the head pinwheel last wrote to the branch, "" when unknown.
	Known string
}

// Closed is what Close did.
type Closed struct {
	Title string
	// KeptBranch is true when the branch carries someone else's commits
	// and was left in place.
	KeptBranch bool
}

// Close closes an obsolete update merge request (Renovate's
// "autoclosed"): a note saying why, the merge request closed and
// retitled, and its branch deleted unless it carries someone else's
// commits. Each step finds what an interrupted earlier call did: the note
// is posted once, closing a closed merge request changes nothing and a
// branch already gone is fine.
func (bot *Bot) Close(ctx context.Context, o Obsolete) (Closed, error) {
	return bot.close(ctx, o, true)
}

// Dismiss is Close without its note, for a merge request closed because
// someone asked ("@pinwheel ignore this ..."): the answer to the command
// says why.
func (bot *Bot) Dismiss(ctx context.Context, o Obsolete) (Closed, error) {
	return bot.close(ctx, o, false)
}

func (bot *Bot) close(ctx context.Context, o Obsolete, withNote bool) (Closed, error) {
	exists, edited, err := bot.branchOwner(ctx, o.Branch, o.Title, o.Known)
	if err != nil {
		return Closed{}, err
	}
	kept := exists && edited
	if withNote {
		if err := bot.note(ctx, o.IID, obsoleteMarker, ObsoleteNote(o.Reason, kept), "note on obsolete MR"); err != nil {
			return Closed{}, err
		}
	}
	title := o.Title
	if !strings.HasSuffix(title, AutoclosedSuffix) {
		title += AutoclosedSuffix
	}
	if withNote {
		bot.action(fmt.Sprintf("close MR !%d as no longer needed", o.IID))
	} else {
		bot.action(fmt.Sprintf("close MR !%d: %s", o.IID, o.Reason))
	}
	if !bot.dryRun {
		if _, _, err := bot.gl.MergeRequests.UpdateMergeRequest(bot.project, o.IID, &gitlab.UpdateMergeRequestOptions{
			Title:      gitlab.Ptr(title),
			StateEvent: gitlab.Ptr("close"),
		}, gitlab.WithContext(ctx)); err != nil {
			return Closed{}, fmt.Errorf("close MR !%d: %w", o.IID, err)
		}
	}
	if exists && !edited {
		if err := bot.deleteBranch(ctx, o.Branch); err != nil {
			return Closed{}, err
		}
	}
	return Closed{Title: title, KeptBranch: kept}, nil
}

// RemoveBranch deletes the branch of a closed update merge request unless
// it carries someone else's commits: then it is left alone and the error
// wraps ErrEdited. title is the merge request's title, known the head
// pinwheel last wrote ("" when unknown). A branch already gone is fine.
func (bot *Bot) RemoveBranch(ctx context.Context, branch, title, known string) error {
	exists, edited, err := bot.branchOwner(ctx, branch, title, known)
	if err != nil || !exists {
		return err
	}
	if edited {
		return fmt.Errorf("keep branch %s: %w", branch, ErrEdited)
	}
	return bot.deleteBranch(ctx, branch)
}

// Edited reports whether the branch exists and its head is someone
// else's commit (see RemoveBranch for title and known).
func (bot *Bot) Edited(ctx context.Context, branch, title, known string) (bool, error) {
	exists, edited, err := bot.branchOwner(ctx, branch, title, known)
	return exists && edited, err
}

// Reply posts body, which must carry marker, on merge request iid unless
// a note by self (pinwheel's user id) with marker is there already: the
// answer to a command, posted once however often it is asked. Notes by
// others do not count, so nobody can keep an answer from being posted by
// writing its marker first.
func (bot *Bot) Reply(ctx context.Context, iid, self int64, marker, body string) error {
	opts := &gitlab.ListMergeRequestNotesOptions{ListOptions: gitlab.ListOptions{PerPage: 100}}
	for {
		notes, resp, err := bot.gl.Notes.ListMergeRequestNotes(bot.project, iid, opts, gitlab.WithContext(ctx))
		if err != nil {
			return fmt.Errorf("read notes of MR !%d: %w", iid, err)
		}
		for _, n := range notes {
			if n.Author.ID == self && strings.Contains(n.Body, marker) {
				return nil
			}
		}
		if resp == nil || resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	bot.action(fmt.Sprintf("answer a command on MR !%d", iid))
	if bot.dryRun {
		return nil
	}
	if _, _, err := bot.gl.Notes.CreateMergeRequestNote(bot.project, iid, &gitlab.CreateMergeRequestNoteOptions{
		Body: gitlab.Ptr(body),
	}, gitlab.WithContext(ctx)); err != nil {
		return fmt.Errorf("answer on MR !%d: %w", iid, err)
	}
	bot.posted(iid)
	return nil
}

// branchOwner reads the branch: whether it exists, and whether its head is
// someone else's commit (neither the head pinwheel recorded nor a commit
// titled as an update of the package title names).
func (bot *Bot) branchOwner(ctx context.Context, branch, title, known string) (exists, edited bool, err error) {
	br, _, err := bot.gl.Branches.GetBranch(bot.project, branch, gitlab.WithContext(ctx))
	if errors.Is(err, gitlab.ErrNotFound) {
		return false, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("read branch %s: %w", branch, err)
	}
	if br.Commit == nil {
		return true, false, nil
	}
	mine := known != "" && br.Commit.ID == known || sameUpdate(br.Commit.Title, title)
	return true, !mine, nil
}

func (bot *Bot) deleteBranch(ctx context.Context, branch string) error {
	bot.action("delete branch " + branch)
	if bot.dryRun {
		return nil
	}
	_, err := bot.gl.Branches.DeleteBranch(bot.project, branch, gitlab.WithContext(ctx))
	if err != nil && !errors.Is(err, gitlab.ErrNotFound) {
		return fmt.Errorf("delete branch %s: %w", branch, err)
	}
	return nil
}
