package scheduler

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	pathpkg "path"
	"runtime/debug"
	"time"

	"github.com/sirupsen/logrus"
	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/check"
	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/constraints"
	"github.com/pinwheel-dev/pinwheel/dashboard"
	"github.com/pinwheel-dev/pinwheel/internal/termtext"
	"github.com/pinwheel-dev/pinwheel/mrbot"
	"github.com/pinwheel-dev/pinwheel/registry"
	"github.com/pinwheel-dev/pinwheel/state"
)

// projectRun is one run for one project: what it read, and what it did.
type projectRun struct {
	r   *Runner
	gl  *gitlab.Client
	p   config.Project
	now time.Time
	log logrus.FieldLogger

	// index answers this run's look-ups, shared with the runs beside it.
	index registry.Index

	rec    state.ProjectRecord
	report Report
	bot    *mrbot.Bot

	target string
	// head is the target branch's head commit when the constraints files
	// were read; updates are built on it.
	head string
	// files are the project's constraints files (config.Project.Files),
	// in order; file is the first, the one the YAML copy follows.
	files     []*constraints.File
	file      *constraints.File
	yamlOnTgt *bool
	// reports has one check report per file; results joins their results
	// in file order.
	reports     []*check.Report
	results     *check.Report
	issue       *gitlab.Issue // nil: none yet (or dashboard disabled)
	ticks       dashboard.Ticks
	consumed    map[dashboard.Box]bool
	problems    []dashboard.Problem
	model       dashboard.Dashboard
	openCount   int
	createdThis int
	// vulnDown is set when the run has no vulnerability data (OSV down).
	vulnDown bool
	// idle are the computed branches with nothing to offer now, touched
	// the branches the run built or already cleaned up.
	idle, touched map[string]bool
	// edited are the files as edits left them, by the edits (edits.go).
	edited map[string]editedFile
	// reported are the group members whose update failed, listed once.
	reported map[string]bool
	// waiting are the commands this run carries out in act, answered
	// once it did (commands.go).
	waiting []waitingCommand
	// moved are pinwheel's merge requests updated since the last run.
	moved []movedMR
}

func newProjectRun(r *Runner, p config.Project) *projectRun {
	now := r.deps.Clock()
	run := &projectRun{
		r: r, gl: r.deps.GitLab, p: p, now: now,
		log:      r.deps.Log.WithField("project", p.Path),
		report:   Report{Project: p.Path},
		consumed: map[dashboard.Box]bool{},
		idle:     map[string]bool{}, touched: map[string]bool{}, reported: map[string]bool{},
	}
	return run
}

// action records one GitLab write (done, or in a dry run not done).
func (run *projectRun) action(what string) {
	run.report.Actions = append(run.report.Actions, what)
	if !run.r.deps.DryRun {
		run.report.Writes++
	}
	msg := "gitlab write"
	if run.r.deps.DryRun {
		msg = "gitlab write skipped (dry run)"
	}
	if entry := run.log.WithField("action", what); run.r.deps.Out != nil {
		// Printed to Out below; once is enough at the default level.
		entry.Debug(msg)
	} else {
		entry.Info(msg)
	}
	if out := run.r.deps.Out; out != nil {
		prefix := ""
		if run.r.deps.DryRun {
			prefix = "would "
		}
		// what names packages and versions from the file and the index.
		fmt.Fprintf(out, "%s: %s%s\n", termtext.Escape(run.p.Path), prefix, termtext.Escape(what))
	}
}

