package store

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// checkOwnerOnly fails unless every file in dir is 0600.
func checkOwnerOnly(t *testing.T, dir string, want ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		seen[e.Name()] = true
		if perm := fi.Mode().Perm(); perm != FileMode {
			t.Errorf("%s has mode %04o, want 0600", e.Name(), perm)
		}
	}
	for _, w := range want {
		if !seen[w] {
			t.Errorf("%s was not created (files: %v)", w, seen)
		}
	}
}

func TestFilesAreOwnerOnlyWhateverTheDirectory(t *testing.T) {
	old := syscall.Umask(0o022) // the usual umask, under which SQLite makes 0644 files
	t.Cleanup(func() { syscall.Umask(old) })
	ctx := context.Background()

	t.Run("a directory that already exists, 0755", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		db, err := Open(ctx, Options{Dir: dir, Name: "t"}, testMigrations)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.ExecContext(ctx, `INSERT INTO things(name) VALUES ('x')`); err != nil {
			t.Fatal(err)
		}
		// While open, the database, its WAL and its shared-memory file.
		checkOwnerOnly(t, dir, "t.db", "t.db-wal", "t.db-shm")
	})

	t.Run("files an older ssowiz left 0644", func(t *testing.T) {
		dir := t.TempDir()
		for _, name := range []string{"t.db", "t.db-wal", "t.db-shm"} {
			if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		db, err := Open(ctx, Options{Dir: dir, Name: "t"}, testMigrations)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		checkOwnerOnly(t, dir, "t.db")
	})

	t.Run("a new directory is 0700", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data")
		db, err := Open(ctx, Options{Dir: dir, Name: "t"}, testMigrations)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		fi, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm != 0o700 {
			t.Errorf("new data directory has mode %04o, want 0700", perm)
		}
		if w := DirWarning(dir); w != "" {
			t.Errorf("warning for a 0700 directory: %s", w)
		}
	})
}

func TestDirWarning(t *testing.T) {
	for _, tc := range []struct {
		mode os.FileMode
		warn bool
	}{{0o700, false}, {0o750, true}, {0o755, true}, {0o701, true}, {0o777, true}} {
		dir := t.TempDir()
		if err := os.Chmod(dir, tc.mode); err != nil {
			t.Fatal(err)
		}
		w := DirWarning(dir)
		if (w != "") != tc.warn {
			t.Errorf("mode %04o: warning %q, want one: %v", tc.mode, w, tc.warn)
		}
		if tc.warn && (!strings.Contains(w, dir) || !strings.Contains(w, "chmod 700")) {
			t.Errorf("mode %04o: warning %q should name the directory and the fix", tc.mode, w)
		}
	}
	if w := DirWarning(filepath.Join(t.TempDir(), "not-yet")); w != "" {
		t.Errorf("warning for a directory that does not exist yet: %s", w)
	}
}

// A deleted secret is overwritten in the file, not left in a free page.
func TestDeletedRowsLeaveNoTrace(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(ctx, Options{Dir: dir, Name: "t"}, testMigrations)
	if err != nil {
		t.Fatal(err)
	}
	const secret = "rspat_DELETEDsecretVALUE_0123456789"
	if _, err := db.ExecContext(ctx, `INSERT INTO things(name) VALUES (?)`, secret); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM things WHERE name = ?`, secret); err != nil {
		t.Fatal(err)
	}
	db.Close() // the last connection checkpoints the WAL into the file
	for _, name := range []string{"t.db", "t.db-wal"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s still holds the deleted value", name)
		}
	}
}
