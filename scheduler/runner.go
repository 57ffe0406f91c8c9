package scheduler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/check"
	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/gitlabauth"
	"github.com/pinwheel-dev/pinwheel/gitlabversion"
	"github.com/pinwheel-dev/pinwheel/internal/discard"
	"github.com/pinwheel-dev/pinwheel/metrics"
	"github.com/pinwheel-dev/pinwheel/mrbot"
	"github.com/pinwheel-dev/pinwheel/osv"
	"github.com/pinwheel-dev/pinwheel/registry"
	"github.com/pinwheel-dev/pinwheel/state"
)

// Deps are the parts a Runner works with.
type Deps struct {
	GitLab *gitlab.Client
	Index  *registry.Client
	State  *state.DB
	// Clock is the time runs are measured at (schedule window, release
	// age); default time.Now.
	Clock func() time.Time
	// Log receives one entry per action and failure; default discards.
	Log logrus.FieldLogger
	// DryRun reads GitLab and the index and writes nothing to GitLab; the
	// actions it would take go to Out.
	DryRun bool
	// Out, when set, receives one line per action (done or, in a dry run,
	// not done).
	Out io.Writer
	// ManualRunBox adds the "run pinwheel again" box to dashboards; set it
	// only when a webhook on issue events triggers runs.
	ManualRunBox bool
	// Done, when set, is called with each project's report as its run
	// ends (from the run's goroutine; RunAll runs several at once).
	Done func(Report)
	// Token describes the GitLab token (its variable, not its value), so
	// a 401 can say which variable to check.
	Token gitlabauth.Credentials
	// Metrics counts the merge request commands answered; nil: none.
	Metrics *metrics.Metrics
	// OSV, when set, replaces the OSV client New builds from the config's
	// vulnerabilities section (source osv); OSVBudget bounds OSV's part of
	// a run (default DefaultOSVBudget).
	OSV       *osv.Client
	OSVBudget time.Duration
}

// Runner runs pinwheel for the projects of one configuration.
type Runner struct {
	cfg  *config.Config
	deps Deps
	// users and version are asked of GitLab once per process.
	users   *mrbot.Users
	version *gitlabversion.Instance
	// osv is nil unless vulnerabilities.source is osv.
	osv *osv.Client

	mu          sync.Mutex
	botUsername string
	running     map[string]*sync.Mutex // project path -> held while it runs
	projects    []config.Project       // see SetProjects
	lookups     sharedLookups
}

// Report is the outcome of one project's run.
type Report struct {
	Project string
	// UpdatesFound counts the update branches the run computed, pending
	// ones included.
	UpdatesFound int
	MRsOpened    int
	MRsUpdated   int
	// MRsClosed counts the merge requests closed as no longer needed.
	MRsClosed int
	// Actions lists every GitLab write, done or (in a dry run) not.
	Actions []string
	// Writes counts the GitLab write requests sent (0 in a dry run).
	Writes int
	// Problems counts the dashboard's Errors entries: failed look-ups,
	// unparsable lines, failed actions.
	Problems int
	// OSV counts the run's OSV requests (vulnerabilities: source osv).
	OSV osv.Stats
	// Err is why the run stopped early; nil when it ran to the end.
	Err error
}

// Errors of RunProject a caller may branch on.
var (
	// ErrUnknownProject means RunProject was given a path the
	// configuration does not list; it is config.ErrUnknownProject.
	ErrUnknownProject = config.ErrUnknownProject
	// ErrPanicked means the run hit a bug and stopped; the panic's stack
	// is logged.
	ErrPanicked = errors.New("run panicked")
	// ErrStopping means the daemon began to stop (internal/stop.Signal), so the
	// run stopped between two updates; the next run does the rest.
	ErrStopping = errors.New("stopped for shutdown")
)

// New returns a Runner for cfg.
func New(cfg *config.Config, deps Deps) (*Runner, error) {
	if deps.GitLab == nil || deps.Index == nil || deps.State == nil {
		return nil, errors.New("scheduler: GitLab client, index client and state are required")
	}
	if deps.Clock == nil {
		deps.Clock = time.Now
	}
	if deps.Log == nil {
		deps.Log = discard.Logger()
	}
	if deps.Out != nil {
		// Projects run in parallel; each line names its project.
		deps.Out = &lockedWriter{w: deps.Out}
	}
	_, err := check.OptionsFromConfig(cfg, time.Time{})
	errs := []error{err}
	for _, p := range cfg.Projects {
		_, err := check.OptionsForProject(cfg, p, time.Time{})
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("scheduler: %w", err)
	}
	oc, err := newOSV(cfg, deps)
	if err != nil {
		return nil, fmt.Errorf("scheduler: %w", err)
	}
	return &Runner{cfg: cfg, deps: deps, projects: slices.Clone(cfg.Projects), osv: oc,
		users: mrbot.NewUsers(deps.GitLab, deps.Clock), version: gitlabversion.New(deps.GitLab)}, nil
}

