package scheduler_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pinwheel-dev/pinwheel/gitlabsim"
)

// People edit the dashboard in every way: nothing breaks, and nothing but
// the run's own branches is ever acted on.
func TestHostileDashboardEdits(t *testing.T) {
	e := newEnv(t, "")
	e.mustRun()
	is := e.dashboard()
	mainBefore, _ := e.gl.Branch(e.proj, "main")
	edited := strings.ReplaceAll(is.Description, "## Awaiting Schedule", "## Stuff we ignore <b>bold</b>")
	edited = strings.Replace(edited, " - [ ] <!-- unschedule-branch="+brSix+" -->", "", 1) // an entry deleted
	edited += "\n - [x] <!-- unschedule-branch=main -->Update main\n" +
		" - [x] <!-- rebase-branch=pinwheel/evil-9.x -->not an update\n" +
		" - [x] <!-- unschedule-branch=../../etc/passwd -->traversal\n" +
		" - [x] <!-- recreate-branch=" + brRequests + " -->wrong kind for this update\n" +
		" - [x] <!-- unschedule-branch=pinwheel/requests-2.x; rm -rf / -->shell\n" +
		"* [X] <!--unknown-branch=pinwheel/idna-3.x-->odd kind\n"
	if err := e.gl.EditIssue(e.proj, is.IID, func(i *gitlabsim.Issue) { i.Description = edited }); err != nil {
		t.Fatal(err)
	}
	rep := e.mustRun()
	if rep.MRsOpened != 0 || len(e.gl.MergeRequests(e.proj)) != 0 {
		t.Fatalf("hostile markers opened MRs: %+v", rep)
	}
	if head, _ := e.gl.Branch(e.proj, "main"); head != mainBefore {
		t.Errorf("main was changed")
	}
	if _, ok := e.gl.Branch(e.proj, "pinwheel/evil-9.x"); ok {
		t.Errorf("a branch named by the issue was created")
	}
	body := e.dashboard().Description
	if strings.Contains(body, "evil") || strings.Contains(body, "passwd") || strings.Contains(body, "[x]") {
		t.Errorf("hostile text kept:\n%s", body)
	}
	if !hasBox(section(body, "Awaiting Schedule"), "unschedule", brSix) {
		t.Errorf("deleted entry not restored:\n%s", body)
	}
	// An empty description, too.
	if err := e.gl.EditIssue(e.proj, is.IID, func(i *gitlabsim.Issue) { i.Description = "" }); err != nil {
		t.Fatal(err)
	}
	e.step(t, "emptied")
	if !hasBox(e.dashboard().Description, "unschedule", brSix) {
		t.Errorf("dashboard not rewritten")
	}
}

// The token never appears in logs, errors, the dashboard, MR texts or the
// dry run's output, even when things fail.
func TestTokenNeverLeaks(t *testing.T) {
	e := newEnv(t, unlimited)
	e.clock.Set(saturday)
	var texts []string
	e.gl.FailNext(1, 422, "POST /projects/:id/merge_requests")
	rep := e.run()
	texts = append(texts, rep.Actions...)
	e.gl.FailNext(6, 500, "GET /projects/:id/merge_requests") // one try and five retries
	rep = e.run()
	if rep.Err == nil {
		t.Fatal("the failing run did not fail")
	}
	texts = append(texts, rep.Err.Error())
	e.step(t, "recovered")
	e.runCtx(context.Background(), true)
	texts = append(texts, e.logs.String(), e.out.String())
	for _, is := range e.gl.Issues(e.proj) {
		texts = append(texts, is.Description)
	}
	for _, mr := range e.gl.MergeRequests(e.proj) {
		texts = append(texts, mr.Title, mr.Description)
		for _, n := range e.gl.MRNotes(e.proj, mr.IID) {
			texts = append(texts, n.Body)
		}
	}
	for _, c := range e.gl.Commits(e.proj, brRequests) {
		texts = append(texts, c.Message)
	}
	for _, s := range texts {
		if strings.Contains(s, e.token) || strings.Contains(s, "glpat-") {
			t.Fatalf("token leaked in %q", s)
		}
	}
	if !strings.Contains(e.logs.String(), "gitlab write") {
		t.Errorf("nothing was logged; the check proves nothing")
	}
}

// A dry run reads everything, prints every action and writes nothing.
func TestDryRun(t *testing.T) {
	e := newEnv(t, "")
	e.gl.ResetStats()
	rep := e.runCtx(context.Background(), true)
	if st := e.gl.Stats(); st.Writes != 0 || rep.Writes != 0 {
		t.Fatalf("dry run wrote: %v", st.ByEndpoint)
	}
	if !strings.Contains(e.out.String(), `group/app: would create dashboard issue "Dependency Dashboard"`) {
		t.Errorf("output:\n%s", e.out.String())
	}
	e.mustRun()
	e.clock.Set(saturday)
	e.out.Reset()
	e.gl.ResetStats()
	rep = e.runCtx(context.Background(), true)
	if st := e.gl.Stats(); st.Writes != 0 || rep.Err != nil {
		t.Fatalf("dry run: %v %v", st.ByEndpoint, rep.Err)
	}
	out := e.out.String()
	for _, want := range []string{
		"would commit to branch pinwheel/requests-2.x: Update requests to 2.32.4",
		`would open MR "Update requests to 2.32.4" from pinwheel/requests-2.x`,
		"would update dashboard #1 (+",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}
	if rep.MRsOpened != 3 {
		t.Errorf("dry run report: %+v", rep)
	}
	// The state was not touched: a real run does it all.
	if rep := e.mustRun(); rep.MRsOpened != 3 {
		t.Errorf("real run after the dry run: %+v", rep)
	}
}
