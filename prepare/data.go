package prepare

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/gzip"
	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

// DataProject is a GitLab project whose production branch is unpacked
// beside the venv.
type DataProject struct {
	Path   string `json:"path"`
	Commit string `json:"commit"`
	Dir    string `json:"dir"`
}

// resolveDataProjects looks up the commit of each project's branch, so the
// hash (and later the archive) name one exact tree.
func resolveDataProjects(ctx context.Context, gl *gitlab.Client, projects []string, branch, softwareDir string) ([]DataProject, error) {
	var out []DataProject
	for _, p := range projects {
		b, _, err := gl.Branches.GetBranch(p, branch, gitlab.WithContext(ctx))
		if errors.Is(err, gitlab.ErrNotFound) {
			return nil, fmt.Errorf("data project %s: branch %s: %w", p, branch, ErrRefNotFound)
		}
		if err != nil {
			return nil, fmt.Errorf("data project %s: look up branch %s: %w", p, branch, err)
		}
		if b.Commit == nil || b.Commit.ID == "" {
			return nil, fmt.Errorf("data project %s: branch %s has no commit", p, branch)
		}
		out = append(out, DataProject{Path: p, Commit: b.Commit.ID, Dir: filepath.Join(softwareDir, ProjectName(p))})
	}
	return out, nil
}

// MaxDataProjectSize caps a data project: its archive as downloaded and
// the bytes of the files it unpacks to. Past it, prepare stops with
// ErrTooLarge rather than filling the runner's disk (a 2 MB gzip can
// unpack to gigabytes).
const MaxDataProjectSize = 1 << 30 // 1 GiB

// ErrTooLarge is a data project past MaxDataProjectSize.
var ErrTooLarge = errors.New("too large")

// fetchDataProjects downloads each project's archive at its resolved commit
// to a temporary file (streamed, never held in memory) and unpacks it into
// a fresh directory, both within limit bytes.
// See https://docs.gitlab.com/api/repositories/#get-file-archive.
func fetchDataProjects(ctx context.Context, gl *gitlab.Client, log io.Writer, projects []DataProject, limit int64) error {
	for _, d := range projects {
		fmt.Fprintf(log, "[data] %s@%s -> %s\n", d.Path, d.Commit, d.Dir)
		if err := fetchDataProject(ctx, gl, d, limit); err != nil {
			return fmt.Errorf("data project %s: %w", d.Path, err)
		}
	}
	return nil
}

func fetchDataProject(ctx context.Context, gl *gitlab.Client, d DataProject, limit int64) error {
	if err := os.MkdirAll(filepath.Dir(d.Dir), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(d.Dir), "."+filepath.Base(d.Dir)+".*.tar.gz")
	if err != nil {
		return fmt.Errorf("download archive: %w", err)
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	format, sha := "tar.gz", d.Commit
	w := &limitedWriter{w: tmp, left: limit}
	if _, err := gl.Repositories.StreamArchive(d.Path, w, &gitlab.ArchiveOptions{Format: &format, SHA: &sha}, gitlab.WithContext(ctx)); err != nil {
		if w.over {
			return fmt.Errorf("download archive: %w: over %d bytes", ErrTooLarge, limit)
		}
		return fmt.Errorf("download archive: %w", err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("download archive: %w", err)
	}
	if err := os.RemoveAll(d.Dir); err != nil {
		return err
	}
	return UnpackArchive(tmp, d.Dir, limit)
}

// limitedWriter fails a write past left bytes.
type limitedWriter struct {
	w    io.Writer
	left int64
	over bool
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > l.left {
		l.over = true
		return 0, ErrTooLarge
	}
	l.left -= int64(len(p))
	return l.w.Write(p)
}

// UnpackArchive unpacks a GitLab repository archive (tar.gz) into dir,
// dropping the archive's top-level `<project>-<ref>-<sha>/` directory.
// Members are written through an os.Root, so neither a `../` name nor a
// member behind a symlink pointing out of dir can land outside it. The
// files' bytes together may not pass limit (ErrTooLarge); what was
// unpacked before is left for the caller to remove.
func UnpackArchive(r io.Reader, dir string, limit int64) error {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return fmt.Errorf("unpack archive: %w", err)
	}
	defer zr.Close()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("unpack archive: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("unpack archive: %w", err)
	}
	defer root.Close()
	tr := tar.NewReader(zr)
	left := limit
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("unpack archive: %w", err)
		}
		if hdr.Typeflag == tar.TypeXGlobalHeader {
			continue // git archive's pax comment with the commit id
		}
		name := path.Clean(strings.TrimPrefix(hdr.Name, "./"))
		if path.IsAbs(name) || name == ".." || strings.HasPrefix(name, "../") {
			return fmt.Errorf("unpack archive: member %q escapes the directory", hdr.Name)
		}
		_, rel, found := strings.Cut(name, "/")
		if !found || rel == "" || rel == "." {
			continue // the top-level directory itself
		}
		if hdr.Typeflag == tar.TypeReg {
			// The header says how much is coming, before any is written.
			if hdr.Size > left {
				return fmt.Errorf("unpack archive: %w: files over %d bytes (at %s)", ErrTooLarge, limit, rel)
			}
			left -= hdr.Size
		}
		if err := unpackMember(root, tr, hdr, filepath.FromSlash(rel)); err != nil {
			return fmt.Errorf("unpack archive: %s: %w", rel, err)
		}
	}
}

func unpackMember(root *os.Root, tr *tar.Reader, hdr *tar.Header, rel string) error {
	mode := hdr.FileInfo().Mode().Perm()
	switch hdr.Typeflag {
	case tar.TypeDir:
		return root.MkdirAll(rel, mode|0o700)
	case tar.TypeSymlink:
		if err := root.MkdirAll(filepath.Dir(rel), 0o755); err != nil {
			return err
		}
		return root.Symlink(hdr.Linkname, rel)
	case tar.TypeReg:
		if err := root.MkdirAll(filepath.Dir(rel), 0o755); err != nil {
			return err
		}
		f, err := root.OpenFile(rel, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, tr); err != nil {
			f.Close()
			return err
		}
		// The archive's mode, not the umask's view of it: these files are
		// packed into the tarball as they are.
		if err := f.Chmod(mode); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	return nil // git archives hold nothing else
}
