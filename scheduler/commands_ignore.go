package scheduler

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pinwheel-dev/pinwheel/dashboard"
	"github.com/pinwheel-dev/pinwheel/mdtext"
	"github.com/pinwheel-dev/pinwheel/mrbot"
	"github.com/pinwheel-dev/pinwheel/mrcmd"
	"github.com/pinwheel-dev/pinwheel/pep440"
	"github.com/pinwheel-dev/pinwheel/pkgname"
	"github.com/pinwheel-dev/pinwheel/plan"
	"github.com/pinwheel-dev/pinwheel/state"
)

// scopes maps an ignore command to its rule's scope.
var scopes = map[mrcmd.Kind]plan.IgnoreScope{
	mrcmd.IgnoreMajor:      plan.IgnoreMajor,
	mrcmd.IgnoreMinor:      plan.IgnoreMinor,
	mrcmd.IgnoreVersion:    plan.IgnoreVersion,
	mrcmd.IgnoreDependency: plan.IgnoreDependency,
}

// ignore stores the rules, closes the merge request (and deletes its
// branch unless someone else pushed to it) and answers. On a group merge
// request a named member gets the rule and the group is rebuilt without
// it (this run's plan follows the rule); "ignore this major|minor"
// without a name covers every member and closes it, like Dependabot's
// grouped pull requests. Each step is safe to repeat: a rule is keyed,
// closing a closed merge request changes nothing.
func (c *mrCommand) ignore(ctx context.Context, cmd mrcmd.Command) (string, error) {
	run, branch := c.run, c.mr.SourceBranch
	members, all, refusal := c.ignoredMembers(cmd)
	if refusal != "" {
		return c.refuse(ctx, refusal)
	}
	var whats, markers []string
	for _, pkg := range slices.Sorted(maps.Keys(members)) {
		version := members[pkg]
		target, err := pep440.Parse(version)
		if err != nil {
			return c.refuse(ctx, fmt.Sprintf("the version of %s, %s, is not a PEP 440 version.", mdtext.Code(pkg, mdtext.Short), mdtext.Code(version, mdtext.Short)))
		}
		ig, err := plan.IgnoreFor(scopes[cmd.Kind], target)
		if err != nil {
			return "", err
		}
		rule := state.IgnoreRule{
			Key: ignoreKey(pkg, ig), Package: pkg,
			Scope: string(ig.Scope), Value: ig.Value(), By: c.who, MRIID: c.rec.MRIID, Created: run.now,
		}
		if err := run.r.deps.State.PutIgnore(run.p.Path, rule); err != nil {
			return "", err
		}
		whats = append(whats, mdtext.Code(pkg, mdtext.Short)+" to "+ignoredWhat(ig))
		markers = append(markers, ruleConfirmation(rule.Key))
	}
	// The hidden markers confirm the rules: a run with a new state file
	// recovers a rule from the dashboard only when this note carries it.
	listed := " The rule is listed under \"Closed / Ignored\" on the dependency dashboard; ticking its box lifts it.\n\n" + strings.Join(markers, "\n")
	if !all {
		return c.done(ctx, "pinwheel offers no update of "+whats[0]+" from now on, and rebuilds this group's merge request without it."+listed)
	}
	if c.mr.State == "opened" {
		mr := run.rec.MergeRequests[branch]
		closed, err := run.bot.Dismiss(ctx, mrbot.Obsolete{
			IID: c.mr.IID, Branch: branch, Title: c.mr.Title, Known: mr.BuiltSHA,
			Reason: "@" + c.who + " asked to ignore it",
		})
		if err != nil {
			return "", err
		}
		if run.rec.MergeRequests == nil {
			run.rec.MergeRequests = map[string]state.MergeRequestRecord{}
		}
		run.changeRecord(branch, func(r *state.MergeRequestRecord) {
			r.IID, r.State, r.Title, r.Noted = c.mr.IID, "closed", closed.Title, true
		})
		run.touched[branch] = true
	}
	return c.done(ctx, "pinwheel offers no update of "+strings.Join(whats, ", ")+" from now on, and closes this merge request."+listed)
}

// ignoredMembers is what an ignore command covers: package (PEP 503
// name) -> the version the merge request offers it, and whether that is
// everything the merge request carries (then it is closed); or why not.
func (c *mrCommand) ignoredMembers(cmd mrcmd.Command) (members map[string]string, all bool, refusal string) {
	run, branch := c.run, c.mr.SourceBranch
	named := pkgname.Normalize(cmd.Package)
	if !isGroupBranch(run.p.BranchPrefix, branch) {
		name, version, ok := mrbot.ParseTitle(strings.TrimSuffix(c.mr.Title, mrbot.AutoclosedSuffix))
		if !ok {
			return nil, false, "pinwheel cannot tell from this merge request's title which update it carries."
		}
		if cmd.Package != "" && named != pkgname.Normalize(name) {
			return nil, false, fmt.Sprintf("this merge request updates %s, not %s.", mdtext.Code(name, mdtext.Short), mdtext.Code(cmd.Package, mdtext.Short))
		}
		return map[string]string{pkgname.Normalize(name): version}, true, ""
	}
	versions := run.rec.MergeRequests[branch].Versions
	if rec := run.rec.MergeRequests[branch]; rec.IID != c.mr.IID || len(versions) == 0 {
		return nil, false, "pinwheel does not know which packages this group's merge request carries."
	}
	names := make([]string, 0, len(versions))
	for _, pkg := range slices.Sorted(maps.Keys(versions)) {
		names = append(names, mdtext.Code(pkg, mdtext.Short))
	}
	example := fmt.Sprintf("`@%s %s %s`", c.self, strings.TrimRight(strings.ToLower(cmd.Words), ".!"), "<package>")
	switch {
	case cmd.Package != "":
		v, ok := versions[named]
		if !ok {
			return nil, false, fmt.Sprintf("%s is not in this group; it updates %s.", mdtext.Code(cmd.Package, mdtext.Short), strings.Join(names, ", "))
		}
		return map[string]string{named: v}, len(versions) == 1, ""
	case cmd.Kind == mrcmd.IgnoreVersion || cmd.Kind == mrcmd.IgnoreDependency:
		return nil, false, fmt.Sprintf("this merge request updates several packages (%s); name the one to ignore: %s.", strings.Join(names, ", "), example)
	}
	return maps.Clone(versions), true, ""
}

