package prepare

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"strings"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

// RemotePackage is the generic package the remote cache stores tarballs
// in; the input hash is its version.
const RemotePackage = "pinwheel-venv"

// RemoteCache keeps finished tarballs in a GitLab project's generic package
// registry, which every runner of the instance reaches with its job token:
// packages/generic/pinwheel-venv/<input hash>/venv.<format> (venv.tar.zst or
// venv.tar.gz, by the output's name).
//
// A download is written to a temporary file, its sha256 computed on the way
// and compared with the one GitLab recorded at upload (X-Checksum-SHA256);
// a mismatch, a cut connection or an unreadable tarball is a miss, never a
// broken venv. Upload happens only after a successful build. Two jobs
// uploading the same hash are harmless: both built the same inputs, and
// GitLab serves the newest (or refuses the duplicate, which is fine too).
// See https://docs.gitlab.com/user/packages/generic_packages/.
type RemoteCache struct {
	GitLab  *gitlab.Client
	Project string // ID or full path of the project holding the packages
}

// Transfer counts the bytes a remote cache call moved.
type Transfer struct {
	Down, Up int64
}

func (c RemoteCache) fileName(f Format) string { return "venv." + string(f) }

func (c RemoteCache) where(hash string, f Format) string {
	return c.Project + ": packages/generic/" + RemotePackage + "/" + hash + "/" + c.fileName(f)
}

// ErrCorrupt is a remote cache download that is not what GitLab stored:
// cut short, another sha256, or not a readable tarball.
var ErrCorrupt = errors.New("corrupt download")

// Get downloads the entry for hash to out. A missing entry is (false, nil);
// a corrupt or partial one is (false, error wrapping ErrCorrupt), which the
// caller treats as a miss. out is only ever replaced by a verified file.
func (c RemoteCache) Get(ctx context.Context, hash string, f Format, out string) (bool, Transfer, error) {
	var t Transfer
	path, err := c.GitLab.GenericPackages.FormatPackageURL(c.Project, RemotePackage, hash, c.fileName(f))
	if err != nil {
		return false, t, fmt.Errorf("remote cache %s: %w", c.where(hash, f), err)
	}
	req, err := c.GitLab.NewRequest(http.MethodGet, path, nil, []gitlab.RequestOptionFunc{gitlab.WithContext(ctx)})
	if err != nil {
		return false, t, fmt.Errorf("remote cache %s: %w", c.where(hash, f), err)
	}
	err = writeAtomic(out, func(w io.Writer) error {
		sum := sha256.New()
		cw := &countingWriter{w: io.MultiWriter(w, sum)}
		resp, err := c.GitLab.Do(req, cw)
		t.Down = cw.n
		if errors.Is(err, gitlab.ErrNotFound) {
			return errMiss
		}
		if err != nil {
			if resp != nil && resp.StatusCode == http.StatusOK {
				return fmt.Errorf("%w: %w", ErrCorrupt, err) // cut mid-body
			}
			return err
		}
		want := strings.ToLower(resp.Header.Get("X-Checksum-SHA256"))
		if err := verifyDownload(sum, want, cw.n, resp.ContentLength); err != nil {
			return err
		}
		if want == "" {
			// No checksum header (GitLab before 17.x): at least read
			// the tarball through, which checks its compression's own
			// checksums and catches a cut.
			return verifyTarball(w, f)
		}
		return nil
	})
	switch {
	case errors.Is(err, errMiss):
		return false, t, nil
	case err != nil:
		return false, t, fmt.Errorf("remote cache %s: %w", c.where(hash, f), err)
	}
	return true, t, nil
}

// errMiss aborts writeAtomic for a missing entry.
var errMiss = errors.New("not in the remote cache")

func verifyDownload(sum hash.Hash, want string, got, announced int64) error {
	if announced >= 0 && got != announced {
		return fmt.Errorf("%w: %d of %d bytes", ErrCorrupt, got, announced)
	}
	if want == "" {
		return nil
	}
	if have := hex.EncodeToString(sum.Sum(nil)); have != want {
		return fmt.Errorf("%w: sha256 %s, GitLab recorded %s", ErrCorrupt, have, want)
	}
	return nil
}

// verifyTarball reads the temporary file w (an *os.File) back through the
// decompressor and the tar reader.
func verifyTarball(w io.Writer, f Format) error {
	file, ok := w.(*os.File)
	if !ok {
		return nil
	}
	r, err := os.Open(file.Name())
	if err != nil {
		return err
	}
	defer r.Close()
	if err := readTarball(r, f); err != nil {
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return nil
}

// Put uploads the tarball at file as the entry for hash and checks that
// GitLab recorded the sha256 it was sent.
func (c RemoteCache) Put(ctx context.Context, hash string, f Format, file string) (Transfer, error) {
	var t Transfer
	src, err := os.Open(file)
	if err != nil {
		return t, fmt.Errorf("remote cache: %w", err)
	}
	defer src.Close()
	info, err := src.Stat()
	if err != nil {
		return t, fmt.Errorf("remote cache: %w", err)
	}
	sum := sha256.New()
	if _, err := io.Copy(sum, src); err != nil {
		return t, fmt.Errorf("remote cache: %w", err)
	}
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		return t, fmt.Errorf("remote cache: %w", err)
	}
	// A sized body, so the upload streams from the file with a
	// Content-Length instead of being read into memory.
	body := &sizedFile{File: src, n: info.Size()}
	pf, _, err := c.GitLab.GenericPackages.PublishPackageFile(c.Project, RemotePackage, hash, c.fileName(f), body,
		&gitlab.PublishPackageFileOptions{Select: gitlab.Ptr(gitlab.SelectPackageFile)}, gitlab.WithContext(ctx))
	if err != nil {
		if strings.Contains(err.Error(), "Duplicate package is not allowed") {
			return t, nil // another job stored this hash first
		}
		return t, fmt.Errorf("remote cache %s: upload: %w", c.where(hash, f), err)
	}
	t.Up = info.Size()
	if have := hex.EncodeToString(sum.Sum(nil)); pf.FileSHA256 != "" && pf.FileSHA256 != have {
		return t, fmt.Errorf("remote cache %s: GitLab recorded sha256 %s for an upload of %s", c.where(hash, f), pf.FileSHA256, have)
	}
	return t, nil
}

// sizedFile gives retryablehttp the body's length (its LenReader).
type sizedFile struct {
	*os.File
	n int64
}

func (s *sizedFile) Len() int { return int(s.n) }

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
