package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/pinwheel-dev/pinwheel/metrics"
	"github.com/pinwheel-dev/pinwheel/shard"
)

// DefaultForwardTimeout bounds a forwarded hook's round trip: GitLab
// waits about 10 s for the first instance's answer, which includes this.
const DefaultForwardTimeout = 5 * time.Second

// Forwarder sends a webhook to the shard of the fleet that owns it, so
// that one GitLab webhook URL serves every shard: an issue event belongs
// to the shard that owns its project (shard.Owner of the hook's
// project.id), a note or pipeline event to the test bot, which runs on
// shard 0 only. The owner gets the hook as GitLab sent it (body, event,
// token and delivery headers) plus shard.ForwardedHeader, and its answer
// is GitLab's answer. A hook that was forwarded once is never forwarded
// again, so two shards that disagree about the fleet's size (during a
// resize) cannot bounce it between them.
type Forwarder struct {
	Shard     shard.Shard
	Addresses shard.Addresses
	// Bot says the test bot runs (on shard 0).
	Bot bool
	// Client sends the forwarded hooks; nil: a client with
	// DefaultForwardTimeout.
	Client *http.Client
}

// forwardedHeaders are the request headers the owner needs to treat a
// forwarded hook as GitLab's.
var forwardedHeaders = []string{
	"Content-Type", "User-Agent", "X-Gitlab-Event", "X-Gitlab-Token", "X-Gitlab-Instance",
	"X-Gitlab-Webhook-UUID", "X-Gitlab-Event-UUID", "Idempotency-Key",
}

// owner returns the shard that should handle a hook, and whether that is
// another one than this.
func (f *Forwarder) owner(event string, body []byte) (int, bool) {
	if f == nil || f.Shard.Count <= 1 {
		return 0, false
	}
	var owner int
	switch event {
	case "Issue Hook", "Confidential Issue Hook":
		var h struct {
			Project struct {
				ID int64 `json:"id"`
			} `json:"project"`
		}
		if json.Unmarshal(body, &h) != nil || h.Project.ID <= 0 {
			return 0, false // this shard answers it (with a 400 or "ignored")
		}
		owner = shard.Owner(h.Project.ID, f.Shard.Count)
	case "Note Hook", "Confidential Note Hook", "Pipeline Hook":
		if !f.Bot {
			return 0, false
		}
		owner = 0
	default:
		return 0, false
	}
	return owner, owner != f.Shard.Index
}

// forward sends the hook to shard owner and copies its answer to w.
func (f *Forwarder) forward(ctx context.Context, w http.ResponseWriter, r *http.Request, owner int, body []byte) error {
	client := f.Client
	if client == nil {
		client = &http.Client{Timeout: DefaultForwardTimeout}
	}
	ctx, cancel := context.WithTimeout(ctx, DefaultForwardTimeout)
	defer cancel()
	url := f.Addresses.Address(owner) + "/hooks/gitlab"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("forward to shard %d: %w", owner, err)
	}
	for _, h := range forwardedHeaders {
		if v := r.Header.Get(h); v != "" {
			req.Header.Set(h, v)
		}
	}
	req.Header.Set(shard.ForwardedHeader, strconv.Itoa(f.Shard.Index))
	resp, err := client.Do(req)
	if err != nil {
		// The error names the URL, never the token (a header).
		return fmt.Errorf("forward to shard %d: %w", owner, err)
	}
	defer resp.Body.Close()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, io.LimitReader(resp.Body, 4096))
	return nil
}

// forwardHook forwards the hook when another shard owns it, answering
// GitLab; it reports whether it did.
func (s *Server) forwardHook(w http.ResponseWriter, r *http.Request, event string, body []byte, log logrus.FieldLogger) bool {
	if r.Header.Get(shard.ForwardedHeader) != "" {
		return false // forwarded once already: handle it here
	}
	owner, elsewhere := s.cfg.Forward.owner(event, body)
	if !elsewhere {
		return false
	}
	log = log.WithField("shard", owner)
	if err := s.cfg.Forward.forward(r.Context(), w, r, owner, body); err != nil {
		log.WithError(err).Warn("webhook for another shard: forwarding failed")
		s.cfg.Metrics.ObserveWebhook(metrics.WebhookForwardFailed)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		// GitLab counts the failure and delivers the next hook anyway.
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprintf(w, "shard %d did not answer\n", owner)
		return true
	}
	log.Debug("webhook forwarded to the project's shard")
	s.cfg.Metrics.ObserveWebhook(metrics.WebhookForwarded)
	return true
}
