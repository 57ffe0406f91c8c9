package redact

import (
	"strings"
	"testing"
)

func TestURLs(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		// Nothing to hide.
		{"https://pypi.org/simple", "https://pypi.org/simple"},
		{"https://gitlab.example.com/g/p.git", "https://gitlab.example.com/g/p.git"},
		{"/srv/git/p.git", "/srv/git/p.git"},
		{"requests==2.0", "requests==2.0"},
		{"git@github.com:org/repo.git", "git@github.com:org/repo.git"},
		{"https://host/simple/?mail=a@b", "https://host/simple/?mail=a@b"},
		{"git+https://gitlab.com/g/p.git@main", "git+https://gitlab.com/g/p.git@main"},
		{"git+https://gitlab.com:8443/g/p.git@v1.2", "git+https://gitlab.com:8443/g/p.git@v1.2"},
		{"git+https://localhost/g/p.git@main", "git+https://localhost/g/p.git@main"},
		{"http://[::1]:8080/p.git@main", "http://[::1]:8080/p.git@main"},
		{"mail me at a@b.example", "mail me at a@b.example"},
		// The whole user info goes, user:password or a token.
		{"https://oauth2:secret@gitlab.example.com/g/p.git", "https://xxxxx@gitlab.example.com/g/p.git"},
		{"https://user:tok@host/simple", "https://xxxxx@host/simple"},
		{"https://__token__:glpat-x@gitlab.example/api/v4/", "https://xxxxx@gitlab.example/api/v4/"},
		{"https://s3cret@index.example.com/simple", "https://xxxxx@index.example.com/simple"},
		{"git+https://gitlab-ci-token:s3cret@gitlab.com/g/p.git@main", "git+https://xxxxx@gitlab.com/g/p.git@main"},
		{"https://user:p@ss@host/simple", "https://xxxxx@host/simple"},
		{"https://user:@host/simple", "https://xxxxx@host/simple"},
		// Raw delimiters in a pasted password.
		{"https://user:pa/ss@host/simple", "https://xxxxx@host/simple"},
		{"https://user:p#ss@host/simple", "https://xxxxx@host/simple"},
		{"https://user:p?ss@host/simple", "https://xxxxx@host/simple"},
		{"https://user:123/ss@host/simple", "https://xxxxx@host/simple"},
		{"https://tok/en@host/simple", "https://xxxxx@host/simple"},
		// No scheme.
		{"user:tok@host/simple", "xxxxx@host/simple"},
		// In free text, every URL.
		{"pkg @ https://user:s3cret@git.example.org/pkg.whl", "pkg @ https://xxxxx@git.example.org/pkg.whl"},
		{"cki-lib @ git+https://gitlab-ci-token:s3cret@gitlab.com/g/p.git@main", "cki-lib @ git+https://xxxxx@gitlab.com/g/p.git@main"},
		{"fatal: unable to access 'https://glpat-s3cret@gitlab.com/g/p.git/': 403", "fatal: unable to access 'https://xxxxx@gitlab.com/g/p.git/': 403"},
		{"a https://u:p@h/ and http://t@h2/x", "a https://xxxxx@h/ and http://xxxxx@h2/x"},
		{`line 3: "x @ https://u:p@h/x.whl": bad`, `line 3: "x @ https://xxxxx@h/x.whl": bad`},
		{"GET https://a:b@h1/ then https://h2/?q=x@y", "GET https://xxxxx@h1/ then https://h2/?q=x@y"},
	}
	for _, tt := range tests {
		got := URLs(tt.in)
		if got != tt.want {
			t.Errorf("URLs(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got2 := URLs(got); got2 != got {
			t.Errorf("URLs(URLs(%q)) = %q, not stable", tt.in, got2)
		}
	}
}

// Every secret of every shape is gone and the mask stands in its place.
func TestURLsHideTheSecret(t *testing.T) {
	t.Parallel()
	const secret = "S3cr3t"
	for _, pw := range []string{secret, secret + "/x", "x/" + secret, secret + "?x", secret + "#x", secret + "@x", "%2F" + secret} {
		for _, form := range []string{"https://user:%s@index.example/simple", "https://%s@gitlab.example/g/p.git", "see 'git+https://ci:%s@gitlab.example/g/p.git@main' now"} {
			in := strings.Replace(form, "%s", pw, 1)
			got := URLs(in)
			if strings.Contains(got, secret) || strings.Contains(got, "user") || strings.Contains(got, "ci:") || !strings.Contains(got, Mask+"@") {
				t.Errorf("URLs(%q) = %q", in, got)
			}
		}
	}
}
