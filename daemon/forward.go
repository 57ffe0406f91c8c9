package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/pinwheel-dev/pinwheel/metrics"
	"github.com/pinwheel-dev/pinwheel/shard"
)

// DefaultForwardTimeout bounds a forwarded hook's round trip: GitLab
// waits about 10 s for the first instance's answer, which includes this.
const DefaultForwardTimeout = 5 * time.Second

// Forwarder sends a webhook to the shards of the fleet that should see
// it, so that one GitLab webhook URL serves every shard: an issue event
// belongs to the shard that owns its project (shard.Owner of the hook's
// project.id); a note on a merge request to that shard too (its
// commands), and also to shard 0 when the test bot is on (the bot runs
// there only); a pipeline event to the bot alone. A shard that is one of
// the hook's shards handles it itself and forwards it to the other one;
// a shard that is neither forwards it to each. A shard handles a note
// only for what it owns (commands for its own projects, the bot on shard
// 0), so a note sent to two shards is never handled twice.
//
// The owner gets the hook as GitLab sent it (body, event, token and
// delivery headers) plus shard.ForwardedHeader. A hook that was
// forwarded once is never forwarded again, so two shards that disagree
// about the fleet's size (during a resize) cannot bounce it between
// them. A forward that fails (no answer, or an answer other than 2xx)
// still answers GitLab 202 with a body that says so: GitLab disables a
// hook after a few failed deliveries, for every project it serves, and
// the owner's next scheduled run reads the dashboard anyway.
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

// fleet says whether f splits the projects between several instances.
func (f *Forwarder) fleet() bool { return f != nil && f.Shard.Count > 1 }

// ownsCommands says whether this instance handles merge request commands
// for the project with GitLab id projectID: its owner does. A hook
// without an id is handled where it lands (it names no project the loop
// could run anyway).
func (f *Forwarder) ownsCommands(projectID int64) bool {
	if !f.fleet() || projectID <= 0 {
		return true
	}
	return shard.Owner(projectID, f.Shard.Count) == f.Shard.Index
}

// runsBot says whether this instance hands note and pipeline events to
// the test bot: in a fleet, shard 0 alone.
func (f *Forwarder) runsBot() bool { return !f.fleet() || f.Shard.Index == 0 }

// targets returns the shards that should see a hook, in order, without
// duplicates; nil when no shard but the one it landed on is concerned
// (no fleet, or a body this shard answers itself with a 400 or
// "ignored").
func (f *Forwarder) targets(event string, body []byte) []int {
	if !f.fleet() {
		return nil
	}
	var h struct {
		Project struct {
			ID int64 `json:"id"`
		} `json:"project"`
		ObjectAttributes struct {
			NoteableType string `json:"noteable_type"`
		} `json:"object_attributes"`
	}
	ok := json.Unmarshal(body, &h) == nil && h.Project.ID > 0
	var to []int
	switch event {
	case "Issue Hook", "Confidential Issue Hook":
		if ok {
			to = append(to, shard.Owner(h.Project.ID, f.Shard.Count))
		}
	case "Note Hook", "Confidential Note Hook":
		if ok && h.ObjectAttributes.NoteableType == "MergeRequest" {
			to = append(to, shard.Owner(h.Project.ID, f.Shard.Count))
		}
		if f.Bot && !slices.Contains(to, 0) {
			to = append(to, 0)
		}
	case "Pipeline Hook":
		if f.Bot {
			to = append(to, 0)
		}
	}
	return to
}

// forwarded is one forward's outcome.
type forwarded struct {
	shard  int
	status int    // the owner's status; 0 when it did not answer
	body   string // the owner's answer, or why it was not delivered
	err    error
}

func (o forwarded) delivered() bool { return o.err == nil && o.status/100 == 2 }

// forward sends the hook to shard owner and returns its answer.
func (f *Forwarder) forward(ctx context.Context, r *http.Request, owner int, body []byte) forwarded {
	out := forwarded{shard: owner}
	client := f.Client
	if client == nil {
		client = &http.Client{Timeout: DefaultForwardTimeout}
	}
	ctx, cancel := context.WithTimeout(ctx, DefaultForwardTimeout)
	defer cancel()
	url := f.Addresses.Address(owner) + "/hooks/gitlab"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		out.err = fmt.Errorf("forward to shard %d: %w", owner, err)
		return out
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
		out.err = fmt.Errorf("forward to shard %d: %w", owner, err)
		return out
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	out.status, out.body = resp.StatusCode, strings.TrimSpace(string(b))
	if !out.delivered() {
		out.err = fmt.Errorf("forward to shard %d: it answered %d", owner, resp.StatusCode)
	}
	return out
}

