package testbot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/daemon"
	"github.com/pinwheel-dev/pinwheel/mdtext"
	"github.com/pinwheel-dev/pinwheel/member"
	"github.com/pinwheel-dev/pinwheel/metrics"
	"github.com/pinwheel-dev/pinwheel/state"
)

// recordID names the record of a command.
func recordID(projectID, iid, noteID int64) string {
	return fmt.Sprintf("%d!%d#%d", projectID, iid, noteID)
}

// HandleCommand handles one comment: it reads the note through the API
// and, when it is a test command for pinwheel by someone allowed, starts
// the pipeline and replies. A comment that is no command, pinwheel's own
// or a system note is ignored. Run calls it for queued notes.
//
// The comment is recorded (state.BotReceived) before the first GitLab
// call, so one that fails on the way (GitLab down) is tried again at every
// poll until it is decided, and one delivered again is handled once.
func (b *Bot) HandleCommand(ctx context.Context, ev daemon.NoteEvent) error {
	pkg, ok := b.cfg.Package(ev.ProjectPath, ev.ProjectID)
	if !ok {
		return nil
	}
	rec := state.BotTest{
		ID: recordID(ev.ProjectID, ev.MRIID, ev.NoteID), Project: ev.ProjectPath, ProjectID: ev.ProjectID,
		MRIID: ev.MRIID, NoteID: ev.NoteID, Phase: state.BotReceived, Requested: b.clock.Now(),
	}
	// HandleNote recorded it already, unless called directly.
	found, err := b.db.ClaimBotTest(rec, func(state.BotTest) bool { return false })
	if err != nil {
		return err
	}
	if found != nil {
		if found.Phase != state.BotReceived {
			return nil // handled already
		}
		rec.Requested = found.Requested
	}
	err = b.decide(ctx, rec, pkg)
	if err != nil && definite(err) && statusOf(err) != http.StatusUnauthorized {
		// GitLab will answer the same next time: give up on this one.
		b.log.WithField("test", rec.ID).WithError(err).Warn("test command dropped")
		return errors.Join(err, b.drop(rec))
	}
	return err
}

// drop records a comment that needs nothing more.
func (b *Bot) drop(rec state.BotTest) error {
	rec.Phase, rec.Finished = state.BotDone, b.clock.Now()
	return b.db.PutBotTest(rec)
}

// decide reads the comment and acts on it; rec is its received record.
func (b *Bot) decide(ctx context.Context, rec state.BotTest, pkg config.BotPackage) error {
	self, err := b.Self(ctx)
	if err != nil {
		return err
	}
	note, _, err := b.gl.Notes.GetMergeRequestNote(rec.ProjectID, rec.MRIID, rec.NoteID, gitlab.WithContext(ctx))
	if errors.Is(err, gitlab.ErrNotFound) {
		return b.drop(rec) // deleted since
	}
	if err != nil {
		return fmt.Errorf("read note %d on !%d of %s: %w", rec.NoteID, rec.MRIID, rec.Project, err)
	}
	if note.System || note.Author.ID == self.ID {
		return b.drop(rec)
	}
	cmd, perr := Parse(note.Body, self.Username)
	if errors.Is(perr, ErrNotCommand) {
		return b.drop(rec)
	}
	rec.Commenter = note.Author.Username
	ev := rec
	log := b.log.WithField("test", rec.ID)
	var bad *MalformedError
	if errors.As(perr, &bad) {
		return b.refuse(ctx, rec, metrics.RefusedMalformed, fmt.Sprintf("%s %s. Write `@%s test [key=value] ...`; a key is letters, digits and _, not starting with a digit.",
			mdtext.Code(bad.Pair, mdtext.Short), mdtext.Text(bad.Reason, mdtext.Short), self.Username))
	}
	level, err := member.Level(ctx, b.gl, ev.ProjectID, note.Author.ID)
	if err != nil {
		return err
	}
	if level < gitlab.DeveloperPermissions {
		log.WithField("user", note.Author.Username).Info("test refused: below Developer")
		return b.refuse(ctx, rec, metrics.RefusedPermission, fmt.Sprintf("tests use the team's CI resources, so only Developers (or higher) of %s may start them; you are %s.",
			mdtext.Code(ev.Project, mdtext.Short), member.Role(level)))
	}
	if err := b.prepare(ctx, &rec, pkg, cmd.Variables); err != nil {
		var r *refusal
		if errors.As(err, &r) {
			return b.refuse(ctx, rec, r.reason, r.why)
		}
		return err
	}
	_, err = b.start(ctx, rec)
	return err
}

// refusal is a command answered without a pipeline.
type refusal struct{ reason, why string }

func (r *refusal) Error() string { return r.why }

