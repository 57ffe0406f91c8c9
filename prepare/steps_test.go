package prepare

import (
	"context"
	"io"
	"strings"
	"testing"
)

func TestPrefixWriterKeepsPipsError(t *testing.T) {
	var log syncBuffer
	p := newPrefixWriter(&log, "[pip install] ")
	for i := 0; i < 100; i++ {
		p.Write([]byte("Collecting something\n"))
	}
	p.Write([]byte("ERROR: Cannot install a==2 because these package versions have conflicting dependencies.\n\nThe conflict is caused by:\n    The user requested a==2"))
	p.flush()
	want := "ERROR: Cannot install a==2 because these package versions have conflicting dependencies.\n\nThe conflict is caused by:\n    The user requested a==2"
	got, shown := p.errorText()
	if got != want || shown {
		t.Errorf("errorText =\n%s\n(shown %v)\nwant\n%s\n(not shown)", got, shown, want)
	}
	if n := len(log.String()); n == 0 || log.String()[:14] != "[pip install] " {
		t.Errorf("log not prefixed: %q", log.String()[:min(n, 40)])
	}
	// The error block goes into the error message only, so it is printed once.
	if strings.Contains(log.String(), "ERROR:") {
		t.Errorf("log shows pip's error block, which the error message repeats:\n%s", log.String())
	}
}

func TestPrefixWriterReleasesHeldLinesOnSuccess(t *testing.T) {
	var log syncBuffer
	p := newPrefixWriter(&log, "[pip install] ")
	p.Write([]byte("Collecting a\nERROR: a warning pip calls an error\nInstalled a\n"))
	p.flush()
	p.release()
	want := "[pip install] Collecting a\n[pip install] ERROR: a warning pip calls an error\n[pip install] Installed a\n"
	if log.String() != want {
		t.Errorf("log =\n%s\nwant\n%s", log.String(), want)
	}
}

func TestStepErrorShowsOutputOnce(t *testing.T) {
	tests := []struct {
		name    string
		script  string
		log     bool
		want    string // in the error message
		notWant string // not in the error message
	}{
		{"pip error block, logged", "e=ERROR; echo Collecting a; echo \"$e: No matching distribution found for a\" >&2; exit 1", true,
			"ERROR: No matching distribution found for a", "Collecting a"},
		{"no error block, logged", "f=fatal; echo \"$f: no such repo\" >&2; exit 2", true,
			"(its output is above)", "fatal: no such repo"},
		{"no error block, no log", "f=fatal; echo \"$f: no such repo\" >&2; exit 2", false,
			"fatal: no such repo", "above"},
	}
	// The scripts spell the messages through variables, so the command
	// line the log echoes does not hold them.
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf syncBuffer
			var log io.Writer = &lockedWriter{w: io.Discard}
			if tt.log {
				log = &lockedWriter{w: &buf}
			}
			_, err := step{name: "x", args: []string{"sh", "-c", tt.script}}.run(context.Background(), log)
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), tt.notWant) {
				t.Fatalf("err = %v, want it to contain %q and not %q", err, tt.want, tt.notWant)
			}
			if n := strings.Count(buf.String()+err.Error(), "ERROR:") + strings.Count(buf.String()+err.Error(), "fatal:"); n != 1 {
				t.Errorf("the tool's message shows %d times in log + error:\n%s\n%v", n, buf.String(), err)
			}
		})
	}
}

func TestPrefixWriterHidesCredentials(t *testing.T) {
	var log syncBuffer
	p := newPrefixWriter(&log, "[git ls-remote] ")
	p.Write([]byte("fatal: unable to access 'https://gitlab-ci-token:glcbt-s3cret@gitlab.com/g/p.git/'\n"))
	text, _ := p.errorText()
	if strings.Contains(log.String(), "s3cret") || strings.Contains(text, "s3cret") {
		t.Errorf("token leaked: %q / %q", log.String(), text)
	}
	if !strings.Contains(log.String(), "https://xxxxx@gitlab.com/g/p.git/") {
		t.Errorf("log = %q, want the URL with its password hidden", log.String())
	}
}
