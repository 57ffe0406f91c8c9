package mdtext

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinwheel-dev/pinwheel/internal/golden"
)

func TestPlainSpans(t *testing.T) {
	tests := []struct{ in, want string }{
		{" - [ ] <!-- rebase-branch=pinwheel/a-1.x -->[Update a to 2](https://gitlab.example/g/p/-/merge_requests/1)",
			" - [ ] Update a to 2 <https://gitlab.example/g/p/-/merge_requests/1>"},
		{" - [x] <!-- manual-run -->Check this box", " - [x] Check this box"},
		{"`1.0` → `2.0` · patch · !3 · pipeline ❌ failed", "1.0 → 2.0 · patch · !3 · pipeline ❌ failed"},
		{"🔐 **Create all at once** 🔐", "🔐 Create all at once 🔐"},
		{"_This issue is maintained by pinwheel._", "This issue is maintained by pinwheel."},
		{`typing\_extensions \<script\> \@all \#1 \!2`, "typing_extensions <script> @all #1 !2"},
		{"`` a`b ``", "a`b"},
		{"`<!-- kept in code -->`", "<!-- kept in code -->"},
		{`\<\!-- not a marker --\>`, "<!-- not a marker -->"},
		{"a_b_c and 2 * 3", "a_b_c and 2 * 3"},
		{"[x](javascript:alert(1)", "[x](javascript:alert(1)"},
		{"&lt;b&gt; &amp;amp; &nope;", "<b> &amp; &nope;"},
		{"<b>bold</b> <https://a.example/x>", "bold https://a.example/x"},
		{"`unclosed", "`unclosed"},
	}
	for _, tt := range tests {
		if got := strings.TrimSuffix(Plain(tt.in), "\n"); got != tt.want {
			t.Errorf("Plain(%q)\n = %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

// TestPlainGolden renders whole documents: the dashboard (plain and
// hostile), a merge request description and a sampler of syntax.
func TestPlainGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/plain/*.md")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no inputs: %v", err)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".md")
		t.Run(name, func(t *testing.T) {
			md, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got := Plain(string(md))
			// Escaped markers are text and show; real ones never do.
			if !strings.Contains(string(md), `\<\!--`) && strings.Contains(got, "<!--") {
				t.Errorf("a hidden marker shows:\n%s", got)
			}
			golden.Check(t, "plain/"+name+".txt", []byte(got))
		})
	}
}

func TestPlainTableAligns(t *testing.T) {
	got := Plain("| Line | Package |\n|---:|---|\n| 4 | `requests` |\n| 12 | six |\n")
	want := "Line  Package\n----  --------\n   4  requests\n  12  six\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// FuzzPlain: any input renders without panicking, and text that Text
// escaped reads back as itself.
func FuzzPlain(f *testing.F) {
	for _, s := range []string{"", "| a |\n|---|\n| `x` |", "<!-- x", "[a](b(c)", "`` ` ``", "\\", "**_~~", "<details><summary>x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = Plain(s)
		flat := Flatten(s, Short)
		if flat == "" || strings.TrimSpace(flat) != flat || strings.Contains(flat, "  ") {
			return // Plain trims and keeps spaces as they are; compare simple lines only
		}
		if got := strings.TrimSuffix(Plain("x "+Text(s, Short)), "\n"); got != "x "+flat {
			t.Errorf("Plain(Text(%q)) = %q, want %q", s, got, "x "+flat)
		}
	})
}
