package scheduler

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/dashboard"
	"github.com/pinwheel-dev/pinwheel/mdtext"
	"github.com/pinwheel-dev/pinwheel/member"
	"github.com/pinwheel-dev/pinwheel/metrics"
	"github.com/pinwheel-dev/pinwheel/mrcmd"
	"github.com/pinwheel-dev/pinwheel/state"
)

// Commands on pinwheel's own merge requests ("@pinwheel rebase", ...; see
// package mrcmd) are answered by the project's run. The webhook only
// records the comment (HandleNote) and triggers the run; the run reads
// the note, the merge request and the commenter's access through the API
// (never trusting the hook's body), answers with one note and marks the
// record done. A rebase or recreate becomes a tick of the update's box
// for this very run, answered (and the record marked done) only once the
// run did it: a rebuild that fails, or that the run does not reach (its
// branch not computed, held), leaves the command for the next run, which
// reads it again; an ignore rule is stored and applied to this run's
// plan. A comment delivered again finds its record and is not handled
// again; a run that fails before answering leaves it for the next run;
// the answer carries the record's id, so a run that posted it and died
// before marking the record does not post it twice.

// commandsKeptFor is how long a handled comment's record is kept, so a
// late redelivery of its webhook still finds it (GitLab retries for
// hours at most).
const commandsKeptFor = 30 * 24 * time.Hour

// HandleNote is a daemon.CommandHandler (it takes the
// daemon's note events as mrcmd.Note): it records a comment on a
// merge request of a configured project that may address pinwheel and
// names the project to run; everything else, and a comment handled
// already, is not taken. It makes no GitLab call.
func (r *Runner) HandleNote(ev mrcmd.Note) (string, bool) {
	if !ev.MayBeCommand() {
		return "", false
	}
	path, ok := r.configured(ev)
	if !ok {
		return "", false
	}
	r.mu.Lock()
	self := r.botUsername
	r.mu.Unlock()
	if self == "" {
		// Not asked this process yet: the name a run learnt before.
		self, _ = r.deps.State.BotUsername()
	}
	if self == "" {
		// Name unknown: take a known command to whoever is mentioned
		// (the run tells whether that is pinwheel), not every mention;
		// anything else a later run's catch-up finds.
		name, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimLeft(ev.Note, " \t\r\n"), "@"), " ")
		if cmd, err := mrcmd.Parse(ev.Note, name); err != nil || cmd.Kind == mrcmd.Unknown {
			return "", false
		}
	} else if _, err := mrcmd.Parse(ev.Note, self); err != nil {
		// Not one (the hook's text is only a hint: the run reads the
		// note itself before acting).
		return "", false
	}
	rec := state.MRCommand{
		ID: state.CommandID(ev.ProjectID, ev.MRIID, ev.NoteID), Project: path, ProjectID: ev.ProjectID,
		MRIID: ev.MRIID, NoteID: ev.NoteID, Received: r.deps.Clock(),
	}
	found, err := r.deps.State.ReceiveCommand(rec)
	if err != nil {
		// Without a record the run cannot see it; GitLab retries a
		// delivery that fails, so refuse this one.
		r.deps.Log.WithError(err).Warn("cannot record a merge request command")
		return "", false
	}
	if found != nil && found.Done {
		return "", false // GitLab delivered it again
	}
	return path, true
}

// configured is the project an event is from, among those the Runner
// runs (configured, autodiscovered, this shard's): by path, as GitLab
// routes it (case-insensitively), or by numeric ID.
func (r *Runner) configured(ev mrcmd.Note) (string, bool) {
	id := strconv.FormatInt(ev.ProjectID, 10)
	for _, p := range r.Projects() {
		if strings.EqualFold(p.Path, ev.ProjectPath) || p.Path == id {
			return p.Path, true
		}
	}
	return "", false
}

