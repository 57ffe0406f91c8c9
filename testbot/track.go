package testbot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/daemon"
	"github.com/pinwheel-dev/pinwheel/metrics"
	"github.com/pinwheel-dev/pinwheel/state"
)

// keepDone is how long finished records are kept: long enough that a
// webhook delivered again (GitLab's retries, a person's "Resend") is
// recognised.
const keepDone = 30 * 24 * time.Hour

// advance takes rec one safe step at a time to where it should be: a
// pipeline, a reply, and the reply showing the pipeline's status. Every
// step is recorded before and after its GitLab write, so advance can be
// called again on the same record after any crash; see the package doc.
func (b *Bot) advance(ctx context.Context, rec state.BotTest) (state.BotTest, error) {
	if rec.Phase == state.BotTriggering {
		if err := b.ensurePipeline(ctx, &rec); err != nil {
			return rec, err
		}
	}
	if rec.Phase == state.BotRunning {
		pl, _, err := b.gl.Pipelines.GetPipeline(b.cfg.TriggerProject, rec.PipelineID, gitlab.WithContext(ctx))
		if err != nil {
			return rec, fmt.Errorf("read pipeline %d of %s: %w", rec.PipelineID, b.cfg.TriggerProject, err)
		}
		rec.Status = pl.Status
		if finished(pl.Status) {
			rec.Phase, rec.Finished = state.BotDone, b.clock.Now()
			b.metrics.ObserveBotTrigger(pl.Status)
			b.log.WithFields(map[string]any{"test": rec.ID, "pipeline": rec.PipelineID, "status": pl.Status}).Info("test pipeline finished")
		}
		if err := b.db.PutBotTest(rec); err != nil {
			return rec, err
		}
	}
	if rec.NoReply {
		return rec, nil
	}
	return rec, b.ensureReply(ctx, &rec)
}

// ensurePipeline finds or triggers rec's pipeline.
func (b *Bot) ensurePipeline(ctx context.Context, rec *state.BotTest) error {
	if rec.Attempts > 0 {
		pl, err := b.findPipeline(ctx, *rec)
		if err != nil {
			return err
		}
		if pl != nil {
			b.log.WithFields(map[string]any{"test": rec.ID, "pipeline": pl.ID}).Info("found the pipeline of an earlier trigger")
			return b.running(rec, pl.ID, pl.WebURL, pl.Status)
		}
	}
	rec.Attempts++
	if err := b.db.PutBotTest(*rec); err != nil {
		return err // nothing sent
	}
	pl, err := b.trigger(ctx, *rec)
	if err != nil {
		err = b.scrubErr(err)
		if !definite(err) {
			// Maybe applied: the next poll looks for it first.
			return fmt.Errorf("trigger a pipeline of %s: %w", b.cfg.TriggerProject, err)
		}
		rec.Phase, rec.Finished, rec.Error = state.BotDone, b.clock.Now(), b.scrub(b.explain(err))
		b.metrics.ObserveBotTrigger(metrics.BotError)
		b.log.WithField("test", rec.ID).WithError(err).Warn("test pipeline could not be triggered")
		return b.db.PutBotTest(*rec)
	}
	b.log.WithFields(map[string]any{"test": rec.ID, "pipeline": pl.ID}).Info("test pipeline triggered")
	return b.running(rec, pl.ID, pl.WebURL, pl.Status)
}

func (b *Bot) running(rec *state.BotTest, id int64, url, status string) error {
	rec.Phase, rec.PipelineID, rec.PipelineURL, rec.Status = state.BotRunning, id, url, status
	return b.db.PutBotTest(*rec)
}

