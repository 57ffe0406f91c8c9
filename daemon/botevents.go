package daemon

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/sirupsen/logrus"

	"github.com/pinwheel-dev/pinwheel/metrics"
	"github.com/pinwheel-dev/pinwheel/mrcmd"
)

// NoteEvent is the part of a GitLab Note Hook (a comment) the daemon
// passes on; the type lives in mrcmd so a command handler (the scheduler)
// needs no import of daemon.
type NoteEvent = mrcmd.Note

// CommandHandler takes note events that may be commands on pinwheel's own
// merge requests. HandleNote must return at once (it may record the
// event locally): it says which configured project (the key Loop.Trigger
// takes) should run to answer it, ok false when the event is not for it.
type CommandHandler interface {
	HandleNote(NoteEvent) (project string, ok bool)
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

// botHook hands a Pipeline Hook to the bot, and a Note Hook to both the
// bot and the merge request commands (each takes only its own); reply
// answers GitLab.
func (s *Server) botHook(event string, body []byte, log logrus.FieldLogger, reply func(status int, outcome, msg string)) {
	if s.cfg.Bot == nil && (event == "Pipeline Hook" || s.cfg.Commands == nil) {
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
		if s.cfg.Bot != nil {
			taken = s.cfg.Bot.HandleNote(ev)
		}
		// Both see the note: a project may be a bot package and have
		// pinwheel's update merge requests; each grammar leaves the
		// other's words alone ("test" is the bot's).
		if s.cfg.Commands != nil {
			if project, ok := s.cfg.Commands.HandleNote(ev); ok {
				switch err := s.cfg.Loop.Trigger(project); {
				case errors.Is(err, ErrStopped):
					// Recorded: the next start's run answers it.
					reply(http.StatusServiceUnavailable, metrics.WebhookUnavailable, "stopping")
					return
				case err != nil:
					log.WithError(err).Error("command for a project the loop does not run")
				default:
					log.WithFields(logrus.Fields{"project": project, "mr": ev.MRIID, "note": ev.NoteID}).Info("merge request command: run triggered")
					taken = true
				}
			}
		}
	}
	if !taken {
		reply(http.StatusOK, metrics.WebhookIgnored, "ignored")
		return
	}
	reply(http.StatusAccepted, metrics.WebhookTriggered, "queued")
}
