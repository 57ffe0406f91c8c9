package daemon

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/sirupsen/logrus"

	"github.com/pinwheel-dev/pinwheel/metrics"
)

// IssueEvent is the part of a GitLab Issue Hook the daemon looks at. See
// https://docs.gitlab.com/user/project/integrations/webhook_events/ (issue events).
type IssueEvent struct {
	ProjectID   int64
	ProjectPath string // path_with_namespace, as GitLab spells it
	IID         int64
	Title       string
	Action      string   // open, close, reopen, update
	Labels      []string // label titles
	Changed     []string // keys of "changes", sorted
	Username    string   // who made the change
}

// IssueMatcher says which configured project's dashboard an issue event
// is about; ok is false when it is about none.
type IssueMatcher func(IssueEvent) (project string, ok bool)

// Dashboard identifies one project's dashboard issue.
type Dashboard struct {
	// Project is the key given to Loop.Trigger: the project's path, or
	// its numeric ID, as configured.
	Project string
	Title   string // the issue's exact title
	Label   string // "" = match by title only
}

// DashboardMatcher matches an event to the dashboard whose project is the
// event's (path compared case-insensitively, as GitLab routes it, or the
// numeric ID) and whose label the issue carries or whose title it has.
// Events by botUsername are ignored: pinwheel's own dashboard edits would
// otherwise trigger runs that edit the dashboard again.
func DashboardMatcher(dashboards []Dashboard, botUsername string) IssueMatcher {
	ds := slices.Clone(dashboards)
	return func(ev IssueEvent) (string, bool) {
		if botUsername != "" && strings.EqualFold(ev.Username, botUsername) {
			return "", false
		}
		id := strconv.FormatInt(ev.ProjectID, 10)
		for _, d := range ds {
			if !strings.EqualFold(d.Project, ev.ProjectPath) && d.Project != id {
				continue
			}
			if d.Title != "" && ev.Title == d.Title {
				return d.Project, true
			}
			if d.Label != "" && slices.ContainsFunc(ev.Labels, func(l string) bool { return strings.EqualFold(l, d.Label) }) {
				return d.Project, true
			}
		}
		return "", false
	}
}

// issueHook is the wire form of an Issue Hook body; only what IssueEvent
// needs is decoded.
type issueHook struct {
	ObjectKind string `json:"object_kind"`
	User       struct {
		Username string `json:"username"`
	} `json:"user"`
	Project struct {
		ID                int64  `json:"id"`
		PathWithNamespace string `json:"path_with_namespace"`
	} `json:"project"`
	ObjectAttributes struct {
		IID    int64  `json:"iid"`
		Title  string `json:"title"`
		Action string `json:"action"`
		Labels []struct {
			Title string `json:"title"`
		} `json:"labels"`
	} `json:"object_attributes"`
	Changes map[string]json.RawMessage `json:"changes"`
}

func parseIssueHook(body []byte) (IssueEvent, error) {
	var h issueHook
	if err := json.Unmarshal(body, &h); err != nil {
		return IssueEvent{}, fmt.Errorf("decode issue hook: %w", err)
	}
	if h.ObjectKind != "issue" {
		return IssueEvent{}, fmt.Errorf("issue hook has object_kind %q, want \"issue\"", h.ObjectKind)
	}
	ev := IssueEvent{
		ProjectID:   h.Project.ID,
		ProjectPath: h.Project.PathWithNamespace,
		IID:         h.ObjectAttributes.IID,
		Title:       h.ObjectAttributes.Title,
		Action:      h.ObjectAttributes.Action,
		Username:    h.User.Username,
	}
	for _, l := range h.ObjectAttributes.Labels {
		ev.Labels = append(ev.Labels, l.Title)
	}
	for k := range h.Changes {
		ev.Changed = append(ev.Changed, k)
	}
	slices.Sort(ev.Changed)
	return ev, nil
}

