// Package gitlabsim is an in-process, stateful simulator of the GitLab REST
// API v4, served over real HTTP (httptest on 127.0.0.1) so that the real
// client, gitlab.com/gitlab-org/api/client-go/v2, talks to it exactly as it
// would to gitlab.com: give client-go WithBaseURL(sim.URL()).
//
// It owns an in-memory model: users and tokens, projects with a real commit
// graph (content-addressed commits, each holding a full file tree),
// branches, merge requests, issues, notes, labels, pipelines, deployments
// and environments. The HTTP side follows GitLab's documented status codes
// and error bodies (https://docs.gitlab.com/api/rest/troubleshooting/):
// Grape's {"error":"title is missing"} for absent parameters, helper
// {"message":"404 Branch Not Found"} errors, model validations as
// {"message":{"title":[...]}}, offset pagination with X-* and Link
// headers. An edit of an issue's description that ticks or unticks a
// checklist item adds GitLab's system note ("marked the checklist item
// **…** as completed"), by the editor, through the API and EditIssue alike.
// Routing works on the escaped path, since client-go sends path
// arguments escaped (pinwheel%2Frequests-2%2Ex).
//
// The Go side gives tests "human" hooks (Commit, EditIssue, CloseIssue,
// MergeMR, CloseMR, SetPipelineStatus, RenameProject), read-back accessors
// (File, Branch, Commits, CommitDiff, Issue, MergeRequest, ...), fault
// injection (FailNext, RateLimit, SetLatency) and request counters (Stats)
// for benchmarks.
//
// Endpoints, below /api/v4:
//
//	GET  /user
//	GET  /projects/:id                                   (301 after RenameProject)
//	GET|HEAD /projects/:id/repository/files/:file_path[/raw]
//	GET|POST /projects/:id/repository/branches, GET|DELETE …/branches/:branch
//	GET|POST /projects/:id/repository/commits, GET …/commits/:sha[/diff]
//	GET  /projects/:id/repository/compare, …/merge_base, …/archive[.tar.gz|.tar|.zip]
//	GET|POST /projects/:id/merge_requests, GET|PUT …/:iid, PUT …/:iid/merge
//	GET|POST /projects/:id/merge_requests/:iid/notes, GET|PUT …/notes/:note_id (author only)
//	GET|POST /projects/:id/issues, GET|PUT …/:iid, GET|POST …/:iid/notes
//	GET|POST /projects/:id/labels
//	GET  /projects/:id/pipelines, …/pipelines/:pipeline_id[/variables]
//	POST /projects/:id/pipeline, POST /projects/:id/trigger/pipeline (trigger token)
//	POST /projects/:id/statuses/:sha (external jobs: how a client finishes a pipeline)
//	GET  /projects/:id/members/all/:user_id, …/repository/commits/:sha/refs
//	GET|POST /projects/:id/deployments, GET|PUT …/deployments/:deployment_id
//	GET  /projects/:id/environments, …/environments/:environment_id
//	GET  /projects (topic, keyset pagination by id), /groups/:id/projects (include_subgroups, topic)
//
// Merge requests may come from forks (ForkProject, OpenMR). MRNoteHook and
// PipelineHook render the webhook bodies GitLab would send.
//
// It models permissions only where pipelines are created (members' access
// levels and the project's pipeline-variable restriction; root is an
// administrator) and note edits (author only); elsewhere every user may do
// everything. Groups exist only as the namespaces of project paths; it
// has no tags, protected branches, webhook delivery or GraphQL, keyset
// pagination only on GET /projects, and it is never used on production
// paths.
package gitlabsim
