package prepare

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/pinwheel-dev/pinwheel/internal/redact"
)

// StepError is a failed external command (venv, pip install, pip check).
// Output holds the tool's own error text, so the caller can show the user
// what pip said rather than just an exit status.
//
// The text is shown once: pip's error block (from its first "ERROR:" line)
// is held back from the live log and is part of the error message, while
// output without such a block was already streamed to the log and the
// message only points at it.
type StepError struct {
	Step   string
	Output string
	Err    error
	// Shown is set when Output was already written to the run's log.
	Shown bool
}

func (e *StepError) Error() string {
	switch {
	case e.Output == "":
		return fmt.Sprintf("%s: %v", e.Step, e.Err)
	case e.Shown:
		return fmt.Sprintf("%s: %v (its output is above)", e.Step, e.Err)
	}
	return fmt.Sprintf("%s: %v:\n%s", e.Step, e.Err, e.Output)
}

func (e *StepError) Unwrap() error { return e.Err }

// step runs one external command, streaming its combined output live to
// log with every line prefixed by "[step] ", and returns its stdout when
// capture is set (stdout is then not streamed).
type step struct {
	name    string
	args    []string
	env     []string
	capture bool
}

func (s step) run(ctx context.Context, log io.Writer) ([]byte, error) {
	cmd := exec.CommandContext(ctx, s.args[0], s.args[1:]...)
	cmd.Env = append(os.Environ(), s.env...)
	// Cancelled (GitLab cancelling the job), pip gets SIGINT as from
	// Ctrl-C and removes its temporary build directories; WaitDelay kills
	// it if it lingers.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	pw := newPrefixWriter(log, "["+s.name+"] ")
	if !s.capture {
		fmt.Fprintf(log, "%s$ %s\n", pw.prefix, commandLine(s.args))
	}
	var stdout bytes.Buffer
	if s.capture {
		cmd.Stdout = &stdout
	} else {
		cmd.Stdout = pw
	}
	cmd.Stderr = pw
	err := cmd.Run()
	pw.flush()
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		out, shown := pw.errorText()
		if s.capture && out == "" {
			out, shown = redact.URLs(tail(stdout.String(), 20)), false
		}
		return nil, &StepError{Step: s.name, Output: out, Err: err, Shown: shown && !discards(log)}
	}
	pw.release()
	return stdout.Bytes(), nil
}

// prefixWriter prefixes each complete line and remembers the output from
// pip's first "ERROR:" line on (or the last lines, if there is none) for the
// error message. Lines from the first "ERROR:" on are held back from w: the
// error message shows them, and release writes them should the command
// succeed after all.
type prefixWriter struct {
	mu      sync.Mutex
	w       io.Writer
	prefix  string
	partial []byte
	lines   []string
	errAt   int // index in lines of the first "ERROR:" line, -1 for none
}

func newPrefixWriter(w io.Writer, prefix string) *prefixWriter {
	return &prefixWriter{w: w, prefix: prefix, errAt: -1}
}

const keepLines = 60

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.partial = append(p.partial, b...)
	for {
		i := bytes.IndexByte(p.partial, '\n')
		if i < 0 {
			break
		}
		p.line(string(p.partial[:i]))
		p.partial = p.partial[i+1:]
	}
	return len(b), nil
}

func (p *prefixWriter) line(l string) {
	// Tools echo URLs, and a URL can carry a job token.
	l = redact.URLs(strings.TrimRight(l, "\r"))
	if p.errAt < 0 && strings.HasPrefix(l, "ERROR:") {
		p.errAt = len(p.lines)
	}
	if p.w != nil && p.errAt < 0 {
		fmt.Fprintf(p.w, "%s%s\n", p.prefix, l)
	}
	p.lines = append(p.lines, l)
	// Keep the error block (bounded) or a sliding tail.
	if p.errAt < 0 && len(p.lines) > keepLines {
		p.lines = p.lines[len(p.lines)-keepLines:]
	}
}

func (p *prefixWriter) flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.partial) > 0 {
		p.line(string(p.partial))
		p.partial = nil
	}
}

// release writes the held-back lines to w (the command succeeded).
func (p *prefixWriter) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.errAt < 0 || p.w == nil {
		return
	}
	for _, l := range p.lines[p.errAt:] {
		fmt.Fprintf(p.w, "%s%s\n", p.prefix, l)
	}
	p.lines, p.errAt = p.lines[:p.errAt], -1
}

// errorText is the text for the error message, and whether it was already
// written to w (no "ERROR:" block: the last lines, which were streamed).
func (p *prefixWriter) errorText() (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	lines := p.lines
	if p.errAt >= 0 {
		lines = lines[p.errAt:]
		if len(lines) > keepLines {
			lines = lines[:keepLines]
		}
		return strings.TrimSpace(strings.Join(lines, "\n")), false
	}
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return strings.TrimSpace(strings.Join(lines, "\n")), p.w != nil
}

// discards reports whether log goes nowhere, so nothing was shown.
func discards(log io.Writer) bool {
	if lw, ok := log.(*lockedWriter); ok {
		log = lw.w
	}
	return log == nil || log == io.Discard
}

// commandLine shows a command as it runs, with the user info of URLs
// (tokens) hidden.
func commandLine(args []string) string {
	shown := make([]string, len(args))
	for i, a := range args {
		shown[i] = shellQuote(redact.URLs(a))
	}
	return strings.Join(shown, " ")
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