// ignoreKey is a rule's key, which the unignore box carries: it must
// pass dashboard.ValidBranch. A PEP 503 name does; of a normalised
// version, the epoch's "!" and the local part's "+" do not and are
// spelt "_epoch_" and "_local_" (a normalised version has no "_", so
// keys stay distinct).
func ignoreKey(pkg string, ig plan.Ignore) string {
	if ig.Scope == plan.IgnoreDependency {
		return "ignore/" + pkg + "/dependency"
	}
	return "ignore/" + pkg + "/" + string(ig.Scope) + "/" + keyVersion.Replace(ig.Value())
}

var keyVersion = strings.NewReplacer("!", "_epoch_", "+", "_local_")

// rekey gives a rule stored under a key without an unignore box (written
// before ignoreKey spelt epochs and local versions) its current key.
func (run *projectRun) rekey(r state.IgnoreRule) (state.IgnoreRule, error) {
	ig, err := plan.ParseIgnore(r.Scope, r.Value)
	if err != nil || dashboard.ValidBranch(r.Key) || ignoreKey(r.Package, ig) == r.Key || run.r.deps.DryRun {
		return r, nil
	}
	old := r.Key
	r.Key = ignoreKey(r.Package, ig)
	db := run.r.deps.State
	if err := db.PutIgnore(run.p.Path, r); err != nil {
		return r, err
	}
	return r, db.DeleteIgnore(run.p.Path, old)
}

// lift lifts a rule whose unignore box is ticked, once pinwheel's note
// on its merge request says so (noteLift); a dry run only tells.
func (run *projectRun) lift(ctx context.Context, r state.IgnoreRule) (bool, error) {
	if !run.r.deps.DryRun {
		ok, err := run.noteLift(ctx, r)
		if err != nil || !ok {
			return false, err
		}
		if err := run.r.deps.State.DeleteIgnore(run.p.Path, r.Key); err != nil {
			return false, err
		}
	}
	run.consume(dashboard.KindUnignore, r.Key)
	run.log.WithField("rule", r.Key).Info("ignore rule lifted from the dashboard")
	return true, nil
}

// ignoredWhat says in words what a rule covers.
func ignoredWhat(ig plan.Ignore) string {
	switch ig.Scope {
	case plan.IgnoreMajor:
		return "any release of major version " + ig.Value()
	case plan.IgnoreMinor:
		return "any release of " + ig.Value() + ".x"
	case plan.IgnoreVersion:
		return "version " + ig.Value()
	}
	return "any version"
}

// ignores lifts the rules whose unignore box is ticked, lists the others
// on the dashboard and returns the check rules with them applied. A rule
// that no longer parses is listed (so its box can lift it) and skipped.
func (run *projectRun) ignores(ctx context.Context, rules map[string]plan.Rule) (map[string]plan.Rule, error) {
	db := run.r.deps.State
	stored, err := db.Ignores(run.p.Path)
	if err != nil {
		return rules, err
	}
	if stored, err = run.recoverIgnores(ctx, stored); err != nil || len(stored) == 0 {
		return rules, err
	}
	out := make(map[string]plan.Rule, len(rules)+len(stored))
	for k, v := range rules {
		out[k] = v
	}
	for _, r := range stored {
		if r, err = run.rekey(r); err != nil {
			return nil, err
		}
		if run.ticks.Has(dashboard.KindUnignore, r.Key) {
			lifted, err := run.lift(ctx, r)
			if err != nil {
				return nil, err
			}
			if lifted {
				continue
			}
		}
		ig, err := plan.ParseIgnore(r.Scope, r.Value)
		var what string
		if err != nil {
			what = "a rule pinwheel cannot read: " + err.Error()
		} else {
			what = ignoredWhat(ig)
			rule := out[r.Package]
			rule.Skip = append(append([]plan.Ignore(nil), rule.Skip...), ig)
			out[r.Package] = rule
		}
		run.model.Ignored = append(run.model.Ignored, dashboard.IgnoreRule{
			Key: r.Key, Package: r.Package, What: what, By: r.By, MRIID: int(r.MRIID), Scope: r.Scope, Value: r.Value,
		})
	}
	return out, nil
}
