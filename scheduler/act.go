package scheduler

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/pinwheel-dev/pinwheel/constraints"
	"github.com/pinwheel-dev/pinwheel/dashboard"
	"github.com/pinwheel-dev/pinwheel/internal/stop"
	"github.com/pinwheel-dev/pinwheel/mrbot"
	"github.com/pinwheel-dev/pinwheel/plan"
	"github.com/pinwheel-dev/pinwheel/state"
)

// ticked holds, per kind, the run's own branches whose box is ticked: a
// marker only selects among branches the run computed.
type ticked map[dashboard.Kind]map[string]bool

func (run *projectRun) selectTicks(slots []*slot) ticked {
	var branches []string
	for _, s := range slots {
		branches = append(branches, s.branch)
		// The vulnerability branch's boxes count whenever the slot
		// carries a fix: its merge request may be open with no plain
		// update left.
		if s.plain != nil || s.security {
			branches = append(branches, s.branch+vulnSuffix)
		}
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
		case <-stop.Signal(ctx):
			return ErrStopping
		default:
		}
		computed[s.branch] = true
		err := run.actOn(ctx, s, t, inWindow, computed)
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
	if !run.r.deps.DryRun {
		run.pruneClosedGroups()
	}
	return nil
}

// vulnClosed is the version of the fix a person declined on branch's
// vulnerability branch: the one the state remembers, or the one its
// merge request, closed since the last run, carries ("" if none).
func (run *projectRun) vulnClosed(branch string) string {
	vb := branch + vulnSuffix
	if v := run.rec.ClosedUpdates[vb]; v != "" {
		return v
	}
	if mr, ok := run.rec.MergeRequests[vb]; ok && mr.State == "closed" {
		if _, v, ok := mrbot.ParseTitle(mr.Title); ok {
			return v
		}
	}
	return ""
}

// input is the decision input for s: what the run read and counted.
func (run *projectRun) input(s *slot, t ticked, inWindow bool) DecisionInput {
	mr, hasMR := run.rec.MergeRequests[s.branch]
	in := DecisionInput{
		Branch: s.branch, Name: s.name, Pinned: s.lowestPin(),
		Record: mr, HasRecord: hasMR, ClosedVersion: run.rec.ClosedUpdates[s.branch],
		VulnClosedVersion: run.vulnClosed(s.branch),
		Ticks: Ticks{
			Approve: t[dashboard.KindApprove][s.branch], Rebase: t[dashboard.KindRebase][s.branch],
			Retry: t[dashboard.KindRetry][s.branch], Recreate: t[dashboard.KindRecreate][s.branch],
			Unschedule: t[dashboard.KindUnschedule][s.branch], Unlimit: t[dashboard.KindUnlimit][s.branch],
		},
		InWindow: inWindow, Limits: run.p.Limits, OpenMRs: run.openCount, CreatedThisRun: run.createdThis,
		Group: s.group, Security: s.security, NoVulnData: run.vulnDown || s.res.Vulns.Missing(),
		VulnIncomplete: s.res.Vulns.Incomplete(),
	}
	withBlob := func(c *Candidate) *Candidate {
		// Only an open merge request's branch is compared with the files.
		if c != nil && !c.Ignored && hasMR && mr.State == "opened" {
			files, err := run.changes(s, c.Update)
			c.Blob, c.Err = run.blob(files), err
			c.Versions = versionsOf(s, c.Update)
		}
		return c
	}
	if s.group != "" {
		in.Offered, in.Pending = run.groupCandidates(s, in.Ticks.Recreate)
	} else {
		if s.offered != nil {
			in.Offered = &Candidate{Update: s.offered}
		}
		if s.plain != nil {
			in.Plain = &Candidate{Update: s.plain}
		}
		in.VulnOpen = run.rec.MergeRequests[s.branch+vulnSuffix].State == "opened"
		if s.pending != nil {
			in.Pending = &Candidate{Update: s.pending}
		}
	}
	in.Offered, in.Pending, in.Plain = withBlob(in.Offered), withBlob(in.Pending), withBlob(in.Plain)
	if in.Pending != nil && hasMR && mr.State == "opened" {
		if s.group != "" {
			in.PendingApproved = maps.Equal(mr.Versions, versionsOf(s, s.pending))
		} else {
			in.PendingApproved = mr.Title == s.title(s.pending)
		}
	}
	return in
}

// actOn decides and does s; a split decision goes on with the security
// update's own slot on the vulnerability branch, which is done even when
// the stream branch failed (the error returned is then the stream's).
func (run *projectRun) actOn(ctx context.Context, s *slot, t ticked, inWindow bool, computed map[string]bool) error {
	d := decide(run.input(s, t, inWindow))
	err := run.execute(ctx, s, d)
	if !d.Split {
		return err
	}
	v := s.vulnerability()
	computed[v.branch] = true
	if verr := run.execute(ctx, v, decide(run.input(v, t, inWindow))); err == nil {
		err = verr
	}
	return err
}

