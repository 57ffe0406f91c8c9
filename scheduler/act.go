package scheduler

import (
	"context"
	"errors"
	"fmt"

	"github.com/pinwheel-dev/pinwheel/constraints"
	"github.com/pinwheel-dev/pinwheel/daemon"
	"github.com/pinwheel-dev/pinwheel/dashboard"
	"github.com/pinwheel-dev/pinwheel/mrbot"
	"github.com/pinwheel-dev/pinwheel/plan"
	"github.com/pinwheel-dev/pinwheel/state"
)

// ticked holds, per kind, the run's own branches whose box is ticked: a
// marker only selects among branches the run computed.
type ticked map[dashboard.Kind]map[string]bool

func (run *projectRun) selectTicks(slots []*slot) ticked {
	branches := make([]string, len(slots))
	for i, s := range slots {
		branches[i] = s.branch
	}
	t := ticked{}
	for _, k := range dashboard.PerBranchKinds() {
		t[k] = map[string]bool{}
		for _, b := range run.ticks.Selected(k, branches) {
			t[k][b] = true
		}
	}
	return t
}

// consume marks a box as acted on, with the bulk box that may have ticked
// it, so the dashboard write unticks them.
func (run *projectRun) consume(kind dashboard.Kind, branch string) {
	run.consumed[dashboard.Box{Kind: kind, Branch: branch}] = true
	if bulk, ok := kind.Bulk(); ok && run.ticks.Has(bulk, "") {
		run.consumed[dashboard.Box{Kind: bulk}] = true
	}
}

// act decides, branch by branch in file order, what the run does, does it
// through mrbot and fills the dashboard model. A failed action is an error
// for that update and the run goes on, unless GitLab itself is failing.
func (run *projectRun) act(ctx context.Context, slots []*slot) error {
	t := run.selectTicks(slots)
	computed := map[string]bool{}
	for _, mr := range run.rec.MergeRequests {
		if mr.State == "opened" {
			run.openCount++
		}
	}
	inWindow := run.p.Schedule.Contains(run.now)
	for _, s := range slots {
		// At shutdown, the update in hand was finished (its branch and
		// merge request); start no other. The dashboard is not written
		// from a half-done model: the next run writes it whole and
		// unticks what this one did.
		select {
		case <-daemon.Stopping(ctx):
			return ErrStopping
		default:
		}
		computed[s.branch] = true
		err := run.actOn(ctx, s, t, inWindow)
		if err == nil {
			continue
		}
		var ce contentError
		if fatal(err) && !errors.As(err, &ce) {
			return err
		}
		run.log.WithField("branch", s.branch).WithError(err).Warn("update failed")
		run.problems = append(run.problems, dashboard.Problem{
			Kind: dashboard.ProblemAPI, Subject: s.branch, Message: err.Error(), RetryBranch: s.branch,
		})
	}
	if err := run.tidy(ctx, computed); err != nil {
		return err
	}
	run.pruneRecords(computed)
	return nil
}

func (run *projectRun) actOn(ctx context.Context, s *slot, t ticked, inWindow bool) error {
	if run.holdSecurityMR(s) {
		return nil
	}
	approved := s.pending != nil && t[dashboard.KindApprove][s.branch]
	want := s.want(approved)
	if s.pending != nil && want != s.pending {
		run.model.PendingReleaseAge = append(run.model.PendingReleaseAge, entry(s, s.pending))
	}
	if want == nil {
		// An open merge request is listed, or closed as obsolete, by tidy.
		run.idle[s.branch] = true
		return nil
	}
	title := updateTitle(s, want)
	mr, hasMR := run.rec.MergeRequests[s.branch]
	// A closed MR is matched by title, like Renovate does; the version
	// remembered in state covers a retitled or vanished one.
	closedBefore := run.rec.ClosedUpdates[s.branch] == want.To
	switch {
	case hasMR && mr.State == "opened":
		return run.keepCurrent(ctx, s, want, mr, t, approved)
	case hasMR && mr.State == "merged" && mr.Title == title:
		return nil
	case hasMR && mr.State == "locked":
		// GitLab is merging it right now; neither open for a rebuild nor
		// closed by a person.
		run.model.Open = append(run.model.Open, dashboard.Entry{Branch: s.branch, Title: mr.Title, MR: mrEntry(mr)})
		return nil
	case hasMR && mr.State != "merged" && (mr.Title == title || closedBefore):
		return run.closed(ctx, s, want, mr, t, approved)
	case !hasMR && closedBefore:
		return run.closed(ctx, s, want, state.MergeRequestRecord{}, t, approved)
	}

	retry := t[dashboard.KindRetry][s.branch]
	bypass := t[dashboard.KindUnschedule][s.branch] || t[dashboard.KindUnlimit][s.branch] || approved || retry || want.Security
	limited := run.limited()
	if !bypass && (!inWindow || limited) {
		e := entry(s, want)
		if !inWindow {
			run.model.AwaitingSchedule = append(run.model.AwaitingSchedule, e)
		} else {
			run.model.RateLimited = append(run.model.RateLimited, e)
		}
		return nil
	}
	if err := run.create(ctx, s, want); err != nil {
		if !inWindow {
			e := entry(s, want)
			e.Ticked = t[dashboard.KindUnschedule][s.branch]
			run.model.AwaitingSchedule = append(run.model.AwaitingSchedule, e)
		}
		return err
	}
	for _, k := range []dashboard.Kind{dashboard.KindUnschedule, dashboard.KindUnlimit, dashboard.KindRetry} {
		if t[k][s.branch] {
			run.consume(k, s.branch)
		}
	}
	if approved {
		run.consume(dashboard.KindApprove, s.branch)
	}
	return nil
}

