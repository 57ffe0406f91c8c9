package demo

import (
	"context"
	"fmt"
	"io"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/daemon"
	"github.com/pinwheel-dev/pinwheel/gitlabsim"
	"github.com/pinwheel-dev/pinwheel/internal/discard"
	"github.com/pinwheel-dev/pinwheel/testbot"
)

// libPath is the team's own Python package; group/app's pipeline installs
// it from its production branch, and its merge requests can be tested
// there with "@pinwheel test".
const libPath = "group/cki-lib"

// botClock is the demo clock as the bot sees it; nothing waits in the demo.
type botClock struct{ c *clock }

func (b botClock) Now() time.Time { return b.c.now() }
func (b botClock) After(time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	ch <- b.c.now()
	return ch
}

// setUpBot adds the package project with a developer's merge request, and
// the test bot for cfg's bot section, triggering with a trigger token of
// the pipeline project (group/app).
func (d *world) setUpBot(cfg *config.Config, api *gitlab.Client, pinwheel gitlabsim.User) error {
	d.dev, _ = d.gl.AddUser("dev")
	d.lib = d.gl.CreateProject(libPath, "main")
	d.gl.UpdateProject(d.lib, func(p *gitlabsim.Project) { p.CI = false })
	d.gl.Commit(d.lib, "main", "Initial commit", map[string]string{"setup.py": "from setuptools import setup\nsetup(name='cki-lib')\n"})
	d.gl.Commit(d.lib, "retry-timeouts", "Retry on timeouts", map[string]string{"cki_lib/session.py": "RETRIES = 3\n"})
	if _, err := d.gl.OpenMR(d.lib, d.lib, "retry-timeouts", "main", "Retry on timeouts", d.dev); err != nil {
		return err
	}
	d.gl.AddMember(d.lib, d.dev, gitlabsim.DeveloperAccess)
	d.gl.AddMember(d.project, pinwheel, gitlabsim.MaintainerAccess)
	var err error
	d.bot, err = testbot.New(testbot.Deps{
		Config: *cfg.Bot, TriggerToken: d.gl.AddPipelineTrigger(d.project, pinwheel),
		GitLab: api, State: d.db, Clock: botClock{d.clock}, Log: discard.Logger(),
	})
	return err
}

// botStep is what a developer sees: they comment "@pinwheel test" on the
// package's merge request, the daemon gets GitLab's Note Hook, and the
// pipeline's result lands in pinwheel's one reply.
func (d *world) botStep(ctx context.Context, w io.Writer) error {
	const text = "@pinwheel test [PYTEST_ADDOPTS=-k session]"
	id, _ := d.gl.PostMRNote(d.lib, 1, d.dev, text)
	fmt.Fprintf(w, "dev comments on %s!1: %s\n", libPath, text)
	// What the webhook listener hands the bot; Run would do this a moment
	// later, here it happens at once.
	ev := daemon.NoteEvent{ProjectID: int64(d.lib.ID), ProjectPath: libPath, NoteID: int64(id), NoteableType: "MergeRequest", MRIID: 1, Action: "create"}
	if err := d.bot.HandleCommand(ctx, ev); err != nil {
		return fmt.Errorf("demo: test command: %w", err)
	}
	pls := d.gl.Pipelines(d.project)
	pl := pls[len(pls)-1]
	fmt.Fprintf(w, "pinwheel triggered pipeline #%d of %s (source %s) and replied:\n", pl.ID, projectPath, pl.Source)
	if err := d.showReply(ctx, w); err != nil {
		return err
	}
	d.gl.SetPipelineStatusByID(d.project, pl.ID, "success")
	if err := d.bot.Poll(ctx); err != nil {
		return fmt.Errorf("demo: poll: %w", err)
	}
	fmt.Fprintf(w, "\nThe pipeline passed; at its next poll pinwheel edited the same reply:\n")
	return d.showReply(ctx, w)
}

func (d *world) showReply(ctx context.Context, w io.Writer) error {
	notes, _, err := d.api.Notes.ListMergeRequestNotes(libPath, 1, &gitlab.ListMergeRequestNotesOptions{Sort: gitlab.Ptr("asc")}, gitlab.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("demo: notes of %s!1: %w", libPath, err)
	}
	n := notes[len(notes)-1]
	fmt.Fprintf(w, "\n┌─ Note by @%s on %s!1\n", n.Author.Username, libPath)
	box(w, render(n.Body, d.markdown))
	fmt.Fprintln(w, "└─")
	return nil
}
