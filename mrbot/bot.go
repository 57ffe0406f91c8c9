package mrbot

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/gitlabversion"
)

// Bot acts on the update branches of one GitLab project.
type Bot struct {
	gl      *gitlab.Client
	project string
	target  string
	dryRun  bool
	action  func(string)
	fields  Fields
	version *gitlabversion.Instance
	noted   func(iid int64)
}

// Options configure a Bot.
type Options struct {
	// Project is the project's path ("group/app") or numeric id.
	Project string
	// Target is the branch updates start from and merge into.
	Target string
	// DryRun reports every write through Action and sends none.
	DryRun bool
	// Action, when set, is told every write, done or (in a dry run) not.
	Action func(string)
	// Fields go on every merge request Open creates.
	Fields Fields
	// Version is the instance's version, which picks AutoMerge's
	// parameter; nil asks GitLab once for this Bot.
	Version *gitlabversion.Instance
	// Noted, when set, is told each note the Bot posted on a merge
	// request: the notes count GitLab lists then includes pinwheel's own.
	Noted func(iid int64)
}

// Fields are what new merge requests get besides title, description and
// labels: user ids (see Users) to assign and to ask for review.
type Fields struct {
	AssigneeIDs []int64
	ReviewerIDs []int64
}

// New returns a Bot that talks to GitLab through gl.
func New(gl *gitlab.Client, opts Options) *Bot {
	act := opts.Action
	if act == nil {
		act = func(string) {}
	}
	version := opts.Version
	if version == nil {
		version = gitlabversion.New(gl)
	}
	return &Bot{gl: gl, project: opts.Project, target: opts.Target, dryRun: opts.DryRun, action: act,
		fields: opts.Fields, version: version, noted: opts.Noted}
}

// File is one file an update commit writes.
type File struct {
	Path    string
	Content []byte
	// OnTarget says whether the file exists on the target branch, so the
	// commit creates or updates it.
	OnTarget bool
}

// Build is the commit one update branch should hold.
type Build struct {
	Branch  string
	Message string
	// Base is the target branch head the commit must sit on.
	Base  string
	Files []File
	// Known is the head pinwheel itself wrote with exactly these files on
	// Base, "" when unknown; a branch at Known needs no look at its files.
	Known string
	// KeepEdits leaves a branch whose head commit pinwheel did not write
	// (its title is no update title of this package) as it is, and Build
	// returns ErrEdited: a person's commits are theirs until they ask for
	// a rebuild. Without it the branch is rebuilt whatever it holds.
	KeepEdits bool
}

// ErrEdited means Build found someone else's commit on the branch and,
// as Build.KeepEdits asked, left it alone.
var ErrEdited = errors.New("the branch has commits by someone else")

// Built is the branch after Build.
type Built struct {
	// SHA is the branch head; "" in a dry run that would have written.
	SHA string
	// Wrote is true when Build committed (or, in a dry run, would have).
	Wrote bool
	// PipelineID and Pipeline are the commit's pipeline when GitLab
	// reported one with the commit (it often creates it a moment later).
	PipelineID int64
	Pipeline   string
}

// BlobID is git's object id of content, as GitLab reports it in blob_id.
func BlobID(content []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(content))
	h.Write(content)
	return hex.EncodeToString(h.Sum(nil))
}

// Build makes the branch hold one commit on b.Base writing b.Files. It
// uses the commits API with start_sha and force, so the branch is created
// or rebuilt in one request
// (https://docs.gitlab.com/api/commits/#create-a-commit-with-multiple-files-and-actions),
// and skips the commit when the branch is already what it would build.
//
// start_sha, not start_branch: the files were computed from b.Base, and a
// commit on a target head that moved since would write them over the newer
// target's changes, reverting them in the merge request. On b.Base the
// merge request merges cleanly instead, and the caller rebuilds it when
// the target's copy of the files changes.
func (bot *Bot) Build(ctx context.Context, b Build) (Built, error) {
	head, same, err := bot.upToDate(ctx, b)
	if err != nil {
		return Built{}, err
	}
	if same {
		return Built{SHA: head}, nil
	}
	bot.action(fmt.Sprintf("commit to branch %s: %s", b.Branch, firstLine(b.Message)))
	if bot.dryRun {
		return Built{Wrote: true}, nil
	}
	actions := make([]*gitlab.CommitActionOptions, 0, len(b.Files))
	for _, f := range b.Files {
		action := gitlab.FileCreate
		if f.OnTarget {
			action = gitlab.FileUpdate
		}
		actions = append(actions, &gitlab.CommitActionOptions{
			Action:   gitlab.Ptr(action),
			FilePath: gitlab.Ptr(f.Path),
			Content:  gitlab.Ptr(string(f.Content)),
		})
	}
	c, _, err := bot.gl.Commits.CreateCommit(bot.project, &gitlab.CreateCommitOptions{
		Branch:        gitlab.Ptr(b.Branch),
		CommitMessage: gitlab.Ptr(b.Message),
		StartSHA:      gitlab.Ptr(b.Base),
		Force:         gitlab.Ptr(true),
		Actions:       actions,
	}, gitlab.WithContext(ctx))
	if err != nil {
		return Built{}, fmt.Errorf("commit to branch %s: %w", b.Branch, err)
	}
	out := Built{SHA: c.ID, Wrote: true}
	if c.LastPipeline != nil {
		out.PipelineID, out.Pipeline = c.LastPipeline.ID, c.LastPipeline.Status
	}
	return out, nil
}

