package testbot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/gitlabauth"
	"github.com/pinwheel-dev/pinwheel/state"
)

// Request is a test asked for from a terminal (pinwheel trigger).
type Request struct {
	// Project is the package project (as in bot.packages), MRIID the
	// merge request's IID.
	Project   string
	MRIID     int64
	Variables []config.Variable
}

// ErrNotAPackage means a Request names a project that is not among
// bot.packages: the caller's argument is wrong, nothing was sent.
var ErrNotAPackage = errors.New("not among bot.packages")

// ParsePair reads one key=value argument with the comment's rules.
func ParsePair(arg string) (config.Variable, error) {
	key, value, ok := strings.Cut(arg, "=")
	if !ok {
		return config.Variable{}, fmt.Errorf("%q: want key=value", arg)
	}
	if !config.ValidVariableName(key) {
		return config.Variable{}, fmt.Errorf("%q: the key must be letters, digits and _, not starting with a digit", arg)
	}
	return config.Variable{Key: key, Value: value}, nil
}

// Start triggers the pipeline for req as a comment would, with no note:
// whoever holds pinwheel's token may, so there is no permission check.
// It returns the record, whose PipelineURL links the pipeline.
func (b *Bot) Start(ctx context.Context, req Request) (state.BotTest, error) {
	pkg, ok := b.cfg.Package(req.Project, 0)
	if !ok {
		return state.BotTest{}, fmt.Errorf("%s: %w", req.Project, ErrNotAPackage)
	}
	p, _, err := b.gl.Projects.GetProject(req.Project, nil, gitlab.WithContext(ctx))
	if err != nil {
		return state.BotTest{}, fmt.Errorf("read project %s: %w", req.Project, gitlabauth.ProjectNotFound(b.scrubErr(err), req.Project))
	}
	seen := map[string]bool{}
	for _, v := range req.Variables {
		if seen[v.Key] {
			return state.BotTest{}, fmt.Errorf("%s is given twice", v.Key)
		}
		seen[v.Key] = true
	}
	now := b.clock.Now()
	rec := state.BotTest{
		ID:      fmt.Sprintf("%d!%d@%d", p.ID, req.MRIID, now.UnixNano()),
		Project: p.PathWithNamespace, ProjectID: p.ID, MRIID: req.MRIID,
		Requested: now, NoReply: true,
	}
	if err := b.prepare(ctx, &rec, pkg, req.Variables); err != nil {
		var r *refusal
		if errors.As(err, &r) {
			return rec, errors.New(strings.TrimSuffix(r.why, "."))
		}
		return rec, err
	}
	rec, err = b.start(ctx, rec)
	if err != nil && rec.Phase == state.BotTriggering && rec.Attempts > 0 {
		return rec, fmt.Errorf("%w (GitLab may have created the pipeline anyway: look for PINWHEEL_TEST=%s in %s before trying again)", b.scrubErr(err), rec.ID, b.cfg.TriggerProject)
	}
	if err != nil {
		return rec, b.scrubErr(err)
	}
	if rec.Error != "" {
		return rec, errors.New(rec.Error)
	}
	return rec, nil
}

// Wait checks rec's pipeline every poll_interval until it finishes.
func (b *Bot) Wait(ctx context.Context, rec state.BotTest) (state.BotTest, error) {
	for rec.Phase != state.BotDone {
		select {
		case <-ctx.Done():
			return rec, ctx.Err()
		case <-b.clock.After(time.Duration(b.cfg.PollInterval)):
		}
		var err error
		if rec, err = b.advance(ctx, rec); err != nil {
			return rec, b.scrubErr(err)
		}
	}
	return rec, nil
}

// Shown is v's value as replies and terminals show it: hidden when Secret.
func Shown(v state.BotVariable) string {
	if Secret(v.Key, v.Value) {
		return "(hidden)"
	}
	return v.Value
}
