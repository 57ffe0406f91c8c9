// Package deploy moves a project's deployment branch (by default
// `production`) to a chosen commit and records the move as a GitLab
// deployment, so the team's pipelines, which deliver on pushes to that
// branch, can be driven and rolled back from one command.
//
// A deploy checks the commit through the GitLab API (it must be on a
// branch of the project), reads the branch's
// current commit, records a "running" deployment, and then moves the branch
// with the real git binary using `--force-with-lease` against the commit it
// read: if anyone moved the branch in between, the branch is left where
// they put it and the caller gets a *LeaseError. The deployment is then
// marked success, failed or canceled (the lease case). A rollback picks an
// earlier successful deployment of the environment and deploys its commit
// through the same path.
//
// The package owns the git side (a throwaway bare repository, fetch, push)
// and the deployment bookkeeping. It does not own flags or token lookup
// from the process (cmd/pinwheel does that with gitlabauth.FromLookupEnv) and
// it never builds, tests or runs the project it deploys: the pipelines
// triggered by the branch move do.
//
// Tokens reach git only through the environment of the child process and a
// credential helper that reads it, never through argv; any text relayed from
// git is scrubbed of the token first.
package deploy
