package mrcmd

import "strings"

// Note is the part of a GitLab Note Hook (a comment) the daemon passes
// to a command handler. See https://docs.gitlab.com/user/project/integrations/webhook_events/#comment-events.
// It routes the event only: a handler must read what it acts on (the
// note's text and author, the merge request's commit) through the API.
type Note struct {
	ProjectID   int64
	ProjectPath string
	NoteID      int64
	// NoteableType is MergeRequest, Issue, Commit or Snippet.
	NoteableType string
	MRIID        int64 // merge_request.iid; 0 for other noteables
	System       bool
	// Action is create or update (GitLab 16.11+); "" before.
	Action   string
	Username string // the author, as the hook says
	Note     string // the text, as the hook says
}

// MayBeCommand reports whether the event may be a command on a merge
// request, judged from the hook alone (no GitLab call): a new (not
// edited) comment by a person, on a merge request, whose text starts
// with "@". Handlers read the note itself through the API before acting.
func (ev Note) MayBeCommand() bool {
	if ev.NoteableType != "MergeRequest" || ev.System || ev.MRIID == 0 || ev.NoteID == 0 {
		return false
	}
	if ev.Action != "" && ev.Action != "create" {
		return false // an edited comment is not a new command
	}
	return strings.HasPrefix(strings.TrimLeft(ev.Note, " \t\r\n"), "@")
}
