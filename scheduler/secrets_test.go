package scheduler_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The token is in no log line, at debug level, even when a GitLab call
// fails with an error that quotes it (as a proxy or a library may).
func TestLogsNeverShowTheToken(t *testing.T) {
	e := newEnv(t, unlimited)
	e.clock.Set(saturday)
	e.mustRun()
	e.hook = func(r *http.Request) error {
		if r.Method == http.MethodPost {
			return errors.New("proxy refused PRIVATE-TOKEN " + r.Header.Get("PRIVATE-TOKEN"))
		}
		return nil
	}
	e.clock.Add(7 * 24 * time.Hour)
	e.release("idna", "3.11", saturday)
	rep := e.run()
	e.hook = nil
	if e.logs.Len() == 0 {
		t.Fatal("nothing logged")
	}
	shown := map[string]string{"logs": e.logs.String(), "dashboard": e.dashboard().Description, "LastError": e.record().LastError, "run error": fmt.Sprint(rep.Err)}
	if !strings.Contains(shown["logs"]+shown["dashboard"]+shown["LastError"]+shown["run error"], "proxy refused") {
		t.Fatalf("the failing call is reported nowhere: %+v", shown)
	}
	for what, text := range shown {
		if strings.Contains(text, e.token) {
			t.Errorf("the %s show the token:\n%s", what, text)
		}
	}
}