// upToDate reports whether the branch already is b: one commit on b.Base
// whose files have the contents b writes.
func (bot *Bot) upToDate(ctx context.Context, b Build) (head string, same bool, err error) {
	br, _, err := bot.gl.Branches.GetBranch(bot.project, b.Branch, gitlab.WithContext(ctx))
	if errors.Is(err, gitlab.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read branch %s: %w", b.Branch, err)
	}
	if br.Commit == nil {
		return "", false, nil
	}
	if b.KeepEdits && !sameUpdate(br.Commit.Title, b.Message) {
		return "", false, fmt.Errorf("branch %s at %s: %w", b.Branch, br.Commit.ShortID, ErrEdited)
	}
	if !slices.Equal(br.Commit.ParentIDs, []string{b.Base}) {
		return "", false, nil
	}
	head = br.Commit.ID
	if b.Known != "" && head == b.Known {
		return head, true, nil
	}
	for _, f := range b.Files {
		meta, _, err := bot.gl.RepositoryFiles.GetFileMetaData(bot.project, f.Path,
			&gitlab.GetFileMetaDataOptions{Ref: gitlab.Ptr(head)}, gitlab.WithContext(ctx))
		if errors.Is(err, gitlab.ErrNotFound) {
			return head, false, nil
		}
		if err != nil {
			return "", false, fmt.Errorf("read %s on branch %s: %w", f.Path, b.Branch, err)
		}
		if meta.BlobID != BlobID(f.Content) {
			return head, false, nil
		}
	}
	return head, true, nil
}

// sameUpdate reports whether a commit title is an update title of the
// package message's first line names: "Update requests to 2.32.4" and
// "Update requests to 2.32.5" are; a person's "Fix the tests" is not.
func sameUpdate(title, message string) bool {
	if g, ok := ParseGroupTitle(title); ok {
		mine, mineOK := ParseGroupTitle(firstLine(message))
		return mineOK && g == mine
	}
	name, _, ok := ParseTitle(title)
	mine, _, mineOK := ParseTitle(firstLine(message))
	return ok && mineOK && name == mine
}

// MergeRequest is what the scheduler needs of a merge request.
type MergeRequest struct {
	IID       int64
	Title     string
	State     string
	SHA       string
	WebURL    string
	UpdatedAt time.Time
	// UserNotes is GitLab's user_notes_count (notes by people, system
	// notes not counted). Only a listing's is stored: the command
	// catch-up compares it between listings (scheduler/commands_catchup.go).
	UserNotes int64
}

// FromGitLab is what the scheduler needs of a merge request as client-go
// returns it.
func FromGitLab(mr *gitlab.BasicMergeRequest) MergeRequest {
	out := MergeRequest{IID: mr.IID, Title: mr.Title, State: mr.State, SHA: mr.SHA, WebURL: mr.WebURL, UserNotes: mr.UserNotesCount}
	if mr.UpdatedAt != nil {
		out.UpdatedAt = *mr.UpdatedAt
	}
	return out
}

// Open creates the merge request from branch to the target. When GitLab
// already has an open one for the branch (409, say after an interrupted
// run), Open returns that one instead.
func (bot *Bot) Open(ctx context.Context, branch, title, description string, labels []string) (MergeRequest, error) {
	bot.action(fmt.Sprintf("open MR %q from %s", title, branch))
	if bot.dryRun {
		return MergeRequest{Title: title, State: "opened"}, nil
	}
	opts := &gitlab.CreateMergeRequestOptions{
		Title:        gitlab.Ptr(title),
		Description:  gitlab.Ptr(description),
		SourceBranch: gitlab.Ptr(branch),
		TargetBranch: gitlab.Ptr(bot.target),
		// Update branches are pinwheel's; GitLab removes them on merge.
		RemoveSourceBranch: gitlab.Ptr(true),
	}
	if len(labels) > 0 {
		opts.Labels = gitlab.Ptr(gitlab.LabelOptions(labels))
	}
	if len(bot.fields.AssigneeIDs) > 0 {
		opts.AssigneeIDs = gitlab.Ptr(bot.fields.AssigneeIDs)
	}
	if len(bot.fields.ReviewerIDs) > 0 {
		opts.ReviewerIDs = gitlab.Ptr(bot.fields.ReviewerIDs)
	}
	mr, _, err := bot.gl.MergeRequests.CreateMergeRequest(bot.project, opts, gitlab.WithContext(ctx))
	if err == nil {
		return FromGitLab(&mr.BasicMergeRequest), nil
	}
	var er *gitlab.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil || er.Response.StatusCode != http.StatusConflict {
		return MergeRequest{}, fmt.Errorf("open MR from %s: %w", branch, err)
	}
	list, _, lerr := bot.gl.MergeRequests.ListProjectMergeRequests(bot.project, &gitlab.ListProjectMergeRequestsOptions{
		State:        gitlab.Ptr("opened"),
		SourceBranch: gitlab.Ptr(branch),
		TargetBranch: gitlab.Ptr(bot.target),
	}, gitlab.WithContext(ctx))
	if lerr != nil {
		return MergeRequest{}, fmt.Errorf("open MR from %s: find the existing one: %w", branch, lerr)
	}
	if len(list) == 0 {
		return MergeRequest{}, fmt.Errorf("open MR from %s: %w", branch, err)
	}
	return FromGitLab(list[0]), nil
}

