package daemon

import (
	"context"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
)

// botLookupTimeout bounds the webhook matcher's one GitLab call (GET /user,
// with client-go's retries). It runs beside the handler, never inside it.
const botLookupTimeout = 10 * time.Second

// BotMatcher is the daemon's IssueMatcher (its Match method): it
// matches webhook events to dashboards, ignoring pinwheel's own
// edits. It learns pinwheel's username on the first event rather than at
// start-up, so the daemon starts while GitLab is down. The look-up runs in
// the background, bounded by botLookupTimeout: GitLab disables a hook whose
// deliveries time out, so the handler must not wait on GitLab. Until the
// name is known, an own edit may trigger one run, which finds nothing to
// write.
type BotMatcher struct {
	ctx        context.Context
	lookup     func(context.Context) (string, error)
	dashboards []Dashboard
	log        logrus.FieldLogger
	// learned is closed once the username is known.
	learned chan struct{}

	mu       sync.Mutex
	match    IssueMatcher // nil until the username is known
	username string
	fetching bool
}

// SetDashboards replaces the dashboards matched (the projects changed).
func (b *BotMatcher) SetDashboards(ds []Dashboard) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.dashboards = ds
	if b.match != nil {
		b.match = DashboardMatcher(ds, b.username)
	}
}

// NewBotMatcher returns a BotMatcher for dashboards; lookup asks GitLab
// for pinwheel's username, bounded by ctx and botLookupTimeout.
func NewBotMatcher(ctx context.Context, lookup func(context.Context) (string, error), dashboards []Dashboard, log logrus.FieldLogger) *BotMatcher {
	return &BotMatcher{ctx: ctx, lookup: lookup, dashboards: dashboards, log: log, learned: make(chan struct{})}
}

// Match is a IssueMatcher.
func (b *BotMatcher) Match(ev IssueEvent) (string, bool) {
	b.mu.Lock()
	m, ds := b.match, b.dashboards
	if m == nil && !b.fetching {
		b.fetching = true
		go b.learn()
	}
	b.mu.Unlock()
	if m == nil {
		m = DashboardMatcher(ds, "")
	}
	return m(ev)
}

func (b *BotMatcher) learn() {
	ctx, cancel := context.WithTimeout(b.ctx, botLookupTimeout)
	defer cancel()
	bot, err := b.lookup(ctx)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fetching = false
	if err != nil {
		// The next event asks again.
		b.log.WithError(err).Warn("webhook: pinwheel's username is not known yet")
		return
	}
	b.match, b.username = DashboardMatcher(b.dashboards, bot), bot
	close(b.learned)
}