// limited reports whether the rate limits hold back a new merge request.
func (run *projectRun) limited() bool {
	l := run.p.Limits
	return l.OpenMRs > 0 && run.openCount >= l.OpenMRs ||
		l.NewMRsPerRun > 0 && run.createdThis >= l.NewMRsPerRun
}

// closed handles an update whose merge request was closed without
// merging: it is not proposed again (a newer version is) unless its
// recreate box is ticked. The first run that sees it says so on the merge
// request, once.
func (run *projectRun) closed(ctx context.Context, s *slot, want *plan.Update, mr state.MergeRequestRecord, t ticked, approved bool) error {
	if run.rec.ClosedUpdates == nil {
		run.rec.ClosedUpdates = map[string]string{}
	}
	if !run.r.deps.DryRun {
		run.rec.ClosedUpdates[s.branch] = want.To
	}
	if mr.IID != 0 && !mr.Noted {
		if err := run.bot.NoteClosed(ctx, mr.IID, s.name, want.To); err != nil {
			return err
		}
		// Like Renovate, the branch goes with the merge request; a
		// recreate tick builds it again.
		if err := run.bot.RemoveBranch(ctx, s.branch, updateTitle(s, want), mr.BuiltSHA); err != nil && !errors.Is(err, mrbot.ErrEdited) {
			return err
		}
		run.touched[s.branch] = true
		if !run.r.deps.DryRun {
			mr.Noted = true
			run.rec.MergeRequests[s.branch] = mr
		}
	}
	if !t[dashboard.KindRecreate][s.branch] {
		e := entry(s, want)
		if e.MR = mrEntry(mr); e.MR != nil {
			e.MR.Pipeline = "" // a closed MR's pipeline tells nothing
		}
		run.model.Closed = append(run.model.Closed, e)
		return nil
	}
	if err := run.create(ctx, s, want); err != nil {
		return err
	}
	delete(run.rec.ClosedUpdates, s.branch)
	run.consume(dashboard.KindRecreate, s.branch)
	if approved {
		run.consume(dashboard.KindApprove, s.branch)
	}
	return nil
}

// create builds the branch and opens its merge request.
func (run *projectRun) create(ctx context.Context, s *slot, want *plan.Update) error {
	build, err := run.build(ctx, s, want, state.MergeRequestRecord{}, false)
	if err != nil {
		return err
	}
	title := updateTitle(s, want)
	mr, err := run.bot.Open(ctx, s.branch, title, run.description(s, want), run.mrLabels(want))
	if err != nil {
		return err
	}
	run.openCount++
	run.createdThis++
	run.report.MRsOpened++
	rec := run.record(s.branch, mr, build)
	if err := run.autoMerge(ctx, s, want, rec, true); err != nil {
		return err
	}
	e := entry(s, want)
	e.MR = mrEntry(rec)
	run.model.Open = append(run.model.Open, e)
	return nil
}

