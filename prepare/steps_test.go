package prepare

import (
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
	if got := p.errorText(); got != want {
		t.Errorf("errorText =\n%s\nwant\n%s", got, want)
	}
	if n := len(log.String()); n == 0 || log.String()[:14] != "[pip install] " {
		t.Errorf("log not prefixed: %q", log.String()[:min(n, 40)])
	}
}

func TestPrefixWriterHidesCredentials(t *testing.T) {
	var log syncBuffer
	p := newPrefixWriter(&log, "[git ls-remote] ")
	p.Write([]byte("fatal: unable to access 'https://gitlab-ci-token:glcbt-s3cret@gitlab.com/g/p.git/'\n"))
	if strings.Contains(log.String(), "s3cret") || strings.Contains(p.errorText(), "s3cret") {
		t.Errorf("token leaked: %q / %q", log.String(), p.errorText())
	}
	if !strings.Contains(log.String(), "https://xxxxx@gitlab.com/g/p.git/") {
		t.Errorf("log = %q, want the URL with its password hidden", log.String())
	}
}