// commands answers the project's recorded comments. A GitLab failure that
// may pass leaves the comment for the next run (and on the dashboard's
// Errors); one that will not (a note deleted since, a 403) drops it.
func (run *projectRun) commands(ctx context.Context) error {
	if run.r.deps.DryRun {
		return nil
	}
	db := run.r.deps.State
	if err := db.PruneCommands(run.now.Add(-commandsKeptFor)); err != nil {
		return err
	}
	pending, err := db.PendingCommands(run.p.Path)
	if err != nil {
		return err
	}
	return run.handleCommands(ctx, pending, false)
}

// handleCommands answers recorded comments (late: found by the run's
// catch-up, after the plan was made; see catchUpCommands).
func (run *projectRun) handleCommands(ctx context.Context, pending []state.MRCommand, late bool) error {
	db := run.r.deps.State
	for _, rec := range pending {
		kind, result, err := run.command(ctx, rec, late)
		log := run.log.WithFields(logrus.Fields{"command": rec.ID, "kind": kind})
		switch {
		case err != nil && ctx.Err() != nil:
			return err
		case err != nil && fatal(err):
			// Kept for the next run, which may find GitLab well again;
			// the rest of this run goes on (and fails by itself if
			// GitLab is down).
			log.WithError(err).Warn("merge request command failed; the next run tries again")
			run.problems = append(run.problems, dashboard.Problem{
				Kind: dashboard.ProblemAPI, Subject: fmt.Sprintf("command on !%d", rec.MRIID), Message: err.Error(),
			})
			continue
		case err != nil:
			log.WithError(err).Warn("merge request command dropped")
			kind, result = firstNonEmpty(kind, "unknown"), metrics.CommandDropped
		case result == commandWaiting:
			log.Debug("merge request command waits for this run's rebuild")
			continue
		case result == commandNextRun:
			log.Info("merge request command found late; the next run carries it out")
			continue
		}
		rec.Done, rec.Result, rec.Finished = true, result, run.r.deps.Clock()
		if err := db.PutCommand(rec); err != nil {
			return err
		}
		if result != "" {
			log.WithField("result", result).Info("merge request command handled")
			run.r.deps.Metrics.ObserveMRCommand(kind, result)
		}
	}
	return nil
}

// command handles one comment and says what it was and how it ended;
// result "" means it was no command at all (pinwheel's own note, a
// mention).
func (run *projectRun) command(ctx context.Context, rec state.MRCommand, late bool) (kind, result string, err error) {
	self, err := run.r.BotUsername(ctx)
	if err != nil {
		return "", "", err
	}
	note, _, err := run.gl.Notes.GetMergeRequestNote(run.p.Path, rec.MRIID, rec.NoteID, gitlab.WithContext(ctx))
	if err != nil {
		return "", "", fmt.Errorf("read note %d on !%d: %w", rec.NoteID, rec.MRIID, err)
	}
	if note.System || note.Author.ID == run.rec.UserID {
		return "", "", nil
	}
	cmd, err := mrcmd.Parse(note.Body, self)
	if errors.Is(err, mrcmd.ErrNotCommand) {
		return "", "", nil
	}
	kind = string(cmd.Kind)
	mr, _, err := run.gl.MergeRequests.GetMergeRequest(run.p.Path, rec.MRIID, nil, gitlab.WithContext(ctx))
	if err != nil {
		return kind, "", fmt.Errorf("read !%d: %w", rec.MRIID, err)
	}
	if mr.Author == nil || mr.Author.ID != run.rec.UserID || !strings.HasPrefix(mr.SourceBranch, run.p.BranchPrefix) {
		// Not pinwheel's merge request: not pinwheel's to answer.
		return kind, metrics.CommandForeign, nil
	}
	c := &mrCommand{run: run, rec: rec, mr: mr, who: note.Author.Username, whoID: note.Author.ID, self: self, late: late}
	// The project's ID as GitLab says, not as the webhook did.
	level, err := member.Level(ctx, run.gl, mr.ProjectID, note.Author.ID)
	if err != nil {
		return kind, "", err
	}
	if level < gitlab.DeveloperPermissions {
		return kind, metrics.CommandPermission, c.refusePermission(ctx, level)
	}
	result, err = c.do(ctx, cmd)
	return kind, result, err
}

