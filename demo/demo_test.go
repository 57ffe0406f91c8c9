package demo

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/internal/golden"
)

// play runs the demo in a fresh world and returns its narration with the
// simulators' random ports and the state directory replaced by fixed
// names, so that it is the same on every run.
func play(t *testing.T, opts Options) (string, *world) {
	t.Helper()
	opts.StateDir = t.TempDir()
	d, err := newWorld(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.close)
	var out bytes.Buffer
	if err := d.play(context.Background(), &out, opts); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	text := strings.NewReplacer(d.gl.URL(), "http://gitlab.test", strings.TrimSuffix(d.idx.IndexURL(), "/simple"), "http://index.test",
		opts.StateDir, "/state").Replace(out.String())
	return text, d
}

// TestDemo plays the whole demo: its narration is the golden file (go test
// -update rewrites it), each step did what its title says, and GitLab
// holds what the narration claims.
func TestDemo(t *testing.T) {
	text, d := play(t, Options{})
	golden.Check(t, "demo.txt", []byte(text))

	parts := strings.Split(text, "━━━ Step ")
	if len(parts) != len(steps)+1 {
		t.Fatalf("got %d steps, want %d", len(parts)-1, len(steps))
	}
	config, steps := parts[0], parts[1:]
	for _, want := range []string{"automerge: [patch]", "schedule: {days: [sat, sun], timezone: UTC}", "requests==2.31.0", "groups:", "- name: test-tools"} {
		if !strings.Contains(config, want) {
			t.Errorf("the configuration printed first lacks %q", want)
		}
	}
	for i, want := range [][]string{
		{"0 merge requests opened", "6 updates waiting", "[ ] Update requests to 2.32.4"},
		{"1 merge request opened", "┌─ Merge request !1 opened: Update requests to 2.32.4", "├─ changes", "+requests==2.32.4"},
		{"1 merge request opened", "4 updates waiting", "┌─ Merge request !2 opened: Update Django to 4.2.20 [security]", "labels dependencies, security",
			"Security advisories fixed", "CVE-2025-0001, PYSEC-2025-1", "CRITICAL 9.1", "Vulnerabilities", "+Django==4.2.20"},
		{"3 merge requests opened", "1 update waiting", "+    --hash=sha256:", "auto-merge on"},
		{"1 merge request opened", "┌─ Merge request !6 opened: Update six to 1.17.0"},
		{"fails", "Update Django to 4.2.20 [security] <http://gitlab.test/group/app/-/merge_requests/2>", "!2 · pipeline ❌ failed"},
		{"GitLab merges it", "!5 \"Update PyYAML to 6.0.2\" is merged", "5 rebuilt", "PyYAML      6.0.2"},
		{"@alice closes !6", "Closed / Ignored", "[ ] Update six to 1.17.0", "💬 @pinwheel on !6"},
		{"1 closed as no longer needed", "!3 \"Update urllib3 to 2.5.0 - autoclosed\" is closed", "already pins urllib3 2.5.0"},
		{"@alice comments on !2", "answer a command on MR !2", "💬 @pinwheel on !2:", "@alice this merge request's branch was already on the current main; there was nothing to rebuild."},
		{"pinwheel triggered pipeline #", "is pending for commit", "of group/app passed for commit", "cki_lib_pip_url             git+http://gitlab.test/group/cki-lib.git@"},
		{"$ pinwheel deploy --project group/cki-lib --sha ", "production: (new branch) → ", "$ pinwheel rollback --project group/cki-lib\n",
			"branch production of group/cki-lib is at", "environment production: http://gitlab.test/group/cki-lib/-/environments/1",
			"ID  SHA       REF         WHEN                     STATUS"},
		{"1 merge request opened", "┌─ Merge request !7 opened: Update test-tools dependencies", "This MR updates 3 package(s) of the group test-tools.",
			"│ pytest      8.3.3  8.4.2  minor", "│ pytest-cov  6.0.0  6.1.1  minor", "│ pluggy      1.5.0  1.6.0  minor", "+pytest==8.4.2", "+pluggy: \"1.6.0\"",
			"[ ] Update test-tools dependencies <http://gitlab.test/group/app/-/merge_requests/7>"},
		{"0 of them writes", "(dashboard #1 unchanged)"},
	} {
		for _, w := range want {
			if !strings.Contains(steps[i], w) {
				t.Errorf("step %d lacks %q:\n%s", i+1, w, steps[i])
			}
		}
	}
	// One time zone throughout; no hidden marker or markdown shows.
	for _, bad := range []string{"CET", "<!--", "](http", "**"} {
		if strings.Contains(text, bad) {
			t.Errorf("the narration shows %q", bad)
		}
	}
	// Each merge request is printed in full once, when opened; rebuilds
	// that keep the change are one line.
	if n := strings.Count(text, "┌─ Merge request "); n != 7 {
		t.Errorf("%d merge requests printed in full, want the 7 opened once each", n)
	}

	// The test bot's step: one pipeline of group/app, one reply, edited
	// with the result.
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

	// The deploy step: three deployments of cki-lib recorded in GitLab
	// (release, merge, rollback to the release), and the production branch
	// of the repository pushed to back on the release.
	v1, v2 := d.pkg.versions[0].sha, d.pkg.versions[1].sha
	var deployed []string
	for _, dep := range d.gl.Deployments(d.lib) {
		if dep.Status != "success" || dep.Ref != "production" || dep.Environment != "production" {
			t.Errorf("deployment %+v, want a success on production", dep)
		}
		deployed = append(deployed, dep.SHA)
	}
	if strings.Join(deployed, " ") != strings.Join([]string{v1, v2, v1}, " ") {
		t.Errorf("deployed %v, want the release, the merge, the release again", deployed)
	}
	if head, ok := d.pkg.front.Config.Handler.(*repoFront).revParse("refs/heads/production"); !ok || head != v1 {
		t.Errorf("production is at %q (%v), want the release %s", head, ok, v1)
	}
	for _, v := range []string{v1, v2} {
		if !strings.Contains(steps[11], "production: ") || !strings.Contains(steps[11], v) {
			t.Errorf("step 12 does not show commit %s", v)
		}
	}

	mrs := d.gl.MergeRequests(d.project)
	states := map[string]string{}
	for _, mr := range mrs {
		states[mr.SourceBranch] = mr.State
	}
	wantStates := map[string]string{
		"pinwheel/requests-2.x": "opened", "pinwheel/django-4.x": "opened", "pinwheel/numpy-2.x": "opened",
		"pinwheel/pyyaml-6.x": "merged", "pinwheel/six-1.x": "closed", "pinwheel/urllib3-2.x": "closed",
		"pinwheel/group-test-tools": "opened",
	}
	if len(mrs) != len(wantStates) {
		t.Errorf("%d merge requests in GitLab, want %d", len(mrs), len(wantStates))
	}
	for branch, want := range wantStates {
		if states[branch] != want {
			t.Errorf("%s: %q, want %q", branch, states[branch], want)
		}
	}
	issues := d.gl.Issues(d.project)
	if len(issues) != 1 {
		t.Fatalf("%d issues, want the one dashboard", len(issues))
	}
	if strings.Contains(issues[0].Description, "[x]") {
		t.Error("the dashboard still has a ticked box after the run acted on it")
	}
	main, _ := d.gl.File(d.project, "main", "constraints.txt")
	for _, want := range []string{"PyYAML==6.0.2", "urllib3==2.5.0", "requests==2.31.0"} {
		if !strings.Contains(string(main), want) {
			t.Errorf("main's constraints.txt lacks %q (merged by auto-merge or pushed by a person):\n%s", want, main)
		}
	}
}