// create builds the branch and opens its merge request.
func (run *projectRun) create(ctx context.Context, s *slot, want *plan.Update) (state.MergeRequestRecord, error) {
	build, err := run.build(ctx, s, want, state.MergeRequestRecord{}, false)
	if err != nil {
		return state.MergeRequestRecord{}, err
	}
	mr, err := run.bot.Open(ctx, s.branch, s.title(want), run.description(s, want), run.mrLabels(want))
	if err != nil {
		return state.MergeRequestRecord{}, err
	}
	run.openCount++
	run.createdThis++
	run.report.MRsOpened++
	rec := run.record(s.branch, mr, build, versionsOf(s, want))
	if err := run.autoMerge(ctx, s, want, rec, true); err != nil {
		return state.MergeRequestRecord{}, err
	}
	return rec, nil
}

// rebuild builds the open merge request's branch again from the target
// and retitles it; keepEdits leaves a branch someone else pushed to alone
// (mrbot.ErrEdited).
func (run *projectRun) rebuild(ctx context.Context, s *slot, want *plan.Update, mr state.MergeRequestRecord, keepEdits bool) (state.MergeRequestRecord, error) {
	title := s.title(want)
	build, err := run.build(ctx, s, want, mr, keepEdits)
	if err != nil {
		return state.MergeRequestRecord{}, err
	}
	updated := build.Wrote
	if mr.Title != title || build.Wrote {
		m, err := run.bot.Update(ctx, mr.IID, title, run.description(s, want))
		if err != nil {
			return state.MergeRequestRecord{}, err
		}
		mr.Title, mr.WebURL = m.Title, firstNonEmpty(m.WebURL, mr.WebURL)
		updated = true
	}
	if updated {
		run.report.MRsUpdated++
	}
	rec := run.record(s.branch, mrbot.MergeRequest{
		IID: mr.IID, Title: mr.Title, State: mr.State, SHA: mr.SHA, WebURL: mr.WebURL, UpdatedAt: mr.UpdatedAt,
	}, build, versionsOf(s, want))
	if err := run.autoMerge(ctx, s, want, rec, build.Wrote); err != nil {
		return state.MergeRequestRecord{}, err
	}
	return rec, nil
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
		// The YAML copy follows the first file, changed or not (as
		// changes left it: no parse again).
		f := run.file
		if len(files) > 0 && files[0].Path == run.file.Name() {
			f = run.lastEdit(0)
		}
		files = append(slices.Clip(files), mrbot.File{Path: run.p.YAML, Content: constraints.YAML(f, run.file.Name()), OnTarget: onTarget})
	}
	known := ""
	if mr.BuiltSHA != "" && mr.Parent == run.head && mr.Blob == blob {
		known = mr.BuiltSHA
	}
	b, err := run.bot.Build(ctx, mrbot.Build{
		Branch:    s.branch,
		Message:   s.message(want),
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
	parts := s.parts(want)
	var out []mrbot.File
	for fi, f := range run.files {
		var edits []lineEdit
		for _, p := range parts {
			for _, l := range p.m.lines {
				if u := p.m.target(l, p.u); l.file == fi && u != nil {
					edits = append(edits, lineEdit{key: p.m.key, name: p.m.name, line: l.pin.Line, to: u.To, sha256: u.Release.SHA256()})
				}
			}
		}
		// Bottom up: new hash lines on one pin must not move the lines
		// still to edit.
		slices.SortStableFunc(edits, func(a, b lineEdit) int { return b.line - a.line })
		ed := run.edit(fi, edits)
		if ed.err != nil {
			return nil, ed.err
		}
		nf, changed := ed.file, ed.changed
		if changed > 0 {
			out = append(out, mrbot.File{Path: f.Name(), Content: nf.Bytes(), OnTarget: true})
		}
	}
	if len(out) == 0 {
		if s.group != "" {
			return nil, contentError{fmt.Errorf("update group %s: no line of %v changes", s.group, run.p.Files())}
		}
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
func (run *projectRun) record(branch string, mr mrbot.MergeRequest, b built, versions map[string]string) state.MergeRequestRecord {
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
		if rec.SHA != b.SHA {
			rec.PipelineChecked = false
		}
		rec.SHA, rec.BuiltSHA, rec.Parent, rec.Blob = b.SHA, b.SHA, run.head, b.blob
		rec.Versions = versions
	}
	run.rec.MergeRequests[branch] = rec
	return rec
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
	if s.group != "" {
		return run.groupDescription(s, want)
	}
	u := mrbot.Update{
		Name: s.name, From: want.From, To: want.To, Type: string(want.Type),
		Released: want.ReleaseDate, Fixes: s.res.Fixes(*want),
		Security: want.Security, Advisories: securityAdvisories(s, want), Unfixed: securityUnfixed(s, want),
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
