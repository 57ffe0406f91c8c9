package daemon

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/pinwheel-dev/pinwheel/internal/discard"
)

// TestBotMatcherNeverWaitsOnGitLab: the first webhook event starts the
// username look-up but is matched at once, without waiting for GitLab; the
// look-up has a deadline; once it answers, the bot's own edits are ignored.
func TestBotMatcherNeverWaitsOnGitLab(t *testing.T) {
	release := make(chan struct{})
	hadDeadline := make(chan bool, 1)
	lookup := func(ctx context.Context) (string, error) {
		_, ok := ctx.Deadline()
		hadDeadline <- ok
		<-release
		return "pinwheel", nil
	}
	m, ev := testBotMatcher(lookup)

	matched := make(chan bool, 1)
	go func() { _, ok := m.Match(ev); matched <- ok }()
	select {
	case ok := <-matched:
		if !ok {
			t.Error("before the username is known, a dashboard edit must match")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the matcher waited on the GitLab look-up")
	}
	if !<-hadDeadline {
		t.Error("the username look-up has no deadline")
	}
	// A second event while the look-up is in flight starts no second one.
	if _, ok := m.Match(ev); !ok {
		t.Error("second event before the username is known: no match")
	}
	close(release)
	<-m.learned
	if _, ok := m.Match(ev); ok {
		t.Error("pinwheel's own edit matched after its username was learned")
	}
	ev.Username = "alice"
	if p, ok := m.Match(ev); !ok || p != "group/app" {
		t.Errorf("a maintainer's edit: %q %v, want group/app", p, ok)
	}
	select {
	case <-hadDeadline:
		t.Error("the username was looked up twice")
	default:
	}
}

// TestBotMatcherRetriesAfterAFailure: a failed look-up is asked again on
// the next event, not remembered as "no bot".
func TestBotMatcherRetriesAfterAFailure(t *testing.T) {
	calls := make(chan struct{}, 2)
	fail := true
	var mu sync.Mutex
	lookup := func(context.Context) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		defer func() { calls <- struct{}{} }()
		if fail {
			fail = false
			return "", errors.New("GitLab is down")
		}
		return "pinwheel", nil
	}
	m, ev := testBotMatcher(lookup)
	m.Match(ev)
	<-calls
	// The failed look-up clears its in-flight mark after reporting; ask
	// until a second look-up starts.
	for {
		m.mu.Lock()
		busy := m.fetching
		m.mu.Unlock()
		if !busy {
			break
		}
		runtime.Gosched()
	}
	m.Match(ev)
	<-calls
	<-m.learned
	if _, ok := m.Match(ev); ok {
		t.Error("pinwheel's own edit matched after the retried look-up")
	}
}

// testBotMatcher is a matcher for group/app's dashboard and an edit of it
// by pinwheel's own user.
func testBotMatcher(lookup func(context.Context) (string, error)) (*BotMatcher, IssueEvent) {
	m := NewBotMatcher(context.Background(), lookup,
		[]Dashboard{{Project: "group/app", Title: "Dependency Dashboard"}}, discard.Logger())
	return m, IssueEvent{ProjectPath: "group/app", Title: "Dependency Dashboard", Username: "pinwheel"}
}