// refusePermission answers a command from someone below Developer. Like
// Dependabot ("only users with push access"), a member is told why
// nothing happens, once per merge request (the record keeps who was), so
// more commands do not make pinwheel repeat itself; a non-member is not
// answered at all, so that anyone who can comment (a public project)
// cannot make pinwheel write notes.
func (c *mrCommand) refusePermission(ctx context.Context, level gitlab.AccessLevelValue) error {
	if level <= gitlab.NoPermissions {
		return nil
	}
	branch, rec, ok := c.run.recordOf(c.rec.MRIID)
	if ok && slices.Contains(rec.Refused, c.whoID) {
		return nil
	}
	if err := c.answer(ctx, fmt.Sprintf("only Developers (or higher) of this project may give pinwheel commands; you are %s.", member.Role(level))); err != nil {
		return err
	}
	if ok && !c.run.r.deps.DryRun {
		rec = c.run.rec.MergeRequests[branch]
		rec.Refused = append(slices.Clip(rec.Refused), c.whoID)
		c.run.rec.MergeRequests[branch] = rec
	}
	return nil
}

// commandWaiting is the result of a command that the run's act carries
// out: it is answered (answerWaiting) only once it has been.
const commandWaiting = "waiting"

// commandNextRun is the result of a command left pending for the next
// run (an ignore found by the catch-up).
const commandNextRun = "next-run"

// waitingCommand is a rebase or recreate this run ticked: done once act
// consumed box, then answered with text; or with unchanged, when set and
// the branch's recorded head is still before (act found the branch on
// the current target with these files and wrote nothing).
type waitingCommand struct {
	c          *mrCommand
	kind, text string
	box        dashboard.Box
	unchanged  string
	before     string
}

// wait ticks box for this run and leaves the command pending until act
// has consumed it.
func (c *mrCommand) wait(kind mrcmd.Kind, box dashboard.Box, text string) (string, error) {
	return c.waitFor(waitingCommand{c: c, kind: string(kind), text: text, box: box})
}

func (c *mrCommand) waitFor(w waitingCommand) (string, error) {
	c.run.ticks = c.run.ticks.With(w.box)
	c.run.waiting = append(c.run.waiting, w)
	return commandWaiting, nil
}

// reply is the answer to a waiting command act carried out.
func (w waitingCommand) reply(run *projectRun) string {
	if w.unchanged != "" && w.before != "" && run.rec.MergeRequests[w.box.Branch].BuiltSHA == w.before {
		return w.unchanged
	}
	return w.text
}

// answerWaiting answers the commands act carried out and marks them done;
// the others stay pending for the next run, which reads them again.
func (run *projectRun) answerWaiting(ctx context.Context) error {
	for _, w := range run.waiting {
		log := run.log.WithFields(logrus.Fields{"command": w.c.rec.ID, "kind": w.kind})
		if !run.consumed[w.box] {
			log.Info("merge request command not carried out in this run; the next run tries again")
			continue
		}
		if err := w.c.answer(ctx, w.reply(run)); err != nil {
			if ctx.Err() != nil {
				return err
			}
			log.WithError(err).Warn("merge request command answer failed; the next run tries again")
			run.problems = append(run.problems, dashboard.Problem{
				Kind: dashboard.ProblemAPI, Subject: fmt.Sprintf("command on !%d", w.c.rec.MRIID), Message: err.Error(),
			})
			continue
		}
		rec := w.c.rec
		rec.Done, rec.Result, rec.Finished = true, metrics.CommandDone, run.r.deps.Clock()
		if err := run.r.deps.State.PutCommand(rec); err != nil {
			return err
		}
		log.WithField("result", rec.Result).Info("merge request command handled")
		run.r.deps.Metrics.ObserveMRCommand(w.kind, rec.Result)
	}
	run.waiting = nil
	return nil
}

