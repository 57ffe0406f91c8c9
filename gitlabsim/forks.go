package gitlabsim

import (
	"fmt"
	"maps"
)

// ForkProject forks p to path, as "Fork" in GitLab's UI does: the fork has
// p's branches and shares its object pool, so commits pushed to the fork
// are known to p too (GitLab fetches them into the target as
// refs/merge-requests/:iid/head).
func (s *Server) ForkProject(p *Project, path string) *Project {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ids.project++
	f := &Project{
		ID: s.ids.project, Path: path, DefaultBranch: p.DefaultBranch,
		MergeMethod: p.MergeMethod, CI: p.CI, CreatedAt: s.now(),
		repo: &repo{commits: p.repo.commits, branches: maps.Clone(p.repo.branches), seq: p.repo.seq},
	}
	s.projects = append(s.projects, f)
	return f
}

// OpenMR opens a merge request as the user author, as a person does in the
// UI: from source's sourceBranch into target's targetBranch. source is
// target itself or a fork of it (ForkProject). It returns the IID.
func (s *Server) OpenMR(target, source *Project, sourceBranch, targetBranch, title string, author User) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := source.repo.branches[sourceBranch]; !ok {
		return 0, fmt.Errorf("open MR: %s has no branch %s", source.Path, sourceBranch)
	}
	if _, ok := target.repo.branches[targetBranch]; !ok {
		return 0, fmt.Errorf("open MR: %s has no branch %s", target.Path, targetBranch)
	}
	s.ids.mr++
	target.nextIID.mr++
	now := s.now()
	mr := &MergeRequest{
		ID: s.ids.mr, IID: target.nextIID.mr, Title: title,
		SourceBranch: sourceBranch, TargetBranch: targetBranch, State: "opened",
		AuthorID: author.ID, CreatedAt: now, UpdatedAt: now,
		sha: source.repo.branches[sourceBranch],
	}
	if source != target {
		mr.source = source
	}
	target.mrs = append(target.mrs, mr)
	return mr.IID, nil
}

// sourceProject is the project a merge request's source branch lives in.
func sourceProject(p *Project, mr *MergeRequest) *Project {
	if mr.source != nil {
		return mr.source
	}
	return p
}

// mrsFrom lists the merge requests whose source branch lives in p: p's
// own and those opened from p (a fork) into other projects.
func (s *Server) mrsFrom(p *Project) []*MergeRequest {
	var out []*MergeRequest
	for _, mr := range p.mrs {
		if mr.source == nil {
			out = append(out, mr)
		}
	}
	for _, q := range s.projects {
		for _, mr := range q.mrs {
			if mr.source == p {
				out = append(out, mr)
			}
		}
	}
	return out
}