// run does the whole run. Whatever happens, the state learnt so far is
// saved: it only caches GitLab, so a partial record is still right.
func (run *projectRun) run(ctx context.Context) (err error) {
	db := run.r.deps.State
	if run.rec, err = db.Project(run.p.Path); err != nil {
		return err
	}
	lastError := run.rec.LastError
	defer func() {
		// A bug in one project's run must not take the process (and the
		// other projects) down; what it learnt is saved as usual.
		if p := recover(); p != nil {
			run.log.WithField("stack", string(debug.Stack())).Error("run panicked")
			err = fmt.Errorf("%w: %v", ErrPanicked, p)
		}
		run.rec.LastRun = run.r.deps.Clock()
		switch {
		case err == nil:
			run.rec.LastError = ""
		case ctx.Err() != nil, errors.Is(err, ErrStopping):
			// Stopped from outside (shutdown), not a failure of GitLab.
		default:
			run.rec.LastError = run.r.deps.Token.Scrub(err.Error())
		}
		if run.r.deps.DryRun {
			return
		}
		if serr := db.PutProject(run.p.Path, run.rec); serr != nil {
			err = errors.Join(err, serr)
		}
	}()
	if lastError != "" {
		run.problems = append(run.problems, dashboard.Problem{
			Kind: dashboard.ProblemAPI, Subject: "previous run", Message: lastError,
		})
	}

	if err := run.readTarget(ctx); err != nil {
		return err
	}
	fields, err := run.mrFields(ctx)
	if err != nil {
		return err
	}
	run.bot = mrbot.New(run.gl, mrbot.Options{
		Project: run.p.Path, Target: run.target, DryRun: run.r.deps.DryRun, Action: run.action,
		Fields: fields, Version: run.r.version, Noted: run.notedOwn,
	})
	// The dashboard's ticks and the merge request commands come before
	// the look-ups: both may change the rules this run's plan follows.
	if err := run.findIssue(ctx); err != nil {
		return err
	}
	if err := run.commands(ctx); err != nil {
		return err
	}
	opts, err := check.OptionsForProject(run.r.cfg, run.p, run.now)
	if err != nil {
		return err
	}
	if opts.Rules, err = run.ignores(ctx, opts.Rules); err != nil {
		return err
	}
	opts.Vulns = run.queryVulnerabilities(ctx)
	run.reports = check.RunFiles(ctx, run.index, run.files, opts)
	run.results = &check.Report{File: run.file}
	for _, rep := range run.reports {
		run.results.Results = append(run.results.Results, rep.Results...)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err := indexDown(run.results); err != nil {
		// Every look-up failed: the index (or its credentials) is down,
		// not every package. Stop before the dashboard is rewritten
		// without versions; the run fails, so logs and metrics say so,
		// and the next dashboard shows the error.
		return err
	}
	run.listVulnerabilities()
	if err := run.syncMergeRequests(ctx); err != nil {
		return err
	}
	if err := run.catchUpCommands(ctx); err != nil {
		return err
	}
	if err := run.syncPipelines(ctx); err != nil {
		return err
	}
	slots := groupSlots(computeSlots(run.reports, run.p.BranchPrefix), run.p.Groups, run.p.BranchPrefix)
	run.report.UpdatesFound = len(slots)
	if err := run.act(ctx, slots); err != nil {
		return err
	}
	if err := run.answerWaiting(ctx); err != nil {
		return err
	}
	run.addFileProblems()
	run.report.Problems = len(run.problems)
	run.model.ManualRunBox = run.r.deps.ManualRunBox
	if run.ticks.RunRequested() {
		// This run is the one asked for.
		run.consumed[dashboard.Box{Kind: dashboard.KindManualRun}] = true
	}
	run.model.Problems = run.problems
	for _, p := range run.problems {
		run.log.WithFields(logrus.Fields{"subject": p.Subject, "line": p.Line, "kind": p.Kind}).Warn(p.Message)
	}
	run.model.Files = nil
	for i, f := range run.files {
		run.model.Files = append(run.model.Files, detected(f.Name(), f, run.reports[i]))
	}
	return run.writeDashboard(ctx)
}

// readTarget learns pinwheel's user and the target branch (both cached in
// state) and reads the constraints file from the target through the files
// API: no clone.
func (run *projectRun) readTarget(ctx context.Context) error {
	if run.rec.UserID == 0 {
		u, _, err := run.gl.Users.CurrentUser(gitlab.WithContext(ctx))
		if err != nil {
			return fmt.Errorf("read the current user: %w", err)
		}
		run.rec.UserID = u.ID
		run.r.learnBotUsername(u.Username)
	}
	run.target = run.p.Branch
	if run.target == "" {
		run.target = run.rec.DefaultBranch
	}
	if run.target == "" {
		proj, _, err := run.gl.Projects.GetProject(run.p.Path, nil, gitlab.WithContext(ctx))
		if err != nil {
			return fmt.Errorf("read project: %w", err)
		}
		if proj.DefaultBranch == "" {
			return errors.New("read project: it has no default branch (empty repository?)")
		}
		run.target, run.rec.DefaultBranch = proj.DefaultBranch, proj.DefaultBranch
	}
	if !run.r.cfg.RepoConfig.Enabled {
		return run.readFiles(ctx, run.target)
	}
	return run.readWithRepoConfig(ctx)
}

// readFiles reads the constraints files, the first at ref (learning the
// head), the others at that head.
func (run *projectRun) readFiles(ctx context.Context, ref string) error {
	run.files = nil
	for i, path := range run.p.Files() {
		// The first read learns the head; the others read that commit, so
		// every file comes from one tree.
		if i > 0 {
			ref = run.head
		}
		f, _, err := run.gl.RepositoryFiles.GetFile(run.p.Path, path,
			&gitlab.GetFileOptions{Ref: gitlab.Ptr(ref)}, gitlab.WithContext(ctx))
		if err != nil {
			if i == 0 && errors.Is(err, gitlab.ErrNotFound) && run.p.Branch == "" {
				// The default branch may have been renamed.
				run.rec.DefaultBranch = ""
			}
			return fmt.Errorf("read %s on %s: %w", path, run.target, err)
		}
		if i == 0 {
			run.head = f.CommitID
		}
		run.files = append(run.files, readConstraints(path, f))
	}
	run.file = run.files[0]
	return nil
}

// readConstraints parses a file as the files API returned it. A file past
// constraints.MaxFileSize is not even decoded: its one error goes on the
// dashboard, and the other files and projects go on.
func readConstraints(path string, f *gitlab.File) *constraints.File {
	if f.Size > constraints.MaxFileSize {
		return constraints.Refused(path, fmt.Errorf("%w: %d bytes, the limit is %d (10 MiB)", constraints.ErrTooLarge, f.Size, constraints.MaxFileSize))
	}
	data, err := base64.StdEncoding.DecodeString(f.Content)
	if err != nil {
		return constraints.Refused(path, fmt.Errorf("decode the files API's content: %w", err))
	}
	return constraints.ParseFile(path, data)
}

// yamlOnTarget reports whether the YAML copy exists on the target, so an
// update commit creates or updates it. It is asked at most once a run,
// and only by runs that build a branch.
func (run *projectRun) yamlOnTarget(ctx context.Context) (bool, error) {
	if run.yamlOnTgt != nil {
		return *run.yamlOnTgt, nil
	}
	_, _, err := run.gl.RepositoryFiles.GetFileMetaData(run.p.Path, run.p.YAML,
		&gitlab.GetFileMetaDataOptions{Ref: gitlab.Ptr(run.head)}, gitlab.WithContext(ctx))
	exists := err == nil
	if err != nil && !errors.Is(err, gitlab.ErrNotFound) {
		return false, fmt.Errorf("read %s on %s: %w", run.p.YAML, run.target, err)
	}
	run.yamlOnTgt = &exists
	return exists, nil
}

// addFileProblems lists failed look-ups and unparsable lines.
func (run *projectRun) addFileProblems() {
	for _, res := range run.results.Results {
		if res.Err != nil {
			run.problems = append(run.problems, dashboard.Problem{
				Kind: dashboard.ProblemLookup, Subject: res.Pin.Name, Message: res.Err.Error(),
			})
		}
	}
	for _, f := range run.files {
		for _, e := range f.Errors() {
			run.problems = append(run.problems, dashboard.Problem{
				Kind: dashboard.ProblemConstraint, Subject: f.Name(), Line: e.Line, Message: e.Err.Error(),
			})
		}
	}
}

// detected is the dashboard's list of everything in the constraints file.
func detected(path string, f *constraints.File, rep *check.Report) dashboard.DependencyFile {
	df := dashboard.DependencyFile{Path: path}
	for _, res := range rep.Results {
		pin := dashboard.Pin{Line: res.Pin.Line, Name: res.Pin.Name, Version: res.Pin.Version}
		switch {
		case res.Pin.Ignored:
			pin.Ignored, pin.Note = true, "pinwheel: ignore comment"
		case res.Plan.Ignored:
			pin.Ignored, pin.Note = true, "ignored by configuration"
		}
		df.Pins = append(df.Pins, pin)
	}
	for _, u := range f.Unmanaged() {
		df.Unmanaged = append(df.Unmanaged, dashboard.UnmanagedLine{Line: u.Line, Text: u.Text, Reason: u.Reason})
	}
	for _, r := range f.References() {
		// pip reads a relative path from the referring file's directory.
		target := r.Path
		if !pathpkg.IsAbs(target) {
			target = pathpkg.Join(pathpkg.Dir(path), target)
		}
		df.References = append(df.References, dashboard.Reference{Line: r.Line, Option: r.Option, Path: target})
	}
	return df
}

// ErrIndexDown means every look-up of a project's pins failed.
var ErrIndexDown = errors.New("the package index answered no look-up")

// indexDown returns ErrIndexDown, with the first failure, when a file with
// pins to look up got no answer for any of them (a 404 is an answer: that
// pin's error, shown on the dashboard).
func indexDown(rep *check.Report) error {
	var first error
	asked := 0
	for _, r := range rep.Results {
		if r.Ignored() {
			continue
		}
		asked++
		if r.Err == nil || errors.Is(r.Err, registry.ErrNotFound) {
			return nil // the index answered
		}
		if first == nil {
			first = r.Err
		}
	}
	if asked == 0 {
		return nil
	}
	return fmt.Errorf("%w (%d of %d failed; first: %v)", ErrIndexDown, asked, asked, first)
}