// RunAll runs every configured project, config.Parallel at a time (each
// project's own runs stay one at a time); a project that fails, or is
// slow, does not stop or hold up the others. Reports are in configured
// order. The runs share one memo of index answers.
func (r *Runner) RunAll(ctx context.Context) []Report {
	projects := r.Projects()
	reports := make([]Report, len(projects))
	_, release := r.lookups.acquire(r.deps.Index, r.deps.Clock())
	defer release()
	slots := make(chan struct{}, max(r.cfg.Parallel, 1))
	var wg sync.WaitGroup
	for i, p := range projects {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			reports[i] = Report{Project: p.Path, Err: ctx.Err()}
			continue
		}
		wg.Go(func() {
			defer func() { <-slots }()
			reports[i], _ = r.RunProject(ctx, p.Path)
		})
	}
	wg.Wait()
	return reports
}

// RunProject runs one configured project. The error is Report.Err. It is
// safe to call concurrently; runs of the same project wait for each other.
func (r *Runner) RunProject(ctx context.Context, path string) (Report, error) {
	proj, ok := r.project(path)
	if !ok {
		err := fmt.Errorf("run %s: %w", path, ErrUnknownProject)
		return Report{Project: path, Err: err}, err
	}
	// Two runs of one project at once (the cron and a webhook) could
	// both create what is missing; different projects run in parallel.
	lock := r.projectLock(proj.Path)
	lock.Lock()
	defer lock.Unlock()
	run := newProjectRun(r, proj)
	index, release := r.lookups.acquire(r.deps.Index, r.deps.Clock())
	defer release()
	run.index = index
	err := run.run(ctx)
	rep := run.report
	if err != nil {
		rep.Err = fmt.Errorf("run %s: %w", proj.Path, r.deps.Token.ScrubErr(r.explain(ctx, proj.Path, err)))
	}
	if r.deps.Done != nil {
		r.deps.Done(rep)
	}
	return rep, rep.Err
}

// BotUsername returns the username of pinwheel's own GitLab user (the
// token's), e.g. for a webhook handler to tell pinwheel's edits of the
// dashboard from people's. It asks GitLab once and remembers it.
func (r *Runner) BotUsername(ctx context.Context) (string, error) {
	r.mu.Lock()
	name := r.botUsername
	r.mu.Unlock()
	if name != "" {
		return name, nil
	}
	// Not under r.mu: a slow GitLab must not hold up projectLock, which
	// every run takes. Two callers racing here both ask; both get the
	// same answer.
	u, _, err := r.deps.GitLab.Users.CurrentUser(gitlab.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("read the current user: %w", err)
	}
	r.learnBotUsername(u.Username)
	return u.Username, nil
}

// learnBotUsername remembers pinwheel's username, in the state file too
// (for HandleNote in a process that has not asked GitLab yet).
func (r *Runner) learnBotUsername(name string) {
	r.mu.Lock()
	known := r.botUsername == name
	r.botUsername = name
	r.mu.Unlock()
	if known || r.deps.State == nil || r.deps.DryRun || name == "" {
		return
	}
	if err := r.deps.State.PutBotUsername(name); err != nil {
		r.deps.Log.WithError(err).Warn("cannot remember the bot's username")
	}
}

// explain adds what to do to a run's error: which variable to check on a
// 401, and for a 404, when the project itself is what GitLab cannot find
// (client-go drops 404 bodies, so one GET tells a missing project from a
// missing file), that the token may not see it.
func (r *Runner) explain(ctx context.Context, path string, err error) error {
	if errors.Is(err, gitlab.ErrNotFound) && ctx.Err() == nil {
		if _, _, perr := r.deps.GitLab.Projects.GetProject(path, nil, gitlab.WithContext(ctx)); errors.Is(perr, gitlab.ErrNotFound) {
			return gitlabauth.ProjectNotFound(err, path)
		}
	}
	return gitlabauth.Explain(err, r.deps.Token)
}

// Summary is the one line a person reads about the run: the counts, or,
// when the run stopped early, that it failed and why (with what it did
// before, if anything), never a count of problems it did not get to look
// for. dryRun words the counts as what would be done.
func (rep Report) Summary(dryRun bool) string {
	verb := ""
	if dryRun {
		verb = "would be "
	}
	counts := fmt.Sprintf("%d update(s), %d MR(s) %sopened, %d %supdated, %d write(s)",
		rep.UpdatesFound, rep.MRsOpened, verb, rep.MRsUpdated, verb, rep.Writes)
	if rep.Err == nil {
		return fmt.Sprintf("%s: %s, %d problem(s) (listed on the dashboard and in the log)", rep.Project, counts, rep.Problems)
	}
	why := strings.TrimPrefix(rep.Err.Error(), "run "+rep.Project+": ")
	line := fmt.Sprintf("%s: run failed: %s", rep.Project, why)
	if len(rep.Actions) > 0 {
		line += "; before it stopped: " + counts
	}
	return line
}

func (r *Runner) projectLock(path string) *sync.Mutex {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running == nil {
		r.running = map[string]*sync.Mutex{}
	}
	key := strings.ToLower(path)
	if r.running[key] == nil {
		r.running[key] = &sync.Mutex{}
	}
	return r.running[key]
}

// lockedWriter serialises the writes of parallel runs to one Writer.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