// keepCurrent keeps an open merge request current, at any time (like
// Renovate's updateNotScheduled): rebuilt from the target when a newer
// release arrived, the target's constraints changed, or its rebase box is
// ticked. The window only holds back merge requests nobody asked for.
func (run *projectRun) keepCurrent(ctx context.Context, s *slot, want *plan.Update, mr state.MergeRequestRecord, t ticked, approved bool) error {
	rebase := t[dashboard.KindRebase][s.branch] || t[dashboard.KindRetry][s.branch] || approved
	title := updateTitle(s, want)
	changes, err := run.changes(s, want)
	if err != nil {
		return err
	}
	// A head other than the one pinwheel recorded is not enough to call
	// the branch someone else's: a run that lost the answer to its commit
	// left pinwheel's own head there, with the MR still to retitle. The
	// build looks at the head commit itself and leaves a person's alone
	// (mrbot.ErrEdited) until they tick rebase.
	stale := mr.Title != title || mr.BuiltSHA == "" || mr.Blob != run.blob(changes)
	e := entry(s, want)
	if !rebase && !stale {
		if err := run.autoMerge(ctx, s, want, mr, false); err != nil {
			return err
		}
		e.Title, e.MR = mr.Title, mrEntry(mr)
		run.model.Open = append(run.model.Open, e)
		return nil
	}
	build, err := run.build(ctx, s, want, mr, !rebase)
	if errors.Is(err, mrbot.ErrEdited) {
		e.Title, e.MR = mr.Title, mrEntry(mr)
		run.model.Open = append(run.model.Open, e)
		return nil
	}
	if err != nil {
		return err
	}
	updated := build.Wrote
	if mr.Title != title || build.Wrote {
		m, err := run.bot.Update(ctx, mr.IID, title, run.description(s, want))
		if err != nil {
			return err
		}
		mr.Title, mr.WebURL = m.Title, firstNonEmpty(m.WebURL, mr.WebURL)
		updated = true
	}
	if updated {
		run.report.MRsUpdated++
	}
	rec := run.record(s.branch, mrbot.MergeRequest{
		IID: mr.IID, Title: mr.Title, State: mr.State, SHA: mr.SHA, WebURL: mr.WebURL, UpdatedAt: mr.UpdatedAt,
	}, build)
	if err := run.autoMerge(ctx, s, want, rec, build.Wrote); err != nil {
		return err
	}
	for _, k := range []dashboard.Kind{dashboard.KindRebase, dashboard.KindRetry, dashboard.KindApprove} {
		if t[k][s.branch] {
			run.consume(k, s.branch)
		}
	}
	e.MR = mrEntry(rec)
	run.model.Open = append(run.model.Open, e)
	return nil
}

// built is a branch build and the blob of the constraints files in it.
type built struct {
	mrbot.Built
	blob string
}

// build makes the branch carry want, on the target head read this run;
// keepEdits leaves a branch with someone else's commits alone
// (mrbot.ErrEdited).
func (run *projectRun) build(ctx context.Context, s *slot, want *plan.Update, mr state.MergeRequestRecord, keepEdits bool) (built, error) {
	files, err := run.changes(s, want)
	if err != nil {
		return built{}, err
	}
	blob := run.blob(files)
	run.touched[s.branch] = true
	if run.p.YAML != "" {
		onTarget, err := run.yamlOnTarget(ctx)
		if err != nil {
			return built{}, err
		}
		// The YAML copy follows the first file, changed or not.
		first := run.file.Bytes()
		if len(files) > 0 && files[0].Path == run.file.Name() {
			first = files[0].Content
		}
		f := constraints.ParseFile(run.file.Name(), first)
		files = append(files, mrbot.File{Path: run.p.YAML, Content: constraints.YAML(f, run.file.Name()), OnTarget: onTarget})
	}
	known := ""
	if mr.BuiltSHA != "" && mr.Parent == run.head && mr.Blob == blob {
		known = mr.BuiltSHA
	}
	b, err := run.bot.Build(ctx, mrbot.Build{
		Branch:    s.branch,
		Message:   updateTitle(s, want) + "\n\nFrom " + want.From + " to " + want.To + ".\n",
		Base:      run.head,
		Files:     files,
		Known:     known,
		KeepEdits: keepEdits,
	})
	if err != nil {
		return built{}, err
	}
	return built{Built: b, blob: blob}, nil
}

// contentError is an update pinwheel could not write into the files (the
// index's data did not fit the pin, say): that update fails, the run goes
// on.
type contentError struct{ err error }

func (e contentError) Error() string { return e.err.Error() }
func (e contentError) Unwrap() error { return e.err }

