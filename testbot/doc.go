// Package testbot runs a team's pipeline against a merge request of one of
// its Python packages when a developer comments "@pinwheel test
// [key=value] ..." on it: the pipeline project (config bot.trigger_project)
// runs with the variable <name>_pip_url = git+<source project URL>@<MR
// head commit>, which `pinwheel prepare` honours, plus the configured and
// the given variables. The bot answers with one note on the merge request
// and edits it in place when the pipeline finishes.
//
// It owns the command's grammar (Parse), who may run it (Developer or
// higher on the package project, read through the API), the variables,
// the trigger (a trigger token, or pinwheel's API token), the reply, and
// tracking pipelines until they finish. It does not own the webhook
// listener: package daemon decodes Note and Pipeline Hooks and hands them
// to Bot.HandleNote and Bot.HandlePipeline, which only queue work, so
// GitLab gets its answer at once; Bot.Run does the work.
//
// # Nothing twice
//
// What is tested comes from the API, never from the webhook body: the
// note (its text and author), the merge request's head commit and source
// project, and that project's clone URL are read when the command is
// handled. A comment is recorded in the state file (state.BotTest) under
// its note's id before the first GitLab call, so a webhook delivered twice
// is handled once, and one that arrives while GitLab fails is tried again
// at every poll until it is decided. A second command for the same merge
// request, commit and variables while the first pipeline runs gets a link
// to it.
//
// The record counts trigger requests before each is sent. If the answer
// to one is lost (a crash, a timeout, a 5xx after GitLab created the
// pipeline), the next attempt first looks for the pipeline: every
// triggered pipeline carries the variable PINWHEEL_TEST=<record id>, so
// the bot lists the pipeline project's recent pipelines on trigger_ref and
// reads their variables. Only when none carries the id does it trigger
// again. The reply note carries the id in an HTML comment and is found the
// same way before a second one is posted. One window is left: a trigger
// request GitLab receives but has not yet turned into a pipeline when the
// restarted bot looks; GitLab creates the pipeline inside the request, so
// the window is the request's own duration.
//
// Running pipelines are polled every bot.poll_interval (an injected
// clock); a Pipeline Hook makes the next check happen at once.
package testbot