// trigger sends the one request that creates the pipeline: with the
// trigger token, or as pinwheel's user. Neither is retried (the client
// retries only idempotent requests).
func (b *Bot) trigger(ctx context.Context, rec state.BotTest) (*gitlab.Pipeline, error) {
	if b.token != "" {
		vars := make(map[string]string, len(rec.Variables))
		for _, v := range rec.Variables {
			vars[v.Key] = v.Value
		}
		pl, _, err := b.gl.PipelineTriggers.RunPipelineTrigger(b.cfg.TriggerProject, &gitlab.RunPipelineTriggerOptions{
			Ref: gitlab.Ptr(b.cfg.TriggerRef), Token: gitlab.Ptr(b.token), Variables: vars,
		}, gitlab.WithContext(ctx))
		return pl, err
	}
	vars := make([]*gitlab.PipelineVariableOptions, 0, len(rec.Variables))
	for _, v := range rec.Variables {
		vars = append(vars, &gitlab.PipelineVariableOptions{Key: gitlab.Ptr(v.Key), Value: gitlab.Ptr(v.Value), VariableType: gitlab.Ptr(gitlab.EnvVariableType)})
	}
	pl, _, err := b.gl.Pipelines.CreatePipeline(b.cfg.TriggerProject, &gitlab.CreatePipelineOptions{
		Ref: gitlab.Ptr(b.cfg.TriggerRef), Variables: &vars,
	}, gitlab.WithContext(ctx))
	return pl, err
}

// explain words a definite trigger failure for the reply.
func (b *Bot) explain(err error) string {
	msg := err.Error()
	via := "pinwheel's user"
	if b.token != "" {
		via = "the trigger token's owner"
	}
	switch {
	case strings.Contains(msg, "Insufficient permissions to set pipeline variables"):
		return fmt.Sprintf("the project restricts pipeline variables, and %s may not set them (GitLab 17.7 and later default new projects to no_one_allowed). A Maintainer can allow it: Settings > CI/CD > Variables > Minimum role to use pipeline variables, Developer (ci_pipeline_variables_minimum_override_role).", via)
	case strings.Contains(msg, "Insufficient permissions to create a new pipeline"):
		return fmt.Sprintf("%s may not create pipelines there (it needs Developer, and push rights on a protected %s).", via, b.cfg.TriggerRef)
	case strings.Contains(msg, "Reference not found"):
		return fmt.Sprintf("the project has no branch or tag %s (bot.trigger_ref).", b.cfg.TriggerRef)
	case b.token != "" && statusOf(err) == 404:
		return "GitLab does not know the trigger token for this project (404): check the variable bot.trigger_token_env names."
	case statusOf(err) == 404:
		return "GitLab does not find the project, or pinwheel's token cannot see it (404)."
	}
	return fmt.Sprintf("GitLab answered %d: %s", statusOf(err), msg)
}

// findPipeline looks for a pipeline an earlier attempt may have created:
// one on trigger_ref since the command, carrying rec's marker.
func (b *Bot) findPipeline(ctx context.Context, rec state.BotTest) (*gitlab.PipelineInfo, error) {
	since := rec.Requested.Add(-time.Minute) // clocks of pinwheel and GitLab differ
	opt := &gitlab.ListProjectPipelinesOptions{
		Ref: gitlab.Ptr(b.cfg.TriggerRef), UpdatedAfter: &since,
		ListOptions: gitlab.ListOptions{PerPage: 100},
	}
	for {
		pls, resp, err := b.gl.Pipelines.ListProjectPipelines(b.cfg.TriggerProject, opt, gitlab.WithContext(ctx))
		if err != nil {
			return nil, fmt.Errorf("list pipelines of %s: %w", b.cfg.TriggerProject, err)
		}
		for _, pl := range pls {
			if pl.Source != "trigger" && pl.Source != "api" {
				continue
			}
			vars, _, err := b.gl.Pipelines.GetPipelineVariables(b.cfg.TriggerProject, pl.ID, gitlab.WithContext(ctx))
			if err != nil {
				return nil, fmt.Errorf("read variables of pipeline %d of %s: %w", pl.ID, b.cfg.TriggerProject, err)
			}
			if slices.ContainsFunc(vars, func(v *gitlab.PipelineVariable) bool { return v.Key == markerVariable && v.Value == rec.ID }) {
				return pl, nil
			}
		}
		if resp.NextPage == 0 {
			return nil, nil
		}
		opt.Page = resp.NextPage
	}
}

