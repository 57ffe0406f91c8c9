package prepare

import (
	"archive/tar"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Format is a tarball's compression.
type Format string

// The formats Prepare writes, chosen by the output's file name.
const (
	Gzip Format = "tar.gz"
	Zstd Format = "tar.zst"
)

// FormatOf picks the format from the name: .tar.gz (or .tgz) or .tar.zst.
func FormatOf(name string) (Format, error) {
	switch {
	case strings.HasSuffix(name, ".tar.gz"), strings.HasSuffix(name, ".tgz"):
		return Gzip, nil
	case strings.HasSuffix(name, ".tar.zst"), strings.HasSuffix(name, ".tar.zstd"):
		return Zstd, nil
	}
	return "", fmt.Errorf("%w: output %q: name must end in .tar.gz or .tar.zst", ErrInvalidOptions, name)
}

// File is a tarball member given by content rather than read from disk.
type File struct {
	Path    string // absolute
	Content []byte
	Mode    int64
	ModTime time.Time
}

// pack writes the trees under roots (absolute paths) to a tarball at out,
// then the members last returns: last asks for them only once the trees
// are written, so the caller can compute them meanwhile, and an error from
// it abandons the tarball. Members are named by their absolute path
// without the leading "/", so `tar -xf out -C /` puts them back where they
// were; symlinks stay links and modes are kept. The tarball appears at out
// only when complete.
func pack(out string, format Format, roots []string, last func() ([]File, error)) error {
	return writeAtomic(out, func(f io.Writer) error {
		var zw io.WriteCloser
		switch format {
		case Gzip:
			zw = gzip.NewWriter(f)
		case Zstd:
			enc, err := zstd.NewWriter(f, zstd.WithEncoderConcurrency(1))
			if err != nil {
				return err
			}
			zw = enc
		default:
			return fmt.Errorf("%w: unknown format %q", ErrInvalidOptions, format)
		}
		tw := tar.NewWriter(zw)
		for _, root := range roots {
			if err := addTree(tw, root); err != nil {
				return err
			}
		}
		if last != nil {
			files, err := last()
			if err != nil {
				return err
			}
			for _, file := range files {
				hdr := &tar.Header{
					Typeflag: tar.TypeReg, Name: strings.TrimPrefix(filepath.ToSlash(file.Path), "/"),
					Mode: file.Mode, Size: int64(len(file.Content)), ModTime: file.ModTime, Format: tar.FormatPAX,
				}
				if err := tw.WriteHeader(hdr); err != nil {
					return err
				}
				if _, err := tw.Write(file.Content); err != nil {
					return err
				}
			}
		}
		if err := tw.Close(); err != nil {
			return err
		}
		return zw.Close()
	})
}

func addTree(tw *tar.Writer, root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		link := ""
		if info.Mode()&fs.ModeSymlink != 0 {
			if link, err = os.Readlink(path); err != nil {
				return err
			}
		}
		hdr, err := tar.FileInfoHeader(info, link)
		if err != nil {
			return fmt.Errorf("pack %s: %w", path, err)
		}
		hdr.Name = strings.TrimPrefix(filepath.ToSlash(path), "/")
		if d.IsDir() {
			hdr.Name += "/"
		}
		// Owner names and ids of the build machine mean nothing where the
		// tarball is unpacked.
		hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = 0, 0, "", ""
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("pack %s: %w", path, err)
		}
		if !info.Mode().IsRegular() {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := io.Copy(tw, f); err != nil {
			return fmt.Errorf("pack %s: %w", path, err)
		}
		return nil
	})
}

// readTarball reads a tarball through to its end, which checks the
// compression's own checksums (gzip's CRC-32, zstd's frame checksums) and
// that it is not cut short.
func readTarball(r io.Reader, format Format) error {
	var zr io.Reader
	switch format {
	case Gzip:
		gz, err := gzip.NewReader(r)
		if err != nil {
			return err
		}
		defer gz.Close()
		zr = gz
	case Zstd:
		dec, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return err
		}
		defer dec.Close()
		zr = dec
	default:
		return fmt.Errorf("%w: unknown format %q", ErrInvalidOptions, format)
	}
	tr := tar.NewReader(zr)
	for {
		_, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := io.Copy(io.Discard, tr); err != nil {
			return err
		}
	}
}

// writeAtomic writes a file through a temporary file in the same directory
// and renames it into place, so readers never see a partial file.
func writeAtomic(path string, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := write(tmp); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