// TestDemoMarkdown: --markdown shows the raw text pinwheel writes.
func TestDemoMarkdown(t *testing.T) {
	text, _ := play(t, Options{Steps: 2, Markdown: true})
	for _, want := range []string{"<!-- rebase-branch=pinwheel/requests-2.x -->[Update requests to 2.32.4](http://gitlab.test/", "## Open", "| Package | From |"} {
		if !strings.Contains(text, want) {
			t.Errorf("--markdown output lacks %q", want)
		}
	}
}

// TestDemoStops: --step N plays steps 1 to N and stops; out-of-range
// values are refused.
func TestDemoStops(t *testing.T) {
	full, _ := play(t, Options{})
	for _, n := range []int{1, 3, len(steps)} {
		text, _ := play(t, Options{Steps: n})
		if got := strings.Count(text, "━━━ Step "); got != n {
			t.Errorf("--step %d played %d steps", n, got)
		}
		// The steps played are the full demo's, as they are.
		cut := strings.Index(full, "━━━ Step "+strconv.Itoa(n+1)+"/")
		if n < len(steps) && !strings.HasPrefix(text, full[:cut]) {
			t.Errorf("--step %d differs from the full demo's first %d steps", n, n)
		}
	}
	for _, n := range []int{-1, len(steps) + 1} {
		if err := Run(context.Background(), io.Discard, Options{Steps: n}); err == nil {
			t.Errorf("step %d: no error", n)
		}
	}
}

