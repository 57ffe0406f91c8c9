package testbot

import (
	"fmt"
	"strings"

	"github.com/pinwheel-dev/pinwheel/mdtext"
	"github.com/pinwheel-dev/pinwheel/state"
)

// markerVariable carries a test's record id on its pipeline, so a
// restarted bot finds a pipeline whose trigger answer it lost.
const markerVariable = "PINWHEEL_TEST"

// secretWords mark variable names whose values the reply does not show.
var secretWords = []string{"TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "PRIVATE", "API_KEY", "APIKEY", "AUTH", "COOKIE", "SESSION"}

// tokenPrefixes start GitLab's token formats
// (https://docs.gitlab.com/security/tokens/#token-prefixes); a value that
// looks like one is not shown whatever its name.
var tokenPrefixes = []string{"glpat-", "glptt-", "gldt-", "glrt-", "glcbt-", "gloas-", "glsoat-", "glft-", "glimt-", "glagent-", "glwt-", "ghp_", "github_pat_"}

// Secret reports whether a variable's value must not be echoed: its name
// contains a word like TOKEN, SECRET or PASSWORD, or its value looks like
// a GitLab token.
func Secret(key, value string) bool {
	k := strings.ToUpper(key)
	for _, w := range secretWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	for _, p := range tokenPrefixes {
		if strings.HasPrefix(value, p) {
			return true
		}
	}
	return false
}

// noteMarker ends every reply; findReply looks for it.
func noteMarker(id string) string { return "<!-- pinwheel-test:" + id + " -->" }

// statusWords says how a pipeline status reads in a reply.
func statusWords(status string) string {
	switch status {
	case "success":
		return "passed"
	case "failed":
		return "failed"
	case "canceled", "canceling":
		return "was canceled"
	case "skipped":
		return "was skipped"
	case "manual":
		return "waits for a manual job"
	case "":
		return "is starting"
	}
	return "is " + strings.ReplaceAll(status, "_", " ")
}

// finished reports whether a pipeline status is final.
func finished(status string) bool {
	switch status {
	case "success", "failed", "canceled", "skipped":
		return true
	}
	return false
}

// renderReply is the bot's one note for a test, as it stands now.
func renderReply(rec state.BotTest, triggerProject string) string {
	var b strings.Builder
	if rec.Commenter != "" {
		fmt.Fprintf(&b, "@%s ", rec.Commenter)
	}
	pipeline := "A pipeline"
	if rec.PipelineID != 0 {
		pipeline = fmt.Sprintf("Pipeline #%d", rec.PipelineID)
		if mdtext.Linkable(rec.PipelineURL) {
			pipeline = fmt.Sprintf("Pipeline [#%d](%s)", rec.PipelineID, rec.PipelineURL)
		}
	}
	switch {
	case rec.Error != "":
		fmt.Fprintf(&b, "no pipeline of %s could be started: %s\n", mdtext.Code(triggerProject, mdtext.Short), mdtext.Text(rec.Error, mdtext.Long))
	default:
		fmt.Fprintf(&b, "%s of %s %s for commit %s.\n", pipeline, mdtext.Code(triggerProject, mdtext.Short), bold(statusWords(rec.Status), finished(rec.Status)), mdtext.Code(rec.SHA, mdtext.Short))
	}
	b.WriteString("\n| Variable | Value |\n|---|---|\n")
	for _, v := range rec.Variables {
		value := mdtext.Cell(v.Value, mdtext.Long)
		if Secret(v.Key, v.Value) {
			value = "*(hidden)*"
		}
		fmt.Fprintf(&b, "| %s | %s |\n", mdtext.Cell(v.Key, mdtext.Short), value)
	}
	b.WriteString("\n" + noteMarker(rec.ID) + "\n")
	return b.String()
}

func bold(s string, final bool) string {
	if final {
		return "**" + s + "**"
	}
	return s
}

// renderDuplicate answers a command whose pipeline runs already.
func renderDuplicate(commenter string, running state.BotTest) string {
	link := "is being started"
	if running.PipelineID != 0 {
		link = fmt.Sprintf("runs already: pipeline #%d", running.PipelineID)
		if mdtext.Linkable(running.PipelineURL) {
			link = fmt.Sprintf("runs already: pipeline [#%d](%s)", running.PipelineID, running.PipelineURL)
		}
	}
	return fmt.Sprintf("@%s nothing new was started: a test of commit %s with the same variables %s.\n", commenter, mdtext.Code(running.SHA, mdtext.Short), link)
}

// renderRefusal answers a command that starts nothing; why is markdown.
func renderRefusal(commenter, why string) string {
	return fmt.Sprintf("@%s nothing was started: %s\n", commenter, why)
}