// forwardAll forwards the hook to each shard of to at once (so two
// forwards take no longer than one), logs and counts each outcome, and
// returns them in to's order.
func (s *Server) forwardAll(r *http.Request, to []int, body []byte, log logrus.FieldLogger) []forwarded {
	outs := make([]forwarded, len(to))
	var wg sync.WaitGroup
	for i, k := range to {
		wg.Go(func() { outs[i] = s.cfg.Forward.forward(r.Context(), r, k, body) })
	}
	wg.Wait()
	for _, o := range outs {
		l := log.WithField("shard", o.shard)
		if !o.delivered() {
			// GitLab is still answered 2xx (see Forwarder); the owner's
			// next scheduled run catches up.
			l.WithError(o.err).WithField("status", o.status).Warn("webhook for another shard: not delivered")
			s.cfg.Metrics.ObserveWebhook(metrics.WebhookForwardFailed)
			continue
		}
		l.Debug("webhook forwarded to the project's shard")
		s.cfg.Metrics.ObserveWebhook(metrics.WebhookForwarded)
	}
	return outs
}

// forwardHook forwards the hook to the other shards it concerns. It
// reports whether it answered GitLab; false leaves the hook to this
// shard, which is one of its shards (or the only one).
func (s *Server) forwardHook(w http.ResponseWriter, r *http.Request, event string, body []byte, log logrus.FieldLogger) bool {
	if r.Header.Get(shard.ForwardedHeader) != "" {
		return false // forwarded once already: handle it here
	}
	to := s.cfg.Forward.targets(event, body)
	here := slices.Contains(to, s.cfg.Forward.Shard.Index)
	to = slices.DeleteFunc(to, func(k int) bool { return k == s.cfg.Forward.Shard.Index })
	if len(to) == 0 {
		return false
	}
	outs := s.forwardAll(r, to, body, log)
	if here {
		return false // this shard's own answer is GitLab's
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if len(outs) == 1 && outs[0].delivered() {
		w.WriteHeader(outs[0].status)
		fmt.Fprintln(w, outs[0].body)
		return true
	}
	w.WriteHeader(http.StatusAccepted)
	for _, o := range outs {
		if o.delivered() {
			fmt.Fprintf(w, "shard %d: %s\n", o.shard, o.body)
			continue
		}
		fmt.Fprintf(w, "shard %d: not delivered (%s); its next scheduled run catches up\n", o.shard, why(o))
	}
	return true
}

// why says in a few words why a forward failed, for GitLab's hook log.
func why(o forwarded) string {
	if o.status != 0 {
		return "answered " + strconv.Itoa(o.status)
	}
	return "no answer"
}

// shardCommands hands on only the notes of the projects this shard owns.
type shardCommands struct {
	f    *Forwarder
	next CommandHandler
}

func (c shardCommands) HandleNote(ev NoteEvent) (string, bool) {
	if !c.f.ownsCommands(ev.ProjectID) {
		return "", false // the owner got it too, and answers it
	}
	return c.next.HandleNote(ev)
}

// shardBot hands on note and pipeline events only on shard 0.
type shardBot struct {
	f    *Forwarder
	next BotHandler
}

func (b shardBot) HandleNote(ev NoteEvent) bool {
	return b.f.runsBot() && b.next.HandleNote(ev)
}

func (b shardBot) HandlePipeline(ev PipelineEvent) bool {
	return b.f.runsBot() && b.next.HandlePipeline(ev)
}

// handlers returns bot and commands limited to what this shard handles
// of a hook that may have been sent to two shards (see Forwarder); nil
// stays nil.
func (f *Forwarder) handlers(bot BotHandler, commands CommandHandler) (BotHandler, CommandHandler) {
	if !f.fleet() {
		return bot, commands
	}
	if bot != nil {
		bot = shardBot{f: f, next: bot}
	}
	if commands != nil {
		commands = shardCommands{f: f, next: commands}
	}
	return bot, commands
}
