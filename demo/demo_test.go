package demo

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"
)

// TestDemo plays the whole demo and checks what a maintainer would see in
// GitLab after it: the narrated steps happened, in the simulators.
func TestDemo(t *testing.T) {
	d, err := newWorld(Options{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	var out bytes.Buffer
	if err := d.play(context.Background(), &out); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	text := out.String()

	steps := strings.Split(text, "━━━ Step ")[1:]
	if len(steps) != 6 {
		t.Fatalf("got %d steps, want 6:\n%s", len(steps), text)
	}
	for i, want := range []string{
		"0 merge requests opened", // weekday: nothing nobody asked for
		"1 merge request opened",  // the ticked box
		"4 merge requests opened", // weekend, up to the per-run limit
		"1 merge request opened",  // the rate-limited rest
		"0 of them writes",        // nothing new: no write at all
	} {
		if !strings.Contains(steps[i], want) {
			t.Errorf("step %d lacks %q:\n%s", i+1, want, steps[i])
		}
	}
	if !strings.Contains(steps[1], "Merge request !1 \"Update requests to 2.32.4\"") {
		t.Errorf("step 2 does not show the ticked update's MR")
	}
	if !strings.Contains(steps[2], "+    --hash=sha256:") {
		t.Errorf("step 3 does not show PyYAML's rewritten hashes")
	}

	// Step 6: one pipeline of group/app, one reply, edited with the result.
	for _, want := range []string{"pinwheel triggered pipeline #", "is pending for commit", "**passed**", "| `cki_lib_pip_url` | `git+"} {
		if !strings.Contains(steps[5], want) {
			t.Errorf("step 6 lacks %q:\n%s", want, steps[5])
		}
	}
	var triggered int
	for _, pl := range d.gl.Pipelines(d.project) {
		if pl.Source == "trigger" {
			triggered++
			if pl.Status != "success" {
				t.Errorf("the test pipeline is %s", pl.Status)
			}
		}
	}
	if notes := d.gl.MRNotes(d.lib, 1); triggered != 1 || len(notes) != 2 {
		t.Errorf("%d triggered pipelines and %d notes on %s!1; want 1 and the comment plus one reply", triggered, len(notes), libPath)
	}

	mrs := d.gl.MergeRequests(d.project)
	if len(mrs) != 6 {
		t.Errorf("%d merge requests in GitLab, want 6", len(mrs))
	}
	issues := d.gl.Issues(d.project)
	if len(issues) != 1 {
		t.Fatalf("%d issues, want the one dashboard", len(issues))
	}
	if strings.Contains(issues[0].Description, "[x]") {
		t.Error("the dashboard still has a ticked box after the run acted on it")
	}
	if main, _ := d.gl.File(d.project, "main", "constraints.txt"); string(main) != sampleConstraints {
		t.Error("the demo changed main; only merge requests may")
	}
}

// TestRunCleansUp: Run, finished or cancelled, leaves no temporary state
// directory behind.
func TestRunCleansUp(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Run(ctx, io.Discard, Options{}); err == nil {
		t.Error("a cancelled demo returned no error")
	}
	if err := Run(context.Background(), io.Discard, Options{}); err != nil {
		t.Fatalf("demo: %v", err)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("left behind in TMPDIR: %v", left)
	}
}
