package scheduler

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/dashboard"
)

// readWithRepoConfig reads the constraints files with the project's
// .pinwheel.yaml merged over its central entry (config.ParseRepoConfig),
// both at one commit of the target branch. The file is read at the head
// the constraints file came from, and not at all when the head is the
// one it was last read at (the record keeps its text), so an unchanged
// branch costs no extra request. When the file names other constraints
// files, those are read at the same head. When the central constraints
// file is missing, .pinwheel.yaml is read from the branch itself, since
// it may name the right one.
func (run *projectRun) readWithRepoConfig(ctx context.Context) error {
	central := run.p
	defaultBranch := run.rec.DefaultBranch
	err := run.readFiles(ctx, run.target)
	if err != nil {
		if !errors.Is(err, gitlab.ErrNotFound) {
			return err
		}
		found, rerr := run.readRepoConfig(ctx, run.target)
		if rerr != nil {
			return errors.Join(err, rerr)
		}
		if !found || slices.Equal(run.p.Files(), central.Files()) {
			return err
		}
		run.rec.DefaultBranch = defaultBranch
		return run.readFiles(ctx, run.head)
	}
	if _, err := run.readRepoConfig(ctx, run.head); err != nil {
		return err
	}
	if slices.Equal(run.p.Files(), central.Files()) {
		return nil
	}
	return run.readFiles(ctx, run.head)
}

// readRepoConfig reads .pinwheel.yaml at ref (a commit, or the target
// branch, whose head it then learns) and merges it into run.p. A broken
// file goes on the dashboard with its file:line, and run.p stays the
// central entry. found reports whether the file exists.
func (run *projectRun) readRepoConfig(ctx context.Context, ref string) (found bool, err error) {
	text := run.rec.RepoConfig
	if ref == "" || ref != run.rec.RepoConfigAt {
		f, _, err := run.gl.RepositoryFiles.GetFile(run.p.Path, config.RepoConfigFile,
			&gitlab.GetFileOptions{Ref: gitlab.Ptr(ref)}, gitlab.WithContext(ctx))
		switch {
		case errors.Is(err, gitlab.ErrNotFound):
			if ref == run.head {
				run.rec.RepoConfigAt, run.rec.RepoConfig = ref, ""
			}
			return false, nil
		case err != nil:
			return false, fmt.Errorf("read %s on %s: %w", config.RepoConfigFile, run.target, err)
		}
		if ref == run.target {
			run.head = f.CommitID
		}
		if text, err = repoConfigText(f); err != nil {
			run.repoConfigProblem(err)
			return true, nil
		}
		run.rec.RepoConfigAt, run.rec.RepoConfig = run.head, text
	}
	if text == "" {
		return false, nil
	}
	p, err := config.ParseRepoConfig(config.RepoConfigFile, []byte(text), run.p, run.r.cfg.RepoConfig.AllowedKeys)
	if err != nil {
		run.repoConfigProblem(err)
		return true, nil
	}
	run.p = p
	return true, nil
}

func repoConfigText(f *gitlab.File) (string, error) {
	if f.Size > config.MaxRepoConfigSize {
		return "", fmt.Errorf("%s: %d bytes, the limit is %d", config.RepoConfigFile, f.Size, config.MaxRepoConfigSize)
	}
	data, err := base64.StdEncoding.DecodeString(f.Content)
	if err != nil {
		return "", fmt.Errorf("%s: decode the files API's content: %w", config.RepoConfigFile, err)
	}
	if len(data) == 0 {
		return "", nil
	}
	return string(data), nil
}

// repoConfigProblem lists each of err's problems on the dashboard: a
// *config.Error as its file and line (the Problem's Subject and Line, so
// the log has them as fields too) and "key: message", others as they are.
func (run *projectRun) repoConfigProblem(err error) {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	const after = " (the project runs on its central settings)"
	for _, e := range errs {
		p := dashboard.Problem{Kind: dashboard.ProblemRepoConfig, Message: e.Error() + after}
		var ce *config.Error
		if errors.As(e, &ce) {
			p.Subject, p.Line, p.Message = ce.File, ce.Line, ce.Msg+after
			if ce.Path != "" {
				p.Message = ce.Path + ": " + p.Message
			}
		}
		run.problems = append(run.problems, p)
	}
}
