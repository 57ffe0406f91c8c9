package gitlabci

import (
	"bytes"
	"os"
	"testing"

	"github.com/pinwheel-dev/pinwheel/internal/golden"
)

// readmeHeading is the README section whose yaml block is this file.
const readmeHeading = "#### `.gitlab-ci.yml`\n"

// TestREADMEShowsThisPipeline keeps the README's example and the pipeline
// that TestExamplePipeline runs the same text; `go test -update` copies the
// file into the README.
func TestREADMEShowsThisPipeline(t *testing.T) {
	pipeline, err := os.ReadFile(".gitlab-ci.yml")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	start, end, ok := yamlBlock(readme)
	if !ok {
		t.Fatalf("README.md has no ```yaml block after %q", readmeHeading)
	}
	if golden.Updating() {
		updated := append(append(append([]byte{}, readme[:start]...), pipeline...), readme[end:]...)
		if err := os.WriteFile("../../README.md", updated, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got := readme[start:end]; !bytes.Equal(got, pipeline) {
		t.Errorf("README.md's example pipeline differs from examples/gitlab-ci/.gitlab-ci.yml (go test ./examples/gitlab-ci -update copies the file):\n--- README\n%s\n--- file\n%s", got, pipeline)
	}
}

// yamlBlock finds the body of the first ```yaml block after the heading.
func yamlBlock(readme []byte) (start, end int, ok bool) {
	h := bytes.Index(readme, []byte(readmeHeading))
	if h < 0 {
		return 0, 0, false
	}
	open := []byte("```yaml\n")
	i := bytes.Index(readme[h:], open)
	if i < 0 {
		return 0, 0, false
	}
	start = h + i + len(open)
	j := bytes.Index(readme[start:], []byte("\n```\n"))
	if j < 0 {
		return 0, 0, false
	}
	return start, start + j + 1, true
}