// isEdit says whether ev could have changed what a run reads: the
// description (ticked boxes), title or labels. Hooks sent by GitLab's
// "Test" button have no action and are not edits.
func (ev IssueEvent) isEdit() bool {
	if ev.Action != "update" {
		return false
	}
	for _, k := range []string{"description", "title", "labels"} {
		if slices.Contains(ev.Changed, k) {
			return true
		}
	}
	return false
}

// gitlabHook handles POST /hooks/gitlab. It answers within milliseconds
// and never runs a project itself: GitLab disables a hook after repeated
// timeouts or 4xx/5xx answers (https://docs.gitlab.com/user/project/integrations/webhooks/,
// "Auto-disabled webhooks"). So the run happens later on the loop, and
// events the daemon does not care about get 200, not an error.
func (s *Server) gitlabHook(w http.ResponseWriter, r *http.Request) {
	log := s.log.WithFields(logrus.Fields{
		"event":      r.Header.Get("X-Gitlab-Event"),
		"event_uuid": r.Header.Get("X-Gitlab-Event-UUID"),
		"remote":     r.RemoteAddr,
	})
	reply := func(status int, outcome, msg string) {
		s.cfg.Metrics.ObserveWebhook(outcome)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintln(w, msg)
	}

	if !s.tokenOK(r.Header.Get("X-Gitlab-Token")) {
		log.Warn("webhook with a missing or wrong token")
		reply(http.StatusUnauthorized, metrics.WebhookUnauthorized, "unauthorized")
		return
	}
	if r.ContentLength > s.cfg.MaxBodyBytes {
		reply(http.StatusRequestEntityTooLarge, metrics.WebhookTooLarge, "body too large")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			reply(http.StatusRequestEntityTooLarge, metrics.WebhookTooLarge, "body too large")
			return
		}
		reply(http.StatusBadRequest, metrics.WebhookBadRequest, "cannot read body")
		return
	}

	if s.cfg.Forward != nil && s.forwardHook(w, r, r.Header.Get("X-Gitlab-Event"), body, log) {
		return
	}
	switch event := r.Header.Get("X-Gitlab-Event"); event {
	case "Issue Hook", "Confidential Issue Hook":
	case "Note Hook", "Confidential Note Hook", "Pipeline Hook":
		s.botHook(event, body, log, reply)
		return
	default:
		// Other events the hook may be subscribed to are not errors.
		reply(http.StatusOK, metrics.WebhookIgnored, "ignored")
		return
	}
	ev, err := parseIssueHook(body)
	if err != nil {
		log.WithError(err).Warn("bad webhook body")
		reply(http.StatusBadRequest, metrics.WebhookBadRequest, "bad issue hook body")
		return
	}
	log = log.WithFields(logrus.Fields{
		"gitlab_project": ev.ProjectPath,
		"issue":          ev.IID,
		"action":         ev.Action,
	})
	project, ok := "", false
	if s.cfg.MatchIssue != nil && ev.isEdit() {
		project, ok = s.cfg.MatchIssue(ev)
	}
	if !ok {
		log.Debug("webhook ignored: not an edit of a dashboard issue")
		reply(http.StatusOK, metrics.WebhookIgnored, "ignored")
		return
	}
	log = log.WithField("project", project)
	switch err := s.cfg.Loop.Trigger(project); {
	case errors.Is(err, ErrStopped):
		reply(http.StatusServiceUnavailable, metrics.WebhookUnavailable, "stopping")
		return
	case err != nil:
		// A matcher naming a project the loop lacks is a wiring bug;
		// GitLab can do nothing about it, so it still gets 200.
		log.WithError(err).Error("webhook matched a project the loop does not run")
		reply(http.StatusOK, metrics.WebhookIgnored, "ignored")
		return
	}
	log.Info("dashboard edited: run triggered")
	reply(http.StatusAccepted, metrics.WebhookTriggered, "triggered")
}

// tokenOK compares in constant time. Hashing first makes the comparison
// take the same time whatever the token's length, which
// subtle.ConstantTimeCompare alone would leak.
func (s *Server) tokenOK(token string) bool {
	if token == "" {
		return false
	}
	got := sha256.Sum256([]byte(token))
	want := sha256.Sum256(s.secret)
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}