// Update sets the merge request's title and description.
func (bot *Bot) Update(ctx context.Context, iid int64, title, description string) (MergeRequest, error) {
	bot.action(fmt.Sprintf("update MR !%d: %q", iid, title))
	if bot.dryRun {
		return MergeRequest{IID: iid, Title: title, State: "opened"}, nil
	}
	mr, _, err := bot.gl.MergeRequests.UpdateMergeRequest(bot.project, iid, &gitlab.UpdateMergeRequestOptions{
		Title:       gitlab.Ptr(title),
		Description: gitlab.Ptr(description),
	}, gitlab.WithContext(ctx))
	if err != nil {
		return MergeRequest{}, fmt.Errorf("update MR !%d: %w", iid, err)
	}
	return FromGitLab(&mr.BasicMergeRequest), nil
}

// AutoMerge asks GitLab to merge the merge request once its pipeline
// succeeds, with the one parameter the instance reads
// (gitlabversion.AutoMergeParam: auto_merge from GitLab 17.11,
// merge_when_pipeline_succeeds before). sha pins the head the request is
// about, so a branch rebuilt since is not merged unseen.
func (bot *Bot) AutoMerge(ctx context.Context, iid int64, sha string) error {
	bot.action(fmt.Sprintf("set auto-merge on MR !%d", iid))
	if bot.dryRun {
		return nil
	}
	v, err := bot.version.Version(ctx)
	if err != nil {
		return fmt.Errorf("set auto-merge on MR !%d: %w", iid, err)
	}
	opts := &gitlab.AcceptMergeRequestOptions{}
	if gitlabversion.AutoMergeParam(v) == gitlabversion.ParamAutoMerge {
		opts.AutoMerge = gitlab.Ptr(true)
	} else {
		opts.MergeWhenPipelineSucceeds = gitlab.Ptr(true)
	}
	if sha != "" {
		opts.SHA = gitlab.Ptr(sha)
	}
	if _, _, err := bot.gl.MergeRequests.AcceptMergeRequest(bot.project, iid, opts, gitlab.WithContext(ctx)); err != nil {
		return fmt.Errorf("set auto-merge on MR !%d: %w", iid, err)
	}
	return nil
}

// NoteClosed posts the "closed without merging" note on a merge request,
// unless one is there already (a run interrupted after posting it).
func (bot *Bot) NoteClosed(ctx context.Context, iid int64, name, version string) error {
	return bot.note(ctx, iid, closedMarker, ClosedNote(name, version), "note on closed MR")
}

// note posts body (which carries marker) on a merge request unless a note
// with marker is there already.
func (bot *Bot) note(ctx context.Context, iid int64, marker, body, what string) error {
	notes, _, err := bot.gl.Notes.ListMergeRequestNotes(bot.project, iid, &gitlab.ListMergeRequestNotesOptions{
		ListOptions: gitlab.ListOptions{PerPage: 100},
	}, gitlab.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("read notes of MR !%d: %w", iid, err)
	}
	for _, n := range notes {
		if strings.Contains(n.Body, marker) {
			return nil
		}
	}
	bot.action(fmt.Sprintf("%s !%d", what, iid))
	if bot.dryRun {
		return nil
	}
	if _, _, err := bot.gl.Notes.CreateMergeRequestNote(bot.project, iid, &gitlab.CreateMergeRequestNoteOptions{
		Body: gitlab.Ptr(body),
	}, gitlab.WithContext(ctx)); err != nil {
		return fmt.Errorf("note on MR !%d: %w", iid, err)
	}
	bot.posted(iid)
	return nil
}

// posted tells Options.Noted of a note posted on merge request iid.
func (bot *Bot) posted(iid int64) {
	if bot.noted != nil {
		bot.noted(iid)
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