// ensureReply posts rec's reply, or finds the one an earlier attempt
// posted, and edits it until it shows what rec says.
func (b *Bot) ensureReply(ctx context.Context, rec *state.BotTest) error {
	body := b.scrub(renderReply(*rec, b.cfg.TriggerProject))
	shown := rec.Phase + "/" + rec.Status + "/" + rec.Error
	if rec.ReplyNoteID == 0 && rec.ReplyAttempts > 0 {
		id, err := b.findReply(ctx, *rec)
		if err != nil {
			return err
		}
		rec.ReplyNoteID = id
	}
	if rec.ReplyNoteID == 0 {
		rec.ReplyAttempts++
		if err := b.db.PutBotTest(*rec); err != nil {
			return err
		}
		n, _, err := b.gl.Notes.CreateMergeRequestNote(rec.ProjectID, rec.MRIID, &gitlab.CreateMergeRequestNoteOptions{Body: gitlab.Ptr(body)}, gitlab.WithContext(ctx))
		if err != nil {
			return fmt.Errorf("reply on !%d of %s: %w", rec.MRIID, rec.Project, err)
		}
		rec.ReplyNoteID, rec.Reported = n.ID, shown
		return b.db.PutBotTest(*rec)
	}
	if rec.Reported == shown {
		return nil
	}
	_, _, err := b.gl.Notes.UpdateMergeRequestNote(rec.ProjectID, rec.MRIID, rec.ReplyNoteID, &gitlab.UpdateMergeRequestNoteOptions{Body: gitlab.Ptr(body)}, gitlab.WithContext(ctx))
	if errors.Is(err, gitlab.ErrNotFound) {
		// Someone deleted the reply: post it again.
		rec.ReplyNoteID, rec.ReplyAttempts = 0, 0
		return b.ensureReply(ctx, rec)
	}
	if err != nil {
		return fmt.Errorf("edit the reply on !%d of %s: %w", rec.MRIID, rec.Project, err)
	}
	rec.Reported = shown
	return b.db.PutBotTest(*rec)
}

// findReply finds pinwheel's reply for rec by its marker; 0 when none.
func (b *Bot) findReply(ctx context.Context, rec state.BotTest) (int64, error) {
	self, err := b.Self(ctx)
	if err != nil {
		return 0, err
	}
	opt := &gitlab.ListMergeRequestNotesOptions{ListOptions: gitlab.ListOptions{PerPage: 100}}
	for {
		notes, resp, err := b.gl.Notes.ListMergeRequestNotes(rec.ProjectID, rec.MRIID, opt, gitlab.WithContext(ctx))
		if err != nil {
			return 0, fmt.Errorf("list notes of !%d of %s: %w", rec.MRIID, rec.Project, err)
		}
		for _, n := range notes {
			if n.Author.ID == self.ID && strings.Contains(n.Body, noteMarker(rec.ID)) {
				return n.ID, nil
			}
		}
		if resp.NextPage == 0 {
			return 0, nil
		}
		opt.Page = resp.NextPage
	}
}

// Poll advances every unfinished test (and every finished one whose reply
// is behind), and forgets finished ones past keepDone. One test's failure
// does not stop the others; the errors are joined.
func (b *Bot) Poll(ctx context.Context) error {
	recs, err := b.db.BotTests()
	if err != nil {
		return err
	}
	var errs []error
	running := 0
	for _, rec := range recs {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if rec.Phase == state.BotReceived {
			// A comment not decided on yet: an earlier try failed.
			ev := daemon.NoteEvent{ProjectID: rec.ProjectID, ProjectPath: rec.Project, MRIID: rec.MRIID, NoteID: rec.NoteID, NoteableType: "MergeRequest"}
			if err := b.HandleCommand(ctx, ev); err != nil {
				errs = append(errs, fmt.Errorf("command %s: %w", rec.ID, err))
			}
			continue
		}
		if rec.Phase == state.BotDone {
			behind := !rec.NoReply && rec.Reported != rec.Phase+"/"+rec.Status+"/"+rec.Error && rec.Digest != ""
			if !behind {
				if b.clock.Now().Sub(rec.Finished) > keepDone {
					errs = append(errs, b.db.DeleteBotTest(rec.ID))
				}
				continue
			}
		}
		rec, err := b.advance(ctx, rec)
		if err != nil {
			errs = append(errs, fmt.Errorf("test %s: %w", rec.ID, err))
		}
		if rec.Phase != state.BotDone {
			running++
		}
	}
	b.metrics.SetBotRunning(running)
	return errors.Join(errs...)
}
