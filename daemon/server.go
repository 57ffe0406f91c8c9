package daemon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/pinwheel-dev/pinwheel/metrics"
)

// DefaultMaxBodyBytes caps a webhook body. GitLab issue descriptions may
// be up to 1,048,576 characters, and the hook carries the description
// (and its previous version in changes), so 4 MiB leaves room.
const DefaultMaxBodyBytes = 4 << 20

// ServerConfig configures a Server. Loop is required.
type ServerConfig struct {
	// Addr is the listen address, like ":9090".
	Addr    string
	Loop    *Loop
	Metrics *metrics.Metrics // nil: /metrics answers 404
	// WebhookSecret is the token GitLab sends in X-Gitlab-Token. "" turns
	// /hooks/gitlab off (404).
	WebhookSecret string
	// MatchIssue says which project's dashboard an issue event is about;
	// see DashboardMatcher. nil: no issue event triggers a run.
	MatchIssue IssueMatcher
	// Bot takes note and pipeline events; nil: they are ignored.
	Bot BotHandler
	// Commands takes note events that may be commands on pinwheel's own
	// merge requests, and the project it names is run; nil: none.
	Commands CommandHandler
	// Forward sends hooks another shard owns to it, and limits Bot and
	// Commands to what this shard handles (see Forwarder); nil: this
	// instance handles every hook.
	Forward      *Forwarder
	MaxBodyBytes int64              // 0 = DefaultMaxBodyBytes
	Log          logrus.FieldLogger // nil = logrus.StandardLogger()
	// ShutdownTimeout bounds how long Serve waits for open requests
	// after the loop stopped; 0 = 10s.
	ShutdownTimeout time.Duration
}

// Server is the daemon's HTTP listener.
type Server struct {
	cfg     ServerConfig
	secret  []byte
	log     logrus.FieldLogger
	handler http.Handler
	http    *http.Server
	ln      net.Listener
}

// NewServer returns a Server; nothing listens until Listen or Serve.
func NewServer(cfg ServerConfig) *Server {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 10 * time.Second
	}
	cfg.Bot, cfg.Commands = cfg.Forward.handlers(cfg.Bot, cfg.Commands)
	s := &Server{cfg: cfg, secret: []byte(cfg.WebhookSecret), log: cfg.Log}
	if s.log == nil {
		s.log = logrus.StandardLogger()
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("GET /metrics", cfg.Metrics.Handler())
	if len(s.secret) > 0 {
		// Registered only with a secret, so without one the path is a
		// plain 404 and an unauthenticated hook can never trigger runs.
		// The method in the pattern makes the mux answer 405 otherwise.
		mux.HandleFunc("POST /hooks/gitlab", s.gitlabHook)
	}
	s.handler = mux
	s.http = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      time.Minute,
		IdleTimeout:       2 * time.Minute,
	}
	return s
}

// Handler serves /healthz, /metrics and /hooks/gitlab.
func (s *Server) Handler() http.Handler { return s.handler }

// Listen binds the address, so a bad or busy address fails before the
// first run; Serve calls it if the caller did not.
func (s *Server) Listen() error {
	if s.ln != nil {
		return nil
	}
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.cfg.Addr, err)
	}
	s.ln = ln
	return nil
}

// Addr is the bound address after Listen, or nil.
func (s *Server) Addr() net.Addr {
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Serve runs loop and, if srv is not nil, serves HTTP until ctx is
// cancelled. Then it waits for the loop to stop (runs in flight finish),
// shuts the server down and returns. If the server fails, Serve stops the
// loop the same way and returns the server's error.
func Serve(ctx context.Context, loop *Loop, srv *Server) error {
	if srv == nil {
		return loop.Run(ctx)
	}
	if err := srv.Listen(); err != nil {
		return err
	}
	srv.log.WithField("addr", srv.Addr().String()).Info("http listening")
	served := make(chan error, 1)
	go func() { served <- srv.http.Serve(srv.ln) }()

	loopCtx, stopLoop := context.WithCancel(ctx)
	defer stopLoop()
	looped := make(chan error, 1)
	go func() { looped <- loop.Run(loopCtx) }()

	var serveErr error
	select {
	case err := <-served:
		serveErr = fmt.Errorf("serve http on %s: %w", srv.Addr(), err)
		stopLoop()
		<-looped
		return serveErr
	case err := <-looped:
		serveErr = err
	}
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), srv.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.http.Shutdown(shutCtx); err != nil {
		return errors.Join(serveErr, fmt.Errorf("shut down http: %w", err))
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return errors.Join(serveErr, fmt.Errorf("serve http: %w", err))
	}
	return serveErr
}

// healthz answers 200 "ok" while the loop runs, then one line per project
// with the age of its last successful run, and 503 otherwise, so a
// supervisor or load balancer drops a stopping daemon.
func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	loop := s.cfg.Loop
	if st := loop.State(); st != StateRunning {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, st)
		return
	}
	var b strings.Builder
	b.WriteString("ok\n")
	if f := s.cfg.Forward; f != nil && f.Shard.Count > 1 {
		fmt.Fprintf(&b, "shard %s: %d project(s)\n", f.Shard, len(loop.Status()))
	}
	now := loop.Now()
	for _, p := range loop.Status() {
		if p.LastSuccess.IsZero() {
			fmt.Fprintf(&b, "%s: no successful run yet\n", p.Project)
			continue
		}
		fmt.Fprintf(&b, "%s: last success %s ago\n", p.Project, now.Sub(p.LastSuccess).Truncate(time.Second))
	}
	_, _ = w.Write([]byte(b.String()))
}
