package buildid

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The ID is the one `go tool buildid` reads from the same executable, so
// a rebuilt binary (whose content differs) has another.
func TestSelfIsTheGoBuildID(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "tool", "buildid", exe).Output()
	if err != nil {
		t.Skipf("go tool buildid: %v", err)
	}
	want := "go:" + strings.TrimSpace(string(out))
	if got := Self(); got != want {
		t.Fatalf("Self() = %q, want %q", got, want)
	}
	if fromRaw(exe) == "" && fromELF(exe) == "" {
		t.Fatal("neither reader found the build ID")
	}
}

func TestFallbackNamesTheFile(t *testing.T) {
	a, b := fallback("/bin/a", nil), fallback("/bin/b", nil)
	if a == b || !strings.HasPrefix(a, "file:") {
		t.Fatalf("fallbacks %q and %q", a, b)
	}
}
