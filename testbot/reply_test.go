package testbot

import (
	"testing"

	"github.com/pinwheel-dev/pinwheel/internal/golden"
	"github.com/pinwheel-dev/pinwheel/state"
)

func TestReplies(t *testing.T) {
	base := state.BotTest{
		ID: "5!12#901", Commenter: "dev", SHA: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
		Variables: []state.BotVariable{
			{Key: "cki_lib_pip_url", Value: "git+https://gitlab.example.com/dev/cki-lib.git@da1560886d4f094c3e6c9ef40349f7d38b5d27d7"},
			{Key: "CKI_DEPLOYMENT_ENVIRONMENT", Value: "retrigger"},
			{Key: "REGISTRY_TOKEN", Value: "hunter2"},
			{Key: "note", Value: "a | b `c` @all <b>x</b>"},
			{Key: "other", Value: "glpat-abcdefabcdefabcdef12"},
			{Key: "PINWHEEL_TEST", Value: "5!12#901"},
		},
	}
	with := func(edit func(*state.BotTest)) state.BotTest {
		r := base
		edit(&r)
		return r
	}
	for name, rec := range map[string]state.BotTest{
		"reply_pending.md": with(func(r *state.BotTest) {
			r.PipelineID, r.PipelineURL, r.Status = 77, "https://gitlab.example.com/group/pipeline-definition/-/pipelines/77", "pending"
		}),
		"reply_success.md": with(func(r *state.BotTest) {
			r.PipelineID, r.PipelineURL, r.Status = 77, "https://gitlab.example.com/group/pipeline-definition/-/pipelines/77", "success"
		}),
		"reply_error.md": with(func(r *state.BotTest) {
			r.Error = "the project restricts pipeline variables, and pinwheel's user may not set them (no_one_allowed)."
		}),
	} {
		golden.Check(t, name, []byte(renderReply(rec, "group/pipeline-definition")))
	}
	golden.Check(t, "reply_duplicate.md", []byte(renderDuplicate("dev", with(func(r *state.BotTest) {
		r.PipelineID, r.PipelineURL = 77, "https://gitlab.example.com/group/pipeline-definition/-/pipelines/77"
	}))))
}

func TestSecret(t *testing.T) {
	for _, tt := range []struct {
		key, value string
		want       bool
	}{
		{"CKI_DEPLOYMENT_ENVIRONMENT", "retrigger", false},
		{"cki_lib_pip_url", "git+https://x@y", false},
		{"DEPLOY_TOKEN", "x", true},
		{"db_password", "x", true},
		{"AWS_SECRET_ACCESS_KEY", "x", true},
		{"harmless", "glptt-0123456789abcdef", true},
		{"harmless", "glpat-0123456789abcdef", true},
	} {
		if got := Secret(tt.key, tt.value); got != tt.want {
			t.Errorf("Secret(%q, %q) = %v", tt.key, tt.value, got)
		}
	}
}
