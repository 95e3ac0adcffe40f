// Package atomicfile writes a file whole or not at all: the setup file,
// exports, HARs, secrets, cached keys, the serve record and the kept CA
// all hold what a half-written file would lose or leak.
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Write writes path through a temporary file in the same directory,
// renamed over path once write has returned and the file is closed. A
// reader sees the old file or the new one, never part of one; a failure
// leaves the old file as it was and no temporary file behind. The file is
// readable by its owner only (0600, as os.CreateTemp makes it), whatever
// the file it replaces allowed, because most of what ssowiz writes holds
// a secret. Errors from write come back as they are; the others say
// which step failed, and callers add what they were writing.
func Write(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("make a temporary file: %w", err)
	}
	// After a successful rename there is nothing left to remove.
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close the temporary file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("put the file in place: %w", err)
	}
	return nil
}

// WriteBytes is Write for data already in memory.
func WriteBytes(path string, data []byte) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
