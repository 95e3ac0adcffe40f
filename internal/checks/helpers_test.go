package checks

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// testKey is one RSA key for every signing certificate the tests make:
// generating one per app would dominate the run time.
var testKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

func newEnv(t testing.TB, opts Options) *Env {
	t.Helper()
	if opts.NewKey == nil {
		opts.NewKey = testKey
	}
	e := New(opts)
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return e
}

// dump renders a report for failure messages.
func dump(rep *Report) string {
	if rep == nil {
		return "(no report)"
	}
	var b strings.Builder
	for _, r := range rep.Results {
		fmt.Fprintf(&b, "%d %s: %s — %s\n", r.Number, r.ID, r.Status, r.Summary)
		for _, d := range r.Details {
			fmt.Fprintf(&b, "    %s\n", d)
		}
		for _, rm := range r.Remediations {
			fmt.Fprintf(&b, "    → %s [%s] value %q expected %q: %s %s\n", rm.Field, rm.Label, rm.Value, rm.Expected, rm.Problem, rm.Fix)
		}
	}
	return b.String()
}

// result returns the result of one check.
func result(t testing.TB, rep *Report, id string) Result {
	t.Helper()
	for _, r := range rep.Results {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no result for %s in:\n%s", id, dump(rep))
	return Result{}
}
