package constraints

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"unicode/utf8"
)

// CheckText refuses data pinwheel will not parse: more than MaxFileSize
// bytes (ErrTooLarge), or not text (ErrNotText): a NUL byte, or bytes that
// are not UTF-8 after an optional UTF-8 byte order mark. pip would fail on
// such a file too; refusing it whole keeps a stray binary (or a 50 MB
// file) from becoming thousands of parse errors and gigabytes of memory.
func CheckText(data []byte) error {
	if len(data) > MaxFileSize {
		return fmt.Errorf("%w: %d bytes, the limit is %d (10 MiB)", ErrTooLarge, len(data), MaxFileSize)
	}
	body := bytes.TrimPrefix(data, utf8BOM)
	if i := bytes.IndexByte(body, 0); i >= 0 {
		return fmt.Errorf("%w: NUL byte at offset %d", ErrNotText, i+len(data)-len(body))
	}
	if !utf8.Valid(body) {
		return fmt.Errorf("%w: invalid UTF-8", ErrNotText)
	}
	return nil
}

// ReadFile reads a local constraints file, refusing one larger than
// MaxFileSize without reading it all.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("read %s: %w: more than %d bytes (10 MiB)", path, ErrTooLarge, MaxFileSize)
	}
	return data, nil
}

// Refused is a File for a file that was not read: it has no pins and one
// ParseError (line 0) carrying err, such as ErrTooLarge for a file whose
// size, as a server reports it, is past MaxFileSize.
func Refused(name string, err error) *File {
	return &File{name: name, errs: []ParseError{{Path: name, Err: err}}}
}
