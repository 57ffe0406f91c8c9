package prepare

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// The token forms CI pipelines paste into URLs: a job token with its user
// name, and an access token alone as the user info.
const (
	jobTokenURL    = "git+https://gitlab-ci-token:glcbt-s3cret@gitlab.com/g/cki-lib.git@main"
	accessTokenURL = "https://glpat-s3cret@pypi.example.com/simple/x-1.0.tar.gz"
)

func TestCommandLineHidesCredentials(t *testing.T) {
	args := []string{"python", "-m", "pip", "install",
		Requirement{Entry: "g/cki-lib", Name: "cki-lib", URL: jobTokenURL}.Pip(), // "cki-lib @ git+https://…"
		"x @ " + accessTokenURL,
	}
	got := commandLine(args)
	if strings.Contains(got, "s3cret") {
		t.Errorf("command line shows a token: %s", got)
	}
	if !strings.Contains(got, "cki-lib @ git+https://xxxxx@gitlab.com/") {
		t.Errorf("command line = %s, want the URL with its password hidden", got)
	}
}

func TestPrefixWriterHidesBareTokens(t *testing.T) {
	var log syncBuffer
	p := newPrefixWriter(&log, "[pip install] ")
	p.Write([]byte("ERROR: HTTP error 404 while getting " + accessTokenURL + "\n"))
	p.flush()
	text, _ := p.errorText()
	if strings.Contains(log.String(), "s3cret") || strings.Contains(text, "s3cret") {
		t.Errorf("token leaked: %q / %q", log.String(), text)
	}
}

func TestManifestHidesTokensInEntries(t *testing.T) {
	p := &plan{
		opts: Options{Packages: []string{"x @ " + accessTokenURL, jobTokenURL + "#egg=cki-lib"}, Now: time.Now},
		reqs: []Requirement{
			{Entry: "x @ " + accessTokenURL, Name: "x", URL: accessTokenURL},
			{Entry: jobTokenURL + "#egg=cki-lib", Name: "cki-lib", URL: jobTokenURL + "#egg=cki-lib"},
		},
	}
	b, err := json.Marshal(p.manifest(nil))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "s3cret") {
		t.Errorf("manifest shows a token:\n%s", b)
	}
}
