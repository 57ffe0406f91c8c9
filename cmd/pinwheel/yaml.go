package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/pinwheel-dev/pinwheel/constraints"
)

func init() { commands = append(commands, newYAMLCmd) }

func newYAMLCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "yaml CONSTRAINTS_FILE",
		Short: "Print the pins of a constraints file as YAML for CI pipelines",
		Long: `Print the pins of a constraints file as a YAML mapping from project name
to pinned version (always a quoted string), with a header saying the file is
generated. With -o, write it to FILE instead, atomically; FILE must be a
regular file or not exist yet (a device, FIFO, directory or symbolic link
is refused, never replaced); -o - means stdout.

Lines that cannot be parsed are reported on stderr with their line numbers
and left out; the YAML of the other pins is still printed or written, and
the command then exits 1, so a pipeline notices the broken line.` +
			exitStatus("when every line was parsed", "when some could not be (the others are still written)",
				"an unreadable, too large or binary constraints file (nothing is written), an -o that is not a regular file"),
		Args: fileArg("CONSTRAINTS_FILE", "the constraints file to read the pins from"),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := args[0]
			if out == "-" {
				out = ""
			}
			if out != "" {
				if err := checkOutputFile(out); err != nil {
					return usageError(err)
				}
			}
			data, err := constraints.ReadFile(path)
			if err != nil {
				return usageError(fmt.Errorf("read constraints: %w", err))
			}
			// A file refused whole (too large, not text) has no pins: writing
			// its YAML would replace a good copy with an empty mapping.
			if err := constraints.CheckText(data); err != nil {
				return usageError(fmt.Errorf("%s: %w", path, err))
			}
			f := constraints.ParseFile(path, data)
			for _, e := range f.Errors() {
				fmt.Fprintln(cmd.ErrOrStderr(), e)
			}
			doc := constraints.YAML(f, filepath.ToSlash(path))
			if out == "" {
				_, err = cmd.OutOrStdout().Write(doc)
			} else {
				err = writeFileAtomic(out, doc)
			}
			if err != nil {
				return fmt.Errorf("write YAML: %w", err)
			}
			if n := len(f.Errors()); n > 0 {
				return fmt.Errorf("%s: %d line(s) could not be parsed", path, n)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the YAML to `FILE` instead of stdout (- for stdout)")
	return cmd
}

// checkOutputFile refuses an output path that is not a regular file:
// writeFileAtomic renames over the path, which would replace a device
// (-o /dev/null as root), a FIFO or a symbolic link with a regular file.
func checkOutputFile(path string) error {
	info, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("-o %s: %w", path, err)
	}
	switch t := info.Mode(); {
	case t.IsRegular():
		return nil
	case t&os.ModeSymlink != 0:
		return fmt.Errorf("-o %s: is a symbolic link; name the file itself (or - for stdout)", path)
	case t.IsDir():
		return fmt.Errorf("-o %s: is a directory; name a file in it (or - for stdout)", path)
	default:
		return fmt.Errorf("-o %s: not a regular file (%s); -o writes files only, use - for stdout", path, describeMode(t))
	}
}

func describeMode(m os.FileMode) string {
	switch {
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a device"
	case m&os.ModeNamedPipe != 0:
		return "a FIFO"
	case m&os.ModeSocket != 0:
		return "a socket"
	}
	return m.Type().String()
}

// writeFileAtomic writes data to a temporary file next to path and renames
// it over path, so a reader never sees half a file.
func writeFileAtomic(path string, data []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
