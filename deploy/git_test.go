package deploy

import (
	"context"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinwheel-dev/pinwheel/gitlabauth"
)

func TestGitPushWithLease(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	remote := newRemoteRepo(t)
	a := remote.commit("one")
	b := remote.commit("two")
	c := remote.commit("three")

	tests := []struct {
		name     string
		start    string // where production is before; "" = missing
		push     string
		expected string
		wantErr  *LeaseError
		want     string // production afterwards
	}{
		{name: "first deployment creates the branch", push: a, want: a},
		{name: "moves forward", start: a, push: c, expected: a, want: c},
		{name: "moves backward", start: c, push: a, expected: c, want: a},
		{name: "same commit is a no-op", start: b, push: b, expected: b, want: b},
		{name: "moved since read", start: b, push: c, expected: a,
			wantErr: &LeaseError{Branch: "production", Expected: a, Actual: b}, want: b},
		{name: "created since read", start: b, push: c,
			wantErr: &LeaseError{Branch: "production", Actual: b}, want: b},
		{name: "deleted since read", push: c, expected: a,
			wantErr: &LeaseError{Branch: "production", Expected: a}, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.start == "" {
				gitOut(t, remote.bare, "update-ref", "-d", "refs/heads/production")
			} else {
				remote.setBranch("production", tt.start)
			}
			repo, err := Git{TempDir: t.TempDir()}.open(ctx, gitlabauth.Credentials{}, remote.bare)
			if err != nil {
				t.Fatal(err)
			}
			defer repo.close()
			if err := repo.fetch(ctx, tt.push); err != nil {
				t.Fatal(err)
			}
			err = repo.push(ctx, tt.push, "production", tt.expected)
			var lease *LeaseError
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("push: %v", err)
			case tt.wantErr != nil && !errors.As(err, &lease):
				t.Fatalf("push error = %v, want %v", err, tt.wantErr)
			case tt.wantErr != nil && *lease != *tt.wantErr:
				t.Errorf("lease error = %+v, want %+v", *lease, *tt.wantErr)
			}
			if got := remote.head("production"); got != tt.want {
				t.Errorf("production = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLeaseErrorMessage(t *testing.T) {
	t.Parallel()
	err := &LeaseError{Branch: "production", Expected: "aaa", Actual: "bbb"}
	want := "production moved from aaa to bbb since pinwheel read it; nothing changed"
	if err.Error() != want {
		t.Errorf("got %q, want %q", err.Error(), want)
	}
}

func TestGitFetchUnknownCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	remote := newRemoteRepo(t)
	remote.commit("one")
	repo, err := Git{TempDir: t.TempDir()}.open(ctx, gitlabauth.Credentials{}, remote.bare)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.close()
	err = repo.fetch(ctx, strings.Repeat("ab", 20))
	if err == nil || !strings.Contains(err.Error(), "is not in") {
		t.Fatalf("fetch of a missing commit: err = %v, want 'is not in'", err)
	}
}

func TestGitOverHTTPTokenStaysOutOfArgv(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	remote := newRemoteRepo(t)
	a := remote.commit("one")
	gitOut(t, remote.bare, "config", "http.receivepack", "true")
	const token = "glpat-SECRET-over-http"
	srv := httptest.NewServer(gitHTTPServer(t, filepath.Dir(remote.bare), "oauth2", token))
	defer srv.Close()
	url := srv.URL + "/" + filepath.Base(remote.bare)

	tests := []struct {
		name  string
		creds gitlabauth.Credentials
		ok    bool
	}{
		{name: "right token", creds: gitlabauth.Credentials{Token: token, Source: "GITLAB_TOKEN"}, ok: true},
		{name: "job token uses the CI user name", creds: gitlabauth.Credentials{Token: token, Kind: gitlabauth.JobToken}, ok: false},
		{name: "no token", creds: gitlabauth.Credentials{}, ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gitOut(t, remote.bare, "update-ref", "-d", "refs/heads/production")
			g, argv := recordingGit(t)
			repo, err := g.open(ctx, tt.creds, url)
			if err != nil {
				t.Fatal(err)
			}
			defer repo.close()
			err = repo.fetch(ctx, a)
			if err == nil {
				err = repo.push(ctx, a, "production", "")
			}
			t.Logf("err: %v", err)
			if tt.ok != (err == nil) {
				t.Fatalf("ok = %v, err = %v", tt.ok, err)
			}
			if err != nil && strings.Contains(err.Error(), token) {
				t.Errorf("error shows the token: %v", err)
			}
			if tt.ok && remote.head("production") != a {
				t.Errorf("production = %q, want %q", remote.head("production"), a)
			}
			log := argv()
			if !strings.Contains(log, "fetch") {
				t.Fatalf("recording wrapper saw no fetch:\n%s", log)
			}
			if strings.Contains(log, token) {
				t.Errorf("token in git argv:\n%s", log)
			}
		})
	}
}

func TestGitErrorsAreScrubbed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const token = "glpat-in-a-url"
	// A token pasted into the remote URL still must not come back in errors:
	// git quotes the URL in its messages.
	srv := httptest.NewServer(gitHTTPServer(t, t.TempDir(), "oauth2", "other"))
	defer srv.Close()
	remote := strings.Replace(srv.URL, "http://", "http://oauth2:"+token+"@", 1) + "/missing.git"
	repo, err := Git{TempDir: t.TempDir()}.open(ctx, gitlabauth.Credentials{Token: token}, remote)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.close()
	err = repo.fetch(ctx, strings.Repeat("a", 40))
	if err == nil {
		t.Fatal("fetch from a refusing server succeeded")
	}
	if strings.Contains(err.Error(), token) {
		t.Errorf("token in error: %v", err)
	}
	var gerr *GitError
	if !errors.As(err, &gerr) || gerr.Stderr == "" {
		t.Errorf("err = %v, want a *GitError carrying git's stderr", err)
	}
	for _, a := range gerr.Args {
		if strings.Contains(a, token) {
			t.Errorf("token in GitError.Args: %q", gerr.Args)
		}
	}
}

func TestGitFetchFallsBackToBranches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	remote := newRemoteRepo(t)
	old := remote.commit("one")
	tip := remote.commit("two")
	// Protocol v0 without allowReachableSHA1InWant refuses a want of a
	// commit that is no branch tip, as some servers do.
	g := Git{TempDir: t.TempDir(), Env: []string{
		"GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=protocol.version", "GIT_CONFIG_VALUE_0=0",
	}}
	repo, err := g.open(ctx, gitlabauth.Credentials{}, remote.bare)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.close()
	if _, err := repo.run(ctx, "fetch", "--quiet", "--depth=1", remote.bare, old); err == nil {
		t.Fatal("the server allowed a want of a non-tip commit; the fallback is not exercised")
	}
	if err := repo.fetch(ctx, old); err != nil {
		t.Fatalf("fetch with fallback: %v", err)
	}
	if err := repo.push(ctx, old, "production", ""); err != nil {
		t.Fatal(err)
	}
	if got := remote.head("production"); got != old {
		t.Errorf("production = %s, want %s (tip is %s)", got, old, tip)
	}
}

func TestGitFetchFromMissingRepositorySaysItOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	repo, err := Git{TempDir: t.TempDir()}.open(ctx, gitlabauth.Credentials{}, filepath.Join(t.TempDir(), "missing.git"))
	if err != nil {
		t.Fatal(err)
	}
	defer repo.close()
	err = repo.fetch(ctx, strings.Repeat("a", 40))
	if err == nil || strings.Count(err.Error(), "git fetch:") != 1 {
		t.Errorf("err = %v, want git's refusal once", err)
	}
}
