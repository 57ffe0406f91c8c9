package mdtext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Update requests to 2.32.4", "Update requests to 2.32.4"},
		{"typing_extensions", `typing\_extensions`},
		{"<!-- rebase-branch=x -->", `\<\!-- rebase-branch=x --\>`},
		{"@all see #1, !2, ~bug, %v1, $3, &4", `\@all see \#1, \!2, \~bug, \%v1, \$3, \&4`},
		{"[click](javascript:alert(1))", `\[click\](javascript:alert(1))`},
		{"a\nb\r\nc\u2028d", "a b  c d"},
		{"x\u202Eevil", "x evil"},
		{"back\\slash `tick` |pipe| *em*", "back\\\\slash \\`tick\\` \\|pipe\\| \\*em\\*"},
		{"bad \xff utf8", "bad \uFFFD utf8"},
	}
	for _, tt := range tests {
		if got := Text(tt.in, Short); got != tt.want {
			t.Errorf("text(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTextCapsLength(t *testing.T) {
	got := Text(strings.Repeat("é", 5000), Short)
	if n := utf8.RuneCountInString(got); n != Short+1 || !strings.HasSuffix(got, "…") {
		t.Errorf("text of 5000 runes has %d runes (%q…), want %d ending in …", n, got[:10], Short+1)
	}
}

func TestCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2.32.4", "`2.32.4`"},
		{"a`b", "``a`b``"},
		{"```x```", "```` ```x``` ````"},
		{"`a", "`` `a ``"},
		{"", "` `"},
		{"x\n - [x] <!-- manual job -->", "`x  - [x] <!-- manual job -->`"},
	}
	for _, tt := range tests {
		if got := Code(tt.in, Short); got != tt.want {
			t.Errorf("code(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTableAndHTMLEscapes(t *testing.T) {
	if got, want := Cell("1.0|<b>", Short), "`1.0¦<b>`"; got != want {
		t.Errorf("cell = %q, want %q", got, want)
	}
	if got, want := CellText(`x | y\`, Short), `x ¦ y\\`; got != want {
		t.Errorf("cellText = %q, want %q", got, want)
	}
	if got, want := HTML("</summary><script>&\n\n# h", Short), "&lt;/summary&gt;&lt;script&gt;&amp;  # h"; got != want {
		t.Errorf("htmlText = %q, want %q", got, want)
	}
}

func TestLinkable(t *testing.T) {
	tests := []struct {
		url  string
		want bool
	}{
		{"https://gitlab.example.com/acme/app/-/merge_requests/7", true},
		{"http://gitlab.local/a/b/-/merge_requests/1", true},
		{"javascript:alert(1)", false},
		{"https://x/a)(b", false},
		{"https://x/a b", false},
		{"https://x/a\nb", false},
		{"//x/a", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := Linkable(tt.url); got != tt.want {
			t.Errorf("linkable(%q) = %v, want %v", tt.url, got, tt.want)
		}
	}
}
