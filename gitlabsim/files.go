package gitlabsim

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"path"
	"strconv"
)

type fileJSON struct {
	FileName        string `json:"file_name"`
	FilePath        string `json:"file_path"`
	Size            int    `json:"size"`
	Encoding        string `json:"encoding"`
	Content         string `json:"content,omitempty"`
	ContentSHA256   string `json:"content_sha256"`
	Ref             string `json:"ref"`
	BlobID          string `json:"blob_id"`
	CommitID        string `json:"commit_id"`
	LastCommitID    string `json:"last_commit_id"`
	ExecuteFilemode bool   `json:"execute_filemode"`
}

// findFile resolves ref and file_path for the repository files API,
// answering GitLab's errors itself.
func (c *call) findFile(ref string) (*fileJSON, []byte, bool) {
	p := c.project
	commit := p.repo.resolve(ref, p.DefaultBranch)
	if commit == nil {
		c.message(http.StatusNotFound, "404 Commit Not Found")
		return nil, nil, false
	}
	fp := c.args["file_path"]
	e, ok := commit.tree[fp]
	if !ok {
		c.message(http.StatusNotFound, "404 File Not Found")
		return nil, nil, false
	}
	sum := sha256.Sum256(e.data)
	last := ""
	if lc := p.repo.lastCommitFor(commit.ID, fp); lc != nil {
		last = lc.ID
	}
	return &fileJSON{
		FileName: path.Base(fp), FilePath: fp, Size: len(e.data), Encoding: "base64",
		ContentSHA256: hex.EncodeToString(sum[:]), Ref: ref, BlobID: blobID(e.data),
		CommitID: commit.ID, LastCommitID: last, ExecuteFilemode: e.exec,
	}, e.data, true
}

func setFileHeaders(w http.ResponseWriter, f *fileJSON) {
	h := w.Header()
	h.Set("X-Gitlab-Blob-Id", f.BlobID)
	h.Set("X-Gitlab-Commit-Id", f.CommitID)
	h.Set("X-Gitlab-Content-Sha256", f.ContentSHA256)
	h.Set("X-Gitlab-Encoding", f.Encoding)
	h.Set("X-Gitlab-File-Name", f.FileName)
	h.Set("X-Gitlab-File-Path", f.FilePath)
	h.Set("X-Gitlab-Last-Commit-Id", f.LastCommitID)
	h.Set("X-Gitlab-Ref", f.Ref)
	h.Set("X-Gitlab-Size", strconv.Itoa(f.Size))
	h.Set("X-Gitlab-Execute-Filemode", strconv.FormatBool(f.ExecuteFilemode))
}

// GET and HEAD /projects/:id/repository/files/:file_path?ref=
// https://docs.gitlab.com/api/repository_files/
func (s *Server) getFile(c *call) {
	if c.missing("ref") {
		return
	}
	f, data, ok := c.findFile(c.params.get("ref"))
	if !ok {
		return
	}
	setFileHeaders(c.w, f)
	if c.r.Method == http.MethodHead {
		c.w.WriteHeader(http.StatusOK)
		return
	}
	f.Content = base64.StdEncoding.EncodeToString(data)
	c.json(http.StatusOK, f)
}

// GET /projects/:id/repository/files/:file_path/raw; ref defaults to the
// default branch.
func (s *Server) getRawFile(c *call) {
	ref := c.params.get("ref")
	if ref == "" {
		ref = c.project.DefaultBranch
	}
	f, data, ok := c.findFile(ref)
	if !ok {
		return
	}
	setFileHeaders(c.w, f)
	c.w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	c.w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	c.w.WriteHeader(http.StatusOK)
	if c.r.Method != http.MethodHead {
		_, _ = c.w.Write(data)
	}
}