// prepare reads what is tested from the API (never from the webhook) and
// fills rec's commit, variables and digest.
func (b *Bot) prepare(ctx context.Context, rec *state.BotTest, pkg config.BotPackage, given []config.Variable) error {
	mr, _, err := b.gl.MergeRequests.GetMergeRequest(rec.ProjectID, rec.MRIID, nil, gitlab.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("read !%d of %s: %w", rec.MRIID, rec.Project, err)
	}
	if mr.State != "opened" {
		return &refusal{metrics.RefusedNotOpen, fmt.Sprintf("this merge request is %s.", mdtext.Text(mr.State, mdtext.Short))}
	}
	if mr.SHA == "" {
		return fmt.Errorf("!%d of %s has no head commit", rec.MRIID, rec.Project)
	}
	src, _, err := b.gl.Projects.GetProject(mr.SourceProjectID, nil, gitlab.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("read the source project %d of !%d: %w", mr.SourceProjectID, rec.MRIID, err)
	}
	vars, err := b.variables(rec.ID, pkg, src.HTTPURLToRepo, mr.SHA, given)
	if err != nil {
		return err
	}
	rec.SHA, rec.Variables, rec.Phase = mr.SHA, vars, state.BotTriggering
	rec.Digest = digest(rec.ProjectID, rec.MRIID, mr.SHA, vars)
	return nil
}

// variables are the pipeline's: the package's pip URL, the configured
// ones, the given ones, and the marker. Given pairs may not replace the
// first two: the configured ones tell test runs from production ones.
func (b *Bot) variables(id string, pkg config.BotPackage, url, sha string, given []config.Variable) ([]state.BotVariable, error) {
	pip := config.PipURLVariable(pkg.Name)
	vars := []state.BotVariable{{Key: pip, Value: "git+" + url + "@" + sha}}
	taken := map[string]bool{pip: true, markerVariable: true}
	for _, v := range b.cfg.Variables {
		vars = append(vars, state.BotVariable{Key: v.Key, Value: v.Value})
		taken[v.Key] = true
	}
	for _, v := range given {
		if taken[v.Key] {
			return nil, &refusal{metrics.RefusedMalformed, fmt.Sprintf("%s is set by pinwheel and cannot be given.", mdtext.Code(v.Key, mdtext.Short))}
		}
		vars = append(vars, state.BotVariable{Key: v.Key, Value: v.Value})
	}
	return append(vars, state.BotVariable{Key: markerVariable, Value: id}), nil
}

// digest identifies a merge request, commit and variable set (the marker
// aside): two commands with the same digest ask for the same pipeline.
func digest(projectID, iid int64, sha string, vars []state.BotVariable) string {
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00%d\x00%s\x00", projectID, iid, sha)
	for _, v := range vars {
		if v.Key != markerVariable {
			fmt.Fprintf(h, "%s=%q\x00", v.Key, v.Value)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// refuse answers a command that starts nothing and records it, so a
// delivery of the same note again finds it. The answer goes first: a
// crash between the two answers twice rather than never.
func (b *Bot) refuse(ctx context.Context, rec state.BotTest, reason, why string) error {
	if rec.Phase != state.BotReceived {
		// A command from the terminal: the caller prints why.
		return &refusal{reason, why}
	}
	if err := b.post(ctx, rec, renderRefusal(rec.Commenter, why)); err != nil {
		return err
	}
	b.metrics.ObserveBotRefusal(reason)
	return b.drop(rec)
}

// post adds a note to the record's merge request.
func (b *Bot) post(ctx context.Context, rec state.BotTest, body string) error {
	_, _, err := b.gl.Notes.CreateMergeRequestNote(rec.ProjectID, rec.MRIID, &gitlab.CreateMergeRequestNoteOptions{Body: gitlab.Ptr(b.scrub(body))}, gitlab.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("reply on !%d of %s: %w", rec.MRIID, rec.Project, err)
	}
	return nil
}

// start claims rec unless the same test runs already (then it links to
// that one) and triggers its pipeline.
func (b *Bot) start(ctx context.Context, rec state.BotTest) (state.BotTest, error) {
	found, err := b.db.ClaimBotTest(rec, func(old state.BotTest) bool {
		return old.Digest == rec.Digest && old.Phase != state.BotDone
	})
	if err != nil {
		return rec, err
	}
	if found != nil {
		if found.ID == rec.ID {
			return *found, nil // this very command, delivered again
		}
		b.log.WithFields(map[string]any{"test": rec.ID, "running": found.ID}).Info("test command duplicates a running test")
		dup := rec
		dup.Phase, dup.Finished, dup.Digest = state.BotDone, b.clock.Now(), ""
		if _, err := b.db.ClaimBotTest(dup, func(state.BotTest) bool { return false }); err != nil {
			return rec, err
		}
		b.metrics.ObserveBotRefusal(metrics.RefusedDuplicate)
		if rec.NoReply {
			return *found, nil
		}
		return *found, b.post(ctx, rec, renderDuplicate(rec.Commenter, *found))
	}
	return b.advance(ctx, rec)
}

// statusOf is the HTTP status of a client-go error, 0 if none.
func statusOf(err error) int {
	var er *gitlab.ErrorResponse
	if !errors.As(err, &er) {
		return 0
	}
	if er.Response != nil {
		return er.Response.StatusCode
	}
	return er.StatusCode
}

// definite reports whether a failed request certainly changed nothing and
// will fail again: a 4xx other than 429. Anything else (5xx, no answer)
// may have been applied.
func definite(err error) bool {
	code := statusOf(err)
	return code >= 400 && code < 500 && code != http.StatusTooManyRequests
}