// TestServe: --serve keeps the simulators up after the steps, prints URLs
// that answer and a config `pinwheel run` can load, and stops when the
// context ends.
func TestServe(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := Run(ctx, w, Options{Steps: 2, Serve: true})
		w.CloseWithError(err)
		done <- err
	}()
	var printed strings.Builder
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		printed.WriteString(sc.Text() + "\n")
		if sc.Text() == "Ready." {
			break
		}
	}
	go io.Copy(io.Discard, r) // the goodbye line
	text := printed.String()
	curl := regexp.MustCompile(`curl -s -H 'PRIVATE-TOKEN: (\S+)' '(\S+/merge_requests\?state=all)'`).FindStringSubmatch(text)
	runCmd := regexp.MustCompile(`PINWHEEL_DEMO_TOKEN=(\S+) pinwheel run --config (\S+) --now (\S+)`).FindStringSubmatch(text)
	if curl == nil || runCmd == nil {
		t.Fatalf("no curl or run command printed:\n%s", text)
	}
	req, _ := http.NewRequest(http.MethodGet, curl[2], nil)
	req.Header.Set("PRIVATE-TOKEN", curl[1])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", curl[2], err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"title":"Update requests to 2.32.4"`) {
		t.Errorf("GET %s = %d %s", curl[2], resp.StatusCode, body)
	}
	cfg, err := config.Load(runCmd[2])
	if err != nil {
		t.Fatalf("the printed config does not load: %v", err)
	}
	if !strings.HasPrefix(curl[2], cfg.GitLab.URL+"/api/v4/") || cfg.GitLab.TokenEnv != "PINWHEEL_DEMO_TOKEN" || runCmd[1] != curl[1] {
		t.Errorf("the config (%s, %s) does not match the printed URLs and token", cfg.GitLab.URL, cfg.GitLab.TokenEnv)
	}
	if _, err := os.Stat(cfg.State); err != nil {
		t.Errorf("state file: %v", err)
	}

	// The printed curl finishes a pipeline: the simulator takes it.
	finish := regexp.MustCompile(`curl -s -X POST -H 'PRIVATE-TOKEN: \S+' '(\S+/statuses/[0-9a-f]{40}\?state=success&name=test)'`).FindStringSubmatch(text)
	if finish == nil {
		t.Fatalf("no curl that finishes a pipeline:\n%s", text)
	}
	post, _ := http.NewRequest(http.MethodPost, finish[1], nil)
	post.Header.Set("PRIVATE-TOKEN", curl[1])
	if resp, err := http.DefaultClient.Do(post); err != nil || resp.StatusCode != http.StatusCreated {
		t.Errorf("POST %s = %v, %v; want 201", finish[1], resp, err)
	} else {
		resp.Body.Close()
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve ended with %v, want nil on Ctrl-C", err)
	}
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Error("the GitLab simulator still answers after the demo stopped")
	}
	if left, _ := os.ReadDir(os.Getenv("TMPDIR")); len(left) != 0 {
		t.Errorf("left behind in TMPDIR: %v", left)
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
	// The whole demo too: the deploy step's git repositories go as well.
	for _, opts := range []Options{{Steps: 1}, {}} {
		if err := Run(context.Background(), io.Discard, opts); err != nil {
			t.Fatalf("demo: %v", err)
		}
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("left behind in TMPDIR: %v", left)
	}
}

// BenchmarkDemo plays the whole demo (the README's first command, minus
// compiling): it should stay well under the 10 s a first look may take.
func BenchmarkDemo(b *testing.B) {
	for b.Loop() {
		d, err := newWorld(Options{StateDir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		if err := d.play(context.Background(), io.Discard, Options{}); err != nil {
			b.Fatal(err)
		}
		d.close()
	}
}
