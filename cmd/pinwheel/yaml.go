package main

import (
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
generated. With -o, write it to FILE instead, atomically.

Lines that cannot be parsed are reported on stderr with their line numbers
and left out; the YAML of the other pins is still printed or written, and
the command then exits 1, so a pipeline notices the broken line. Exit 2 on
bad usage or an unreadable file.`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := args[0]
			data, err := os.ReadFile(path)
			if err != nil {
				return usageError(fmt.Errorf("read constraints: %w", err))
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
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the YAML to `FILE` instead of stdout")
	return cmd
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
