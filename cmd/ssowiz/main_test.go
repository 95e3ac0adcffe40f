package main

import (
	"fmt"
	"os"
	"testing"
)

// TestMain points the user's cache directory (where serve keeps its keys
// without --data) at a temporary one, so tests leave nothing in the real
// one and share keys among themselves.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ssowiz-cache-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("XDG_CACHE_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