// mrCommand is one command on one of pinwheel's merge requests, by
// someone allowed to give it.
type mrCommand struct {
	run       *projectRun
	rec       state.MRCommand
	mr        *gitlab.MergeRequest
	who, self string
	whoID     int64
	// late: found after the run's plan was made, which an ignore rule
	// must shape; such a command is left for the next run.
	late bool
}

// answer posts the reply on the merge request, once.
func (c *mrCommand) answer(ctx context.Context, text string) error {
	marker := "<!-- pinwheel-command:" + c.rec.ID + " -->"
	body := fmt.Sprintf("@%s %s\n\n%s\n", c.who, text, marker)
	return c.run.bot.Reply(ctx, c.rec.MRIID, c.run.rec.UserID, marker, body)
}

func (c *mrCommand) refuse(ctx context.Context, why string) (string, error) {
	return metrics.CommandRefused, c.answer(ctx, why)
}

func (c *mrCommand) done(ctx context.Context, text string) (string, error) {
	return metrics.CommandDone, c.answer(ctx, text)
}

// do carries the command out and answers it.
func (c *mrCommand) do(ctx context.Context, cmd mrcmd.Command) (string, error) {
	run, branch, st := c.run, c.mr.SourceBranch, c.mr.State
	switch {
	case cmd.Kind == mrcmd.Unknown:
		// The words are echoed in a code span, without HTML comment
		// delimiters: nobody can plant a marker in pinwheel's own note.
		said := strings.NewReplacer("<!--", "", "-->", "").Replace(cmd.Words)
		return metrics.CommandHelp, c.answer(ctx, fmt.Sprintf("pinwheel does not know %s. It knows:\n\n%s",
			mdtext.Code("@"+c.self+" "+said, mdtext.Short), mrcmd.Help(c.self)))
	case st == "merged" || st == "locked":
		return c.refuse(ctx, "this merge request is "+st+"; there is nothing to do.")
	case cmd.Kind.Ignores() && c.late:
		return commandNextRun, nil
	case cmd.Kind.Ignores():
		return c.ignore(ctx, cmd)
	case cmd.Kind == mrcmd.Rebase && st != "opened":
		return c.refuse(ctx, fmt.Sprintf("this merge request is %s, so there is nothing to rebase. `@%s recreate` opens it again.", mdtext.Text(st, mdtext.Short), c.self))
	case cmd.Kind == mrcmd.Rebase:
		known := run.rec.MergeRequests[branch].BuiltSHA
		edited, err := run.bot.Edited(ctx, branch, c.mr.Title, known)
		if err != nil {
			return "", err
		}
		if edited {
			return c.refuse(ctx, fmt.Sprintf("someone else pushed to %s, so pinwheel leaves it alone. `@%s recreate` rebuilds it and drops their commits.", mdtext.Code(branch, mdtext.Short), c.self))
		}
		target := mdtext.Code(run.target, mdtext.Short)
		return c.waitFor(waitingCommand{
			c: c, kind: string(cmd.Kind), box: dashboard.Box{Kind: dashboard.KindRebase, Branch: branch},
			text:      fmt.Sprintf("rebuilt this merge request on the current %s.", target),
			unchanged: fmt.Sprintf("this merge request's branch was already on the current %s; there was nothing to rebuild.", target),
			before:    known,
		})
	case cmd.Kind == mrcmd.Recreate && st == "opened":
		return c.wait(cmd.Kind, dashboard.Box{Kind: dashboard.KindRebase, Branch: branch},
			fmt.Sprintf("recreated this merge request from the current %s; commits others pushed to it are dropped.", mdtext.Code(run.target, mdtext.Short)))
	case cmd.Kind == mrcmd.Recreate:
		return c.wait(cmd.Kind, dashboard.Box{Kind: dashboard.KindRecreate, Branch: branch},
			"recreated this update in a new merge request (an ignore rule for it stays until its box on the dependency dashboard is ticked).")
	}
	return c.refuse(ctx, "pinwheel cannot do that here.")
}