// changes are the constraints files on the target with the slot's lines
// moved for want: every listed file whose text changes, in config order.
func (run *projectRun) changes(s *slot, want *plan.Update) ([]mrbot.File, error) {
	var out []mrbot.File
	for fi, f := range run.files {
		nf := constraints.ParseFile(f.Name(), f.Bytes())
		changed := 0
		// Bottom up: new hash lines on one pin must not move the lines
		// still to edit.
		for i := len(s.lines) - 1; i >= 0; i-- {
			l := s.lines[i]
			u := s.target(l, want)
			if l.file != fi || u == nil {
				continue
			}
			n, err := nf.SetLine(s.key, l.pin.Line, u.To, u.Release.SHA256())
			if err != nil {
				return nil, contentError{fmt.Errorf("update %s in %s: %w", s.name, f.Name(), err)}
			}
			changed += n
		}
		if changed > 0 {
			out = append(out, mrbot.File{Path: f.Name(), Content: nf.Bytes(), OnTarget: true})
		}
	}
	if len(out) == 0 {
		return nil, contentError{fmt.Errorf("update %s to %s: no line of %v changes", s.name, want.To, run.p.Files())}
	}
	return out, nil
}

// blob identifies the constraints contents a branch carries: the git blob
// of the file for a one-file project (as state records it), else of every
// changed file's path and contents.
func (run *projectRun) blob(files []mrbot.File) string {
	if len(run.files) == 1 && len(files) == 1 {
		return mrbot.BlobID(files[0].Content)
	}
	var all []byte
	for _, f := range files {
		all = append(all, f.Path...)
		all = append(all, 0)
		all = append(all, f.Content...)
		all = append(all, 0)
	}
	return mrbot.BlobID(all)
}

// record stores what the run knows of the branch's merge request now.
func (run *projectRun) record(branch string, mr mrbot.MergeRequest, b built) state.MergeRequestRecord {
	if run.r.deps.DryRun {
		rec := run.rec.MergeRequests[branch]
		rec.Title, rec.State = mr.Title, "opened"
		return rec
	}
	rec := run.remember(branch, mr)
	if b.SHA != "" {
		if rec.SHA != b.SHA || b.PipelineID > rec.PipelineID {
			rec.PipelineID, rec.Pipeline = b.PipelineID, b.Pipeline
		}
		rec.SHA, rec.BuiltSHA, rec.Parent, rec.Blob = b.SHA, b.SHA, run.head, b.blob
	}
	run.rec.MergeRequests[branch] = rec
	return rec
}

func entry(s *slot, u *plan.Update) dashboard.Entry {
	e := dashboard.Entry{
		Branch: s.branch, Title: updateTitle(s, u), From: u.From, To: u.To,
		UpdateType: string(u.Type), Released: u.ReleaseDate,
	}
	if u.Pending {
		e.Eligible = u.EligibleAt
	}
	return e
}

func mrEntry(mr state.MergeRequestRecord) *dashboard.MergeRequest {
	if mr.IID == 0 {
		return nil
	}
	return &dashboard.MergeRequest{IID: int(mr.IID), WebURL: mr.WebURL, Pipeline: mr.Pipeline}
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// description is the merge request description for want.
func (run *projectRun) description(s *slot, want *plan.Update) string {
	u := mrbot.Update{
		Name: s.name, From: want.From, To: want.To, Type: string(want.Type),
		Released: want.ReleaseDate, Fixes: s.res.Fixes(*want),
		Security: want.Security, Advisories: securityAdvisories(s, want),
	}
	if s.res.Project != nil {
		u.Links = s.res.Project.Links
	}
	if files, err := run.changes(s, want); err == nil {
		for _, f := range files {
			u.Files = append(u.Files, f.Path)
		}
	}
	if run.p.YAML != "" {
		u.Files = append(u.Files, run.p.YAML)
	}
	moved := map[[2]int]*plan.Update{} // (file, line) -> target
	for _, l := range s.lines {
		if t := s.target(l, want); t != nil {
			moved[[2]int{l.file, l.pin.Line}] = t
		}
	}
	seenHash := map[string]bool{}
	for fi, f := range run.files {
		for _, p := range f.Lookup(s.key) {
			if p.Ignored {
				continue
			}
			line := mrbot.PinLine{Line: p.Line, From: p.Version, Marker: p.Marker}
			if len(run.files) > 1 {
				line.File = f.Name()
			}
			if t := moved[[2]int{fi, p.Line}]; t != nil {
				line.To = t.To
				for _, h := range t.Release.SHA256() {
					if len(p.Hashes) > 0 && !seenHash[h] {
						seenHash[h] = true
						u.Hashes = append(u.Hashes, h)
					}
				}
			}
			u.Pins = append(u.Pins, line)
		}
	}
	return mrbot.Description(u, run.now)
}
