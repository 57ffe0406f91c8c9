package gitlabsim

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// GET /projects/:id/repository/compare?from&to&straight
// https://docs.gitlab.com/api/repositories/#compare-branches-tags-or-commits
// With straight=false (the default) the diff is taken from the merge base,
// like git diff from...to.
func (s *Server) compare(c *call) {
	if c.missing("from", "to") {
		return
	}
	p := c.project
	fromRef, toRef := c.params.get("from"), c.params.get("to")
	from := p.repo.resolve(fromRef, p.DefaultBranch)
	to := p.repo.resolve(toRef, p.DefaultBranch)
	if from == nil || to == nil {
		c.message(http.StatusNotFound, "404 Ref Not Found")
		return
	}
	base := from
	if !c.params.boolean("straight") {
		base = p.repo.mergeBase(from.ID, to.ID)
	}
	var commits []*commitJSON
	for _, cm := range p.repo.between(from.ID, to.ID) {
		commits = append(commits, s.commitJSON(p, cm))
	}
	var diffs []diffJSON
	baseTree := tree{}
	if base != nil {
		baseTree = base.tree
	}
	diffs = diffsJSON(diffTrees(baseTree, to.tree))
	var head *commitJSON
	if len(commits) > 0 {
		head = s.commitJSON(p, to)
	}
	c.json(http.StatusOK, map[string]any{
		"commit":           head,
		"commits":          nonNil(commits),
		"diffs":            diffs,
		"compare_timeout":  false,
		"compare_same_ref": fromRef == toRef,
		"web_url":          s.webURL(p) + "/-/compare/" + from.ID + "..." + to.ID,
	})
}

// GET /projects/:id/repository/merge_base?refs[]=a&refs[]=b
func (s *Server) mergeBase(c *call) {
	p := c.project
	refs, _ := c.params.list("refs")
	if len(refs) < 2 {
		c.message(http.StatusBadRequest, "Provide at least 2 refs")
		return
	}
	var shas []string
	for _, ref := range refs {
		cm := p.repo.resolve(ref, p.DefaultBranch)
		if cm == nil {
			c.message(http.StatusNotFound, "Could not find ref: "+ref)
			return
		}
		shas = append(shas, cm.ID)
	}
	base := p.repo.commits[shas[0]]
	for _, sha := range shas[1:] {
		if base == nil {
			break
		}
		base = p.repo.mergeBase(base.ID, sha)
	}
	if base == nil {
		c.message(http.StatusNotFound, "404 Merge Base Not Found")
		return
	}
	c.json(http.StatusOK, s.commitJSON(p, base))
}

// GET /projects/:id/repository/archive[.format]?sha=&path=
// https://docs.gitlab.com/api/repositories/#get-file-archive
// The top-level directory is named as Gitlab::Git::Repository#archive_prefix
// does: <project>-<ref with / as ->[-<sha> when ref is not the sha].
func (s *Server) archive(c *call) {
	p := c.project
	ref := c.params.get("sha")
	if ref == "" {
		ref = p.DefaultBranch
	}
	cm := p.repo.resolve(ref, p.DefaultBranch)
	if cm == nil {
		c.message(http.StatusNotFound, "404 File Not Found")
		return
	}
	prefix := p.Name() + "-" + strings.ReplaceAll(ref, "/", "-")
	if ref != cm.ID {
		prefix += "-" + cm.ID
	}
	sub := strings.Trim(c.params.get("path"), "/")
	if sub != "" {
		prefix += "-" + strings.ReplaceAll(sub, "/", "-")
	}
	format := "tar.gz"
	if _, f, ok := strings.Cut(c.r.URL.EscapedPath(), "/repository/archive."); ok {
		format = f
	}
	var buf bytes.Buffer
	var err error
	switch format {
	case "zip":
		err = writeZip(&buf, prefix, cm, sub)
		c.w.Header().Set("Content-Type", "application/zip")
	case "tar":
		err = writeTar(&buf, prefix, cm, sub)
		c.w.Header().Set("Content-Type", "application/x-tar")
	default:
		zw := gzip.NewWriter(&buf)
		err = writeTar(zw, prefix, cm, sub)
		if cerr := zw.Close(); err == nil {
			err = cerr
		}
		c.w.Header().Set("Content-Type", "application/x-gzip")
	}
	if err != nil {
		c.message(http.StatusInternalServerError, "500 Internal Server Error")
		return
	}
	c.w.Header().Set("Content-Disposition", `attachment; filename="`+prefix+"."+format+`"`)
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(buf.Bytes())
}

// archivePaths lists the tree's files under sub, sorted.
func archivePaths(cm *Commit, sub string) []string {
	var out []string
	for _, fp := range slices.Sorted(maps.Keys(cm.tree)) {
		if sub == "" || fp == sub || strings.HasPrefix(fp, sub+"/") {
			out = append(out, fp)
		}
	}
	return out
}

func writeTar(w interface{ Write([]byte) (int, error) }, prefix string, cm *Commit, sub string) error {
	tw := tar.NewWriter(w)
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: prefix + "/", Mode: 0o775, ModTime: cm.CommittedAt}); err != nil {
		return err
	}
	for _, fp := range archivePaths(cm, sub) {
		e := cm.tree[fp]
		mode := int64(0o664)
		if e.exec {
			mode = 0o775
		}
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: prefix + "/" + fp, Mode: mode, Size: int64(len(e.data)), ModTime: cm.CommittedAt}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := tw.Write(e.data); err != nil {
			return err
		}
	}
	return tw.Close()
}

func writeZip(w *bytes.Buffer, prefix string, cm *Commit, sub string) error {
	zw := zip.NewWriter(w)
	for _, fp := range archivePaths(cm, sub) {
		f, err := zw.Create(prefix + "/" + fp)
		if err != nil {
			return err
		}
		if _, err := f.Write(cm.tree[fp].data); err != nil {
			return err
		}
	}
	return zw.Close()
}
