package testbot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/daemon"
	"github.com/pinwheel-dev/pinwheel/internal/discard"
	"github.com/pinwheel-dev/pinwheel/metrics"
	"github.com/pinwheel-dev/pinwheel/state"
)

// Deps are the bot's parts. GitLab, State and Config are required.
type Deps struct {
	Config config.Bot
	// TriggerToken is a pipeline trigger token of the trigger project;
	// "" means the GitLab client's own token creates pipelines.
	TriggerToken string
	GitLab       *gitlab.Client
	State        *state.DB
	Clock        daemon.Clock       // nil = daemon.SystemClock
	Metrics      *metrics.Metrics   // nil = none
	Log          logrus.FieldLogger // nil = discard
	// AfterWork, when set, is called after Run handled each queued item
	// and each poll; tests wait on it instead of sleeping.
	AfterWork func()
}

// Bot handles test commands. Create it with New; it is safe for
// concurrent use.
type Bot struct {
	cfg     config.Bot
	token   string
	gl      *gitlab.Client
	db      *state.DB
	clock   daemon.Clock
	metrics *metrics.Metrics
	log     logrus.FieldLogger
	after   func()

	mu    sync.Mutex
	queue []work
	kick  chan struct{}
	self  *gitlab.User // pinwheel's user, once known
}

// work is one queued item: a note to handle, or (note zero) a poll.
type work struct {
	note daemon.NoteEvent
	poll bool
}

// maxQueue bounds the queue; GitLab retries a delivery we refuse.
const maxQueue = 1000

// New returns a Bot.
func New(d Deps) (*Bot, error) {
	if d.GitLab == nil || d.State == nil {
		return nil, errors.New("testbot: GitLab client and state are required")
	}
	if d.Config.TriggerProject == "" || d.Config.TriggerRef == "" {
		return nil, errors.New("testbot: trigger project and ref are required")
	}
	b := &Bot{
		cfg: d.Config, token: d.TriggerToken, gl: d.GitLab, db: d.State,
		clock: d.Clock, metrics: d.Metrics, log: d.Log, after: d.AfterWork,
		kick: make(chan struct{}, 1),
	}
	if b.clock == nil {
		b.clock = daemon.SystemClock
	}
	if b.log == nil {
		b.log = discard.Logger()
	}
	if b.cfg.PollInterval <= 0 {
		b.cfg.PollInterval = config.DefaultBotPollInterval
	}
	return b, nil
}

// HandleNote is a daemon.BotHandler: it queues a comment on a merge
// request of a configured package that may be a command, and ignores
// everything else (system notes, issues, other projects, edits).
func (b *Bot) HandleNote(ev daemon.NoteEvent) bool {
	if !ev.MayBeCommand() {
		return false
	}
	if _, ok := b.cfg.Package(ev.ProjectPath, ev.ProjectID); !ok {
		return false
	}
	// Recorded before GitLab gets its answer, so a stop or crash with the
	// comment still queued loses nothing: the next start's poll decides
	// it. A local write, no GitLab call.
	rec := state.BotTest{
		ID: recordID(ev.ProjectID, ev.MRIID, ev.NoteID), Project: ev.ProjectPath, ProjectID: ev.ProjectID,
		MRIID: ev.MRIID, NoteID: ev.NoteID, Phase: state.BotReceived, Requested: b.clock.Now(),
	}
	found, err := b.db.ClaimBotTest(rec, func(state.BotTest) bool { return false })
	if err != nil {
		b.log.WithError(err).Warn("test bot: cannot record a comment; handling it anyway")
	} else if found != nil && found.Phase != state.BotReceived {
		return false // handled already: GitLab delivered it again
	}
	return b.enqueue(work{note: ev})
}

// HandlePipeline is a daemon.BotHandler: a Pipeline Hook from the
// trigger project makes the next poll happen now.
func (b *Bot) HandlePipeline(ev daemon.PipelineEvent) bool {
	if !strings.EqualFold(ev.ProjectPath, b.cfg.TriggerProject) && fmt.Sprint(ev.ProjectID) != b.cfg.TriggerProject {
		return false
	}
	return b.enqueue(work{poll: true})
}

func (b *Bot) enqueue(w work) bool {
	b.mu.Lock()
	if len(b.queue) >= maxQueue {
		b.mu.Unlock()
		b.log.Warn("test bot: queue full, event dropped")
		return false
	}
	b.queue = append(b.queue, w)
	b.mu.Unlock()
	select {
	case b.kick <- struct{}{}:
	default:
	}
	return true
}

func (b *Bot) dequeue() (work, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.queue) == 0 {
		return work{}, false
	}
	w := b.queue[0]
	b.queue = b.queue[1:]
	return w, true
}

// Run handles queued events and polls unfinished tests every
// poll_interval until ctx is cancelled. It first finishes what the state
// file says an earlier process left (see the package doc).
func (b *Bot) Run(ctx context.Context) error {
	b.pollLogged(ctx)
	b.done()
	next := b.clock.Now().Add(time.Duration(b.cfg.PollInterval))
	for {
		wait := max(next.Sub(b.clock.Now()), 0)
		select {
		case <-ctx.Done():
			return nil
		case <-b.kick:
			for {
				w, ok := b.dequeue()
				if !ok {
					break
				}
				if w.poll {
					b.pollLogged(ctx)
				} else {
					if err := b.HandleCommand(ctx, w.note); err != nil {
						b.log.WithError(err).WithField("note", w.note.NoteID).Warn("test command failed")
					}
					b.countRunning()
				}
				b.done()
			}
		case <-b.clock.After(wait):
			b.pollLogged(ctx)
			next = b.clock.Now().Add(time.Duration(b.cfg.PollInterval))
			b.done()
		}
	}
}

func (b *Bot) done() {
	if b.after != nil {
		b.after()
	}
}

func (b *Bot) pollLogged(ctx context.Context) {
	if err := b.Poll(ctx); err != nil {
		b.log.WithError(err).Warn("test bot: poll failed")
	}
}

// countRunning sets the running-pipelines gauge from the state file.
func (b *Bot) countRunning() {
	recs, err := b.db.BotTests()
	if err != nil {
		return // the next poll reports it
	}
	n := 0
	for _, r := range recs {
		if r.Phase != state.BotDone {
			n++
		}
	}
	b.metrics.SetBotRunning(n)
}

// Self returns pinwheel's own GitLab user (GET /user), asked once.
func (b *Bot) Self(ctx context.Context) (*gitlab.User, error) {
	b.mu.Lock()
	u := b.self
	b.mu.Unlock()
	if u != nil {
		return u, nil
	}
	u, _, err := b.gl.Users.CurrentUser(gitlab.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("read pinwheel's GitLab user: %w", err)
	}
	b.mu.Lock()
	b.self = u
	b.mu.Unlock()
	return u, nil
}

// scrub keeps the trigger token out of any text the bot writes.
func (b *Bot) scrub(s string) string {
	if b.token == "" {
		return s
	}
	return strings.ReplaceAll(s, b.token, "[MASKED]")
}

func (b *Bot) scrubErr(err error) error {
	if err == nil || b.token == "" || !strings.Contains(err.Error(), b.token) {
		return err
	}
	return errors.New(b.scrub(err.Error()))
}
