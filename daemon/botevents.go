package daemon

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/sirupsen/logrus"

	"github.com/pinwheel-dev/pinwheel/metrics"
)

// NoteEvent is the part of a GitLab Note Hook (a comment) the daemon
// passes on. See https://docs.gitlab.com/user/project/integrations/webhook_events/#comment-events.
// It routes the event only: a handler must read what it acts on (the
// note's text and author, the merge request's commit) through the API.
type NoteEvent struct {
	ProjectID   int64
	ProjectPath string
	NoteID      int64
	// NoteableType is MergeRequest, Issue, Commit or Snippet.
	NoteableType string
	MRIID        int64 // merge_request.iid; 0 for other noteables
	System       bool
	// Action is create or update (GitLab 16.11+); "" before.
	Action   string
	Username string // the author, as the hook says
	Note     string // the text, as the hook says
}

// PipelineEvent is the part of a GitLab Pipeline Hook the daemon passes on.
type PipelineEvent struct {
	ProjectID   int64
	ProjectPath string
	PipelineID  int64
	Status      string
}

// BotHandler takes note and pipeline events (the test bot). Both methods
// must return at once, only queueing work: the webhook answer waits for
// them. They report whether the event was taken.
type BotHandler interface {
	HandleNote(NoteEvent) bool
	HandlePipeline(PipelineEvent) bool
}

type noteHook struct {
	ObjectKind string `json:"object_kind"`
	User       struct {
		Username string `json:"username"`
	} `json:"user"`
	Project struct {
		ID                int64  `json:"id"`
		PathWithNamespace string `json:"path_with_namespace"`
	} `json:"project"`
	ObjectAttributes struct {
		ID           int64  `json:"id"`
		Note         string `json:"note"`
		NoteableType string `json:"noteable_type"`
		System       bool   `json:"system"`
		Action       string `json:"action"`
	} `json:"object_attributes"`
	MergeRequest *struct {
		IID int64 `json:"iid"`
	} `json:"merge_request"`
}

func parseNoteHook(body []byte) (NoteEvent, error) {
	var h noteHook
	if err := json.Unmarshal(body, &h); err != nil {
		return NoteEvent{}, fmt.Errorf("decode note hook: %w", err)
	}
	if h.ObjectKind != "note" {
		return NoteEvent{}, fmt.Errorf("note hook has object_kind %q, want \"note\"", h.ObjectKind)
	}
	ev := NoteEvent{
		ProjectID: h.Project.ID, ProjectPath: h.Project.PathWithNamespace,
		NoteID: h.ObjectAttributes.ID, NoteableType: h.ObjectAttributes.NoteableType,
		System: h.ObjectAttributes.System, Action: h.ObjectAttributes.Action,
		Username: h.User.Username, Note: h.ObjectAttributes.Note,
	}
	if h.MergeRequest != nil {
		ev.MRIID = h.MergeRequest.IID
	}
	return ev, nil
}

type pipelineHook struct {
	ObjectKind string `json:"object_kind"`
	Project    struct {
		ID                int64  `json:"id"`
		PathWithNamespace string `json:"path_with_namespace"`
	} `json:"project"`
	ObjectAttributes struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	} `json:"object_attributes"`
}

func parsePipelineHook(body []byte) (PipelineEvent, error) {
	var h pipelineHook
	if err := json.Unmarshal(body, &h); err != nil {
		return PipelineEvent{}, fmt.Errorf("decode pipeline hook: %w", err)
	}
	if h.ObjectKind != "pipeline" {
		return PipelineEvent{}, fmt.Errorf("pipeline hook has object_kind %q, want \"pipeline\"", h.ObjectKind)
	}
	return PipelineEvent{
		ProjectID: h.Project.ID, ProjectPath: h.Project.PathWithNamespace,
		PipelineID: h.ObjectAttributes.ID, Status: h.ObjectAttributes.Status,
	}, nil
}

// botHook hands a Note or Pipeline Hook to the bot; reply answers GitLab.
func (s *Server) botHook(event string, body []byte, log logrus.FieldLogger, reply func(status int, outcome, msg string)) {
	if s.cfg.Bot == nil {
		reply(http.StatusOK, metrics.WebhookIgnored, "ignored")
		return
	}
	var taken bool
	if event == "Pipeline Hook" {
		ev, err := parsePipelineHook(body)
		if err != nil {
			log.WithError(err).Warn("bad webhook body")
			reply(http.StatusBadRequest, metrics.WebhookBadRequest, "bad pipeline hook body")
			return
		}
		taken = s.cfg.Bot.HandlePipeline(ev)
	} else {
		ev, err := parseNoteHook(body)
		if err != nil {
			log.WithError(err).Warn("bad webhook body")
			reply(http.StatusBadRequest, metrics.WebhookBadRequest, "bad note hook body")
			return
		}
		taken = s.cfg.Bot.HandleNote(ev)
	}
	if !taken {
		reply(http.StatusOK, metrics.WebhookIgnored, "ignored")
		return
	}
	reply(http.StatusAccepted, metrics.WebhookTriggered, "queued")
}
