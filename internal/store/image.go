package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"

	"modernc.org/sqlite"
)

// SaveImage writes a consistent copy of the whole database to path (which
// must not exist), as one SQLite file: VACUUM INTO, which reads the
// database in one transaction. An in-memory database can be kept this way.
func SaveImage(ctx context.Context, db *sql.DB, path string) error {
	// A URI naming the file system's VFS: the target would otherwise be
	// made by the database's own, which for one in memory is memdb.
	vfs := "unix"
	if runtime.GOOS == "windows" {
		vfs = "win32"
	}
	target := "file:" + strings.ReplaceAll(path, "?", "%3F") + "?" + url.Values{"vfs": {vfs}}.Encode()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, target); err != nil {
		return fmt.Errorf("store: save an image to %s: %w", path, err)
	}
	return nil
}

// restorer is the modernc driver's connection, which can restore a
// database from a file (SQLite's backup API).
type restorer interface {
	NewRestore(srcURI string) (*sqlite.Backup, error)
}

// RestoreImage replaces the whole database with the image SaveImage wrote
// at path, through SQLite's backup API, so every connection of db (an
// in-memory database's included) sees it. The caller checks the image
// first: SQLite only refuses what is not a database at all.
func RestoreImage(ctx context.Context, db *sql.DB, path string) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: restore an image: %w", err)
	}
	defer conn.Close()
	src := "file:" + strings.ReplaceAll(path, "?", "%3F") + "?" + url.Values{"mode": {"ro"}}.Encode()
	err = conn.Raw(func(dc any) error {
		r, ok := dc.(restorer)
		if !ok {
			return errors.New("the SQLite driver cannot restore a backup")
		}
		b, err := r.NewRestore(src)
		if err != nil {
			return err
		}
		if _, err := b.Step(-1); err != nil {
			b.Finish()
			return err
		}
		return b.Finish()
	})
	if err != nil {
		return fmt.Errorf("store: restore the image %s: %w", path, err)
	}
	return nil
}
