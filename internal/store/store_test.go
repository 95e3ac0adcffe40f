package store

import (
	"context"
	"sync"
	"testing"
)

var testMigrations = []Migration{
	{Version: 1, Name: "things", SQL: `CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)`},
	{Version: 2, Name: "things.note", SQL: `ALTER TABLE things ADD COLUMN note TEXT NOT NULL DEFAULT ''`},
}

func TestOpenInMemoryIsPrivate(t *testing.T) {
	ctx := context.Background()
	a, err := Open(ctx, Options{Name: "t"}, testMigrations)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, Options{Name: "t"}, testMigrations)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := a.ExecContext(ctx, `INSERT INTO things(name) VALUES ('x')`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := b.QueryRowContext(ctx, `SELECT count(*) FROM things`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("second in-memory database sees %d rows of the first", n)
	}
}

func TestReopenKeepsDataAndAppliesNewMigrations(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(ctx, Options{Dir: dir, Name: "t"}, testMigrations[:1])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO things(name) VALUES ('kept')`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db, err = Open(ctx, Options{Dir: dir, Name: "t"}, testMigrations)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var name, note string
	if err := db.QueryRowContext(ctx, `SELECT name, note FROM things`).Scan(&name, &note); err != nil {
		t.Fatal(err)
	}
	if name != "kept" || note != "" {
		t.Fatalf("got %q %q", name, note)
	}
	var v int
	db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v)
	if v != 2 {
		t.Fatalf("user_version = %d, want 2", v)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(ctx, Options{Dir: dir, Name: "t"}, testMigrations)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(ctx, Options{Dir: dir, Name: "t"}, testMigrations[:1]); err == nil {
		t.Fatal("opening a newer schema with older migrations succeeded")
	}
}

func TestBadMigrationLeavesVersion(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	bad := append(testMigrations[:1:1], Migration{Version: 2, Name: "broken", SQL: `CREATE TABLE oops (`})
	if _, err := Open(ctx, Options{Dir: dir, Name: "t"}, bad); err == nil {
		t.Fatal("broken migration succeeded")
	}
	db, err := Open(ctx, Options{Dir: dir, Name: "t"}, testMigrations)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v int
	db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v)
	if v != 2 {
		t.Fatalf("user_version = %d, want 2", v)
	}
}

func TestConcurrentUniqueInsertsOneWins(t *testing.T) {
	for _, dir := range []string{"", t.TempDir()} {
		ctx := context.Background()
		db, err := Open(ctx, Options{Dir: dir, Name: "t"}, testMigrations)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, dup := 0, 0
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := db.ExecContext(ctx, `INSERT INTO things(name) VALUES ('same')`)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case IsUniqueViolation(err):
					dup++
				default:
					t.Errorf("unexpected error: %v", err)
				}
			}()
		}
		wg.Wait()
		db.Close()
		if ok != 1 || dup != 49 {
			t.Fatalf("dir %q: %d inserts, %d duplicates; want 1 and 49", dir, ok, dup)
		}
	}
}
